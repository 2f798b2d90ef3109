"""Writes to the catalogue: agencies, fields and procedures.

Admin, the importer, the demo loader and the tests all go through these functions, so the
folded search text and the history rows are written the same way everywhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Agency, Field, Procedure, ProcedureTimeLimit, RequiredDocument
from .search import search_text_for

DATA_DIR = Path(__file__).resolve().parent / "data"
AGENCIES_CSV = DATA_DIR / "agencies.csv"

# Fields of Agency taken from the data file as they are (the rest are resolved references).
_AGENCY_PLAIN = ("name", "short_name", "level", "unit_type", "gso_code", "address", "phone")
_PROCEDURE_FIELDS = (
    "local_code",
    "name",
    "field",
    "at_city",
    "at_district",
    "at_commune",
    "time_limit_value",
    "time_limit_unit",
    "fee",
    "fee_note",
    "steps",
    "legal_basis",
    "result_document",
    "online_mode",
    "legacy_level",
    "dvcqg_integrated",
    "dvcqg_integrated_on",
    "online_mode_since",
    "supplement_request_days",
    "valid_from",
    "valid_to",
    "status",
)


def agency_code(prefix: str) -> str:
    """Full identifier code: the data file holds NNN.NN.NN, the suffix is a setting."""
    return f"{prefix}.{settings.AGENCY_CODE_SUFFIX}" if prefix else ""


def _parse_date(raw: str) -> date | None:
    return date.fromisoformat(raw) if raw else None


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def agencies_load(*, path: Path = AGENCIES_CSV) -> LoadResult:
    """Create or update every agency of the data file; idempotent. Writes Agency rows."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    result = LoadResult()
    with transaction.atomic():
        by_code: dict[str, Agency] = {
            a.identifier_code: a
            for a in Agency.objects.select_for_update().filter(
                identifier_code__in=[agency_code(r["identifier_code"]) for r in rows]
            )
        }
        # Two passes: first the plain columns, then parent/successor, which may point
        # forward in the file.
        for row in rows:
            code = agency_code(row["identifier_code"])
            values = {key: row[key].strip() for key in _AGENCY_PLAIN}
            values["valid_from"] = _parse_date(row["valid_from"])
            values["valid_to"] = _parse_date(row["valid_to"])
            agency = by_code.get(code)
            if agency is None:
                by_code[code] = Agency.objects.create(identifier_code=code, **values)
                result.created += 1
            elif _assign_changed(agency, values):
                agency.save()
                result.updated += 1
            else:
                result.unchanged += 1
        for row in rows:
            agency = by_code[agency_code(row["identifier_code"])]
            refs = {
                "parent_id": _ref_id(by_code, row["parent"]),
                "successor_id": _ref_id(by_code, row["successor"]),
            }
            if _assign_changed(agency, refs):
                agency.save(update_fields=list(refs))
    return result


def _ref_id(by_code: dict[str, Agency], prefix: str) -> int | None:
    return by_code[agency_code(prefix)].pk if prefix else None


def _assign_changed(obj, values: dict) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def field_upsert(*, code: str, name: str) -> Field:
    """Create the field, or rename it when the name differs. Writes one Field row."""
    field, created = Field.objects.get_or_create(code=code, defaults={"name": name})
    if not created and name and field.name != name:
        field.name = name
        field.save(update_fields=["name"])
    return field


def procedure_save(*, procedure: Procedure, user=None, reason: str = "") -> Procedure:
    """Save a procedure with its folded search text; writes a history row (who, why)."""
    procedure.search_text = search_text_for(
        name=procedure.name,
        national_code=procedure.national_code,
        local_code=procedure.local_code,
    )
    if user is not None and getattr(user, "is_authenticated", False):
        procedure._history_user = user
    if reason:
        procedure._change_reason = reason
    procedure.full_clean(exclude=["agencies"], validate_unique=False)
    procedure.save()
    return procedure


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    form: str = RequiredDocument.Form.ORIGINAL
    copies: int = 1
    mandatory: bool = True


