"""Import of the procedure catalogue from CSV or XLSX (export: ``procedures.exporters``).

One row per procedure; the first row holds the column names below (the same columns are
written by the export, so an exported file can be edited and imported back).

==================== ======== =========================================================
Column               Required Meaning and accepted values
==================== ======== =========================================================
national_code        yes      National code ``N.NNNNNN`` (e.g. ``1.000178``); the key:
                              an existing procedure with this code is updated.
name                 yes      Procedure name, with Vietnamese diacritics.
field_code           yes      Field (lĩnh vực) code; a new code also needs field_name.
field_name                    Field name (creates or renames the field).
levels                        ``tinh``/``city``, ``huyen``/``district``, ``xa``/``commune``,
                              several separated by ``;`` (e.g. ``tinh;xa``).
agencies                      Identifier codes of the competent agencies, ``;``-separated
                              (e.g. ``000.00.03.H26``); each must exist.
time_limit_value     yes      Number ≥ 0, decimal point or comma (``5``, ``0,5``).
time_limit_unit               ``working_days`` (default), ``calendar_days``,
                              ``working_hours``, ``months`` or the Vietnamese label.
fee                           Fee in đồng, digits only (``75000``); blank = not stated.
fee_note                      Free text about the fee.
online_mode                   ``none`` (default), ``partial``, ``full`` or Vietnamese
                              (``không``, ``một phần``, ``toàn trình``).
legacy_level                  1–4 (online level before 15/8/2022) or blank.
dvcqg_integrated              ``có``/``không`` (also yes/no, 1/0, true/false).
dvcqg_integrated_on           Date ``YYYY-MM-DD`` or ``DD/MM/YYYY``.
local_code                    Locally published code, e.g. ``1.001234.000.00.00.H26``.
result_document               What the applicant receives.
steps                         Steps, one per line.
legal_basis                   Legal basis, one per line.
status                        ``published`` (default), ``draft``, ``archived``.
documents                     One document per line: ``name | form | copies | optional``;
                              form = ``original``/``bản chính``, ``copy``/``bản sao``,
                              ``either``; copies defaults to 1; ``optional`` marks a
                              document that is not mandatory. Blank leaves them as they are.
time_limits                   Variants, one per line: ``channel | case | value | unit``;
                              channel = ``desk``, ``post``, ``online``, ``dvcqg`` or blank.
==================== ======== =========================================================

The import is all or nothing: every row is checked first and, if any row is bad, the
report lists each problem (row number as in the spreadsheet, column, reason) and nothing
is written. Good files are applied in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hanoi_cchc.spreadsheets import FORMULA_STARTS
from hanoi_cchc.table_import import TableError, read_table

from .models import (
    NATIONAL_CODE_RE,
    Agency,
    Channel,
    Field,
    Procedure,
    RequiredDocument,
    TimeUnit,
)
from .search import fold
from .services import DocumentSpec, TimeLimitSpec, field_upsert, procedure_upsert

COLUMNS = [
    ("national_code", True),
    ("name", True),
    ("field_code", True),
    ("field_name", False),
    ("levels", False),
    ("agencies", False),
    ("time_limit_value", True),
    ("time_limit_unit", False),
    ("fee", False),
    ("fee_note", False),
    ("online_mode", False),
    ("legacy_level", False),
    ("dvcqg_integrated", False),
    ("dvcqg_integrated_on", False),
    ("local_code", False),
    ("result_document", False),
    ("steps", False),
    ("legal_basis", False),
    ("status", False),
    ("documents", False),
    ("time_limits", False),
]
COLUMN_NAMES = [name for name, _required in COLUMNS]
MAX_ROWS = 20000
MAX_BYTES = 10 * 1024 * 1024

LEVELS = {
    "tinh": "at_city",
    "thanh pho": "at_city",
    "city": "at_city",
    "huyen": "at_district",
    "district": "at_district",
    "xa": "at_commune",
    "commune": "at_commune",
}
YES = {"co", "yes", "1", "true", "x"}
NO = {"khong", "no", "0", "false", ""}


def _choice_map(choices) -> dict[str, str]:
    """Accept the stored value or the folded Vietnamese label."""
    out = {}
    for value, label in choices:
        out[fold(str(value))] = value
        out[fold(str(label))] = value
    return out


UNIT_MAP = _choice_map(TimeUnit.choices) | {"ngay lam viec": TimeUnit.WORKING_DAYS}
MODE_MAP = _choice_map(Procedure.OnlineMode.choices) | {
    "khong": Procedure.OnlineMode.NONE,
    "mot phan": Procedure.OnlineMode.PARTIAL,
    "toan trinh": Procedure.OnlineMode.FULL,
}
STATUS_MAP = _choice_map(Procedure.Status.choices)
FORM_MAP = _choice_map(RequiredDocument.Form.choices)
CHANNEL_MAP = _choice_map(Channel.choices)


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The file cannot be read at all (wrong type, encoding, empty)."""


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-empty data row; row 1 is the header."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("Tệp lớn hơn 10 MB."))
    # Streamed, with the row limit enforced while reading (hanoi_cchc.table_import).
    try:
        table = read_table(content, filename, max_rows=MAX_ROWS, max_cols=len(COLUMNS) + 20)
    except TableError as exc:
        raise ImportFileError(exc.message) from None
    table = [[_cell_text(v) for v in row] for row in table]
    if not table:
        raise ImportFileError(_("Tệp không có dữ liệu."))
    table = [[_unescape(str(c or "").strip()) for c in cells] for cells in table]
    header = list(table[0])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        rows.append(
            (
                number,
                {
                    h: str(cells[i] or "").strip() if i < len(cells) else ""
                    for i, h in enumerate(header)
                    if h
                },
            )
        )
    return [(1, {h: h for h in header if h})] + rows