@dataclass(frozen=True)
class TimeLimitSpec:
    channel: str
    case: str
    value: Decimal
    unit: str


def procedure_upsert(
    *,
    national_code: str,
    values: dict,
    agencies: list[Agency] | None = None,
    documents: list[DocumentSpec] | None = None,
    time_limits: list[TimeLimitSpec] | None = None,
    user=None,
    reason: str = "",
) -> tuple[Procedure, str]:
    """Create or update one procedure and its parts; returns (procedure, created|updated|unchanged).

    Nothing is written when nothing differs, so loading the same data twice adds no history.
    ``None`` for agencies, documents or time limits leaves that part as it is.
    """
    with transaction.atomic():
        procedure = (
            Procedure.objects.select_for_update().filter(national_code=national_code).first()
        )
        outcome = "unchanged"
        if procedure is None:
            procedure = Procedure(national_code=national_code, **_normalise(values))
            procedure_save(procedure=procedure, user=user, reason=reason or "Tạo mới")
            outcome = "created"
        elif _assign_changed(procedure, _normalise(values)):
            procedure_save(procedure=procedure, user=user, reason=reason or "Cập nhật")
            outcome = "updated"
        if agencies is not None:
            wanted = {a.pk for a in agencies}
            current = set(procedure.agencies.values_list("pk", flat=True))
            if wanted != current:
                procedure.agencies.set(wanted)
                outcome = "updated" if outcome == "unchanged" else outcome
        if documents is not None and _replace_documents(procedure, documents):
            outcome = "updated" if outcome == "unchanged" else outcome
        if time_limits is not None and _replace_time_limits(procedure, time_limits):
            outcome = "updated" if outcome == "unchanged" else outcome
    return procedure, outcome


def _normalise(values: dict) -> dict:
    unknown = set(values) - set(_PROCEDURE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown procedure fields: {sorted(unknown)}")
    out = dict(values)
    for key in ("time_limit_value", "fee"):
        if out.get(key) is not None and not isinstance(out[key], Decimal):
            out[key] = Decimal(str(out[key]))
    return out


def _replace_documents(procedure: Procedure, documents: list[DocumentSpec]) -> bool:
    current = [
        DocumentSpec(d.name, d.form, d.copies, d.mandatory)
        for d in procedure.required_documents.order_by("order", "id")
    ]
    if current == list(documents):
        return False
    procedure.required_documents.all().delete()
    for order, spec in enumerate(documents, 1):
        RequiredDocument.objects.create(
            procedure=procedure,
            name=spec.name,
            form=spec.form,
            copies=spec.copies,
            mandatory=spec.mandatory,
            order=order,
        )
    return True


def _replace_time_limits(procedure: Procedure, limits: list[TimeLimitSpec]) -> bool:
    current = {
        TimeLimitSpec(t.channel, t.case, t.value, t.unit) for t in procedure.time_limits.all()
    }
    if current == set(limits):
        return False
    procedure.time_limits.all().delete()
    for spec in limits:
        ProcedureTimeLimit.objects.create(
            procedure=procedure,
            channel=spec.channel,
            case=spec.case,
            value=spec.value,
            unit=spec.unit,
        )
    return True


def procedures_reindex_search(*, batch_size: int = 500) -> int:
    """Recompute search_text for every procedure (after a bulk load or a change of folding
    rules); writes only rows whose text differs and no history. Returns rows changed."""
    changed = 0
    with transaction.atomic():
        qs = Procedure.objects.only("pk", "name", "national_code", "local_code", "search_text")
        batch = []
        for procedure in qs.iterator(chunk_size=batch_size):
            text = search_text_for(
                name=procedure.name,
                national_code=procedure.national_code,
                local_code=procedure.local_code,
            )
            if text != procedure.search_text:
                procedure.search_text = text
                batch.append(procedure)
            if len(batch) >= batch_size:
                changed += Procedure.objects.bulk_update(batch, ["search_text"])
                batch = []
        if batch:
            changed += Procedure.objects.bulk_update(batch, ["search_text"])
    return changed