def _unescape(text: str) -> str:
    """Undo the formula guard written by the export (``hanoi_cchc.spreadsheets``)."""
    guarded = text.startswith("'") and text[1:].startswith(FORMULA_STARTS)
    return text[1:] if guarded else text


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class ParsedRow:
    number: int
    national_code: str
    field_code: str
    field_name: str
    values: dict
    agencies: list[Agency] | None
    documents: list[DocumentSpec] | None
    time_limits: list[TimeLimitSpec] | None


def _decimal(text: str) -> Decimal:
    value = Decimal(text.replace(",", ".").replace(" ", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def validate(table: list[tuple[int, dict[str, str]]]) -> tuple[list[ParsedRow], list[RowError]]:
    """Check every row without writing anything."""
    errors: list[RowError] = []
    header = table[0][1]
    for name, required in COLUMNS:
        if required and name not in header:
            errors.append(RowError(1, name, _("Thiếu cột bắt buộc.")))
    for name in header:
        if name not in COLUMN_NAMES:
            errors.append(RowError(1, name, _("Cột không được hỗ trợ.")))
    if errors:
        return [], errors
    agencies = {a.identifier_code: a for a in Agency.objects.all()}
    known_fields = set(Field.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    parsed = []
    for number, raw in table[1:]:
        row_errors: list[RowError] = []

        def bad(column: str, message: str, number=number, row_errors=row_errors) -> None:
            row_errors.append(RowError(number, column, message))

        code = raw.get("national_code", "")
        if not re.match(NATIONAL_CODE_RE, code):
            bad("national_code", _("Mã thủ tục phải có dạng 1.000178."))
        elif code in seen:
            bad("national_code", _("Trùng mã với dòng %(row)d.") % {"row": seen[code]})
        else:
            seen[code] = number
        values: dict = {}
        name = raw.get("name", "")
        if not name:
            bad("name", _("Tên thủ tục không được để trống."))
        elif len(name) > 500:
            bad("name", _("Tên thủ tục dài quá 500 ký tự."))
        values["name"] = name
        field_code, field_name = raw.get("field_code", ""), raw.get("field_name", "")
        if not field_code:
            bad("field_code", _("Mã lĩnh vực không được để trống."))
        elif field_code not in known_fields and not field_name:
            bad("field_code", _("Lĩnh vực chưa có: cần điền field_name để tạo mới."))
        levels = {"at_city": False, "at_district": False, "at_commune": False}
        for part in filter(None, (fold(p) for p in re.split(r"[;,]", raw.get("levels", "")))):
            if part in LEVELS:
                levels[LEVELS[part]] = True
            else:
                bad("levels", _("Cấp không hợp lệ: “%(v)s”.") % {"v": part})
        values.update(levels)
        row_agencies = None
        if raw.get("agencies"):
            row_agencies = []
            for part in filter(None, (p.strip() for p in re.split(r"[;,\n]", raw["agencies"]))):
                if part in agencies:
                    row_agencies.append(agencies[part])
                else:
                    bad("agencies", _("Không có cơ quan mã “%(v)s”.") % {"v": part})
        try:
            values["time_limit_value"] = _decimal(raw.get("time_limit_value", ""))
            if values["time_limit_value"] < 0 or values["time_limit_value"] >= 100000:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            bad("time_limit_value", _("Thời hạn phải là số không âm."))
        values["time_limit_unit"] = _mapped(
            raw, "time_limit_unit", UNIT_MAP, TimeUnit.WORKING_DAYS, bad
        )
        fee = raw.get("fee", "").replace(".", "").replace(" ", "")
        if fee:
            if fee.isdigit() and len(fee) <= 14:
                values["fee"] = Decimal(fee)
            else:
                bad("fee", _("Phí, lệ phí phải là số đồng, chỉ gồm chữ số."))
        else:
            values["fee"] = None
        values["online_mode"] = _mapped(
            raw, "online_mode", MODE_MAP, Procedure.OnlineMode.NONE, bad
        )
        legacy = raw.get("legacy_level", "")
        if legacy and legacy not in {"1", "2", "3", "4"}:
            bad("legacy_level", _("Mức độ phải là 1, 2, 3 hoặc 4."))
        values["legacy_level"] = int(legacy) if legacy in {"1", "2", "3", "4"} else None
        flag = fold(raw.get("dvcqg_integrated", ""))
        if flag not in YES | NO:
            bad("dvcqg_integrated", _("Chỉ nhận “có” hoặc “không”."))
        values["dvcqg_integrated"] = flag in YES
        values["dvcqg_integrated_on"] = None
        if raw.get("dvcqg_integrated_on"):
            try:
                values["dvcqg_integrated_on"] = _date(raw["dvcqg_integrated_on"])
            except ValueError:
                bad("dvcqg_integrated_on", _("Ngày phải có dạng 2024-12-31 hoặc 31/12/2024."))
        for text_column, limit in (
            ("fee_note", 500),
            ("local_code", 60),
            ("result_document", 500),
            ("steps", None),
            ("legal_basis", None),
        ):
            value = raw.get(text_column, "")
            if limit and len(value) > limit:
                bad(text_column, _("Dài quá %(n)d ký tự.") % {"n": limit})
            values[text_column] = value
        values["status"] = _mapped(raw, "status", STATUS_MAP, Procedure.Status.PUBLISHED, bad)
        documents = _documents(raw.get("documents", ""), bad) if raw.get("documents") else None
        limits = _time_limits(raw.get("time_limits", ""), bad) if raw.get("time_limits") else None
        if row_errors:
            errors.extend(row_errors)
        else:
            parsed.append(
                ParsedRow(
                    number, code, field_code, field_name, values, row_agencies, documents, limits
                )
            )
    return parsed, errors


def _mapped(raw, column, mapping, default, bad):
    text = fold(raw.get(column, ""))
    if not text:
        return default
    if text in mapping:
        return mapping[text]
    bad(column, _("Giá trị không hợp lệ: “%(v)s”.") % {"v": raw[column]})
    return default


def _documents(text: str, bad) -> list[DocumentSpec]:
    docs = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        parts = [p.strip() for p in line.split("|")]
        form = FORM_MAP.get(fold(parts[1])) if len(parts) > 1 and parts[1] else "original"
        copies = parts[2] if len(parts) > 2 and parts[2] else "1"
        if not parts[0] or len(parts[0]) > 500 or form is None or not copies.isdigit():
            bad("documents", _("Dòng giấy tờ không hợp lệ: “%(v)s”.") % {"v": line[:80]})
            continue
        optional = len(parts) > 3 and fold(parts[3]) in {"optional", "neu co", "khong bat buoc"}
        docs.append(DocumentSpec(parts[0], form, int(copies), not optional))
    return docs


def _time_limits(text: str, bad) -> list[TimeLimitSpec]:
    limits, keys = [], set()
    for line in filter(None, (line.strip() for line in text.splitlines())):
        parts = [p.strip() for p in line.split("|")]
        try:
            if len(parts) != 4:
                raise ValueError
            channel = CHANNEL_MAP[fold(parts[0])] if parts[0] else ""
            unit = UNIT_MAP[fold(parts[3])]
            value = _decimal(parts[2])
            if (channel, parts[1]) in keys or len(parts[1]) > 255 or value < 0:
                raise ValueError
        except (KeyError, ValueError, InvalidOperation):
            bad("time_limits", _("Dòng thời hạn không hợp lệ: “%(v)s”.") % {"v": line[:80]})
            continue
        keys.add((channel, parts[1]))
        limits.append(TimeLimitSpec(channel, parts[1], value, unit))
    return limits


def import_procedures(*, filename: str, content: bytes, user=None) -> ImportReport:
    """Validate the whole file, then write every row in one transaction, or nothing."""
    report = ImportReport()
    try:
        table = read_rows(filename, content)
    except ImportFileError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        return report
    report.rows = len(table) - 1
    parsed, errors = validate(table)
    if errors:
        report.errors = errors
        return report
    reason = _("Nhập từ tệp %(name)s") % {"name": filename[:80]}
    try:
        with transaction.atomic():
            for row in parsed:
                current = row.number
                values = dict(row.values)
                values["field"] = field_upsert(code=row.field_code, name=row.field_name)
                _procedure, outcome = procedure_upsert(
                    national_code=row.national_code,
                    values=values,
                    agencies=row.agencies,
                    documents=row.documents,
                    time_limits=row.time_limits,
                    user=user,
                    reason=reason,
                )
                setattr(report, outcome, getattr(report, outcome) + 1)
    except ValidationError as exc:
        # A model rule the row checks did not anticipate: report it, keep nothing.
        for column, messages in exc.message_dict.items():
            for message in messages:
                report.errors.append(RowError(current, column, message))
        report.created = report.updated = report.unchanged = 0
    return report
