"""Import of annual indices (PAR INDEX, SIPAS, PAPI) from CSV or XLSX: all or nothing.

Columns (first row, names as below; order free):
  chi_so       par | sipas | papi
  nam          year, e.g. 2024
  thanh_phan   component code; empty for the index's total row
  ten          component name (required on component rows)
  diem         value (decimal point or comma)
  diem_toi_da  maximum (optional; PAR/SIPAS 100, PAPI total 80)
  xep_hang     rank among 63 provinces (total row, optional)
  nguon        source (optional)
Every error names its row (as the spreadsheet numbers it) and column; one error rejects the
whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from hanoi_cchc.table_import import TableError, read_table

from .models import AnnualIndex, AnnualIndexComponent

COLUMNS = ("chi_so", "nam", "thanh_phan", "ten", "diem", "diem_toi_da", "xep_hang", "nguon")
REQUIRED = ("chi_so", "nam", "diem")
MAX_ROWS = 5000


class IndexImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    indices: int
    components: int


def _rows(content: bytes, filename: str) -> list[list[str]]:
    # Streamed, with the row limit enforced while reading (hanoi_cchc.table_import).
    name = filename if filename.lower().endswith(".xlsx") else "upload.csv"
    try:
        rows = read_table(content, name, max_rows=MAX_ROWS, max_cols=50)
    except TableError as exc:
        raise IndexImportError([exc.message]) from None
    return [["" if v is None else str(v) for v in row] for row in rows]


def _decimal(raw: str) -> Decimal:
    value = Decimal(raw.strip().replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _parse(content: bytes, filename: str) -> list[dict]:
    rows = _rows(content, filename)
    if not rows:
        raise IndexImportError([_("Tệp không có dữ liệu.")])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise IndexImportError([_("Thiếu cột: %(cols)s (dòng 1).") % {"cols": ", ".join(missing)}])
    if len(rows) > MAX_ROWS:
        raise IndexImportError([_("Tệp quá lớn (tối đa %(n)s dòng).") % {"n": MAX_ROWS}])
    kinds = {k for k, _label in AnnualIndex.Kind.choices}
    errors, parsed, seen = [], [], set()
    for n, raw in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in raw):
            continue
        row = {
            c: (raw[header.index(c)].strip() if c in header and header.index(c) < len(raw) else "")
            for c in COLUMNS
        }

        def err(col, msg, n=n):
            errors.append(_("Dòng %(n)s, cột %(c)s: %(m)s") % {"n": n, "c": col, "m": msg})

        kind = row["chi_so"].lower()
        if kind not in kinds:
            err("chi_so", _("phải là par, sipas hoặc papi"))
        try:
            year = int(float(row["nam"]))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            err("nam", _("năm không hợp lệ"))
            year = None
        values = {}
        for col in ("diem", "diem_toi_da"):
            if row[col] or col == "diem":
                try:
                    values[col] = _decimal(row[col])
                    if values[col] < 0:
                        raise InvalidOperation
                except (InvalidOperation, ValueError):
                    err(col, _("phải là số không âm"))
        rank = None
        if row["xep_hang"]:
            try:
                rank = int(float(row["xep_hang"]))
                if not 1 <= rank <= 63:
                    raise ValueError
            except ValueError:
                err("xep_hang", _("phải là số từ 1 đến 63"))
        if row["thanh_phan"] and not row["ten"]:
            err("ten", _("dòng chỉ số thành phần cần tên thành phần"))
        key = (kind, year, row["thanh_phan"])
        if key in seen:
            err("thanh_phan", _("trùng với một dòng phía trên"))
        seen.add(key)
        parsed.append(
            {
                **row,
                "kind": kind,
                "year": year,
                "rank": rank,
                "value": values.get("diem"),
                "max": values.get("diem_toi_da"),
            }
        )
    if errors:
        raise IndexImportError(errors)
    return parsed


def annual_index_import(*, content: bytes, filename: str, user=None) -> ImportResult:
    """Create or update annual indices and components from a file, all or nothing.

    Side effects: AnnualIndex / AnnualIndexComponent rows (who: updated_by).
    """
    rows = _parse(content, filename)
    indices, components = set(), 0
    with transaction.atomic():
        for row in sorted(rows, key=lambda r: bool(r["thanh_phan"])):
            idx, _created = AnnualIndex.objects.select_for_update().get_or_create(
                kind=row["kind"], year=row["year"]
            )
            indices.add(idx.pk)
            if not row["thanh_phan"]:
                idx.total = row["value"]
                if row["max"] is not None:
                    idx.total_max = row["max"]
                idx.rank = row["rank"]
                idx.source = row["nguon"] or idx.source
                idx.updated_by = user
                idx.save()
                continue
            AnnualIndexComponent.objects.update_or_create(
                index=idx,
                code=row["thanh_phan"],
                defaults={
                    "name": row["ten"],
                    "value": row["value"],
                    "max_value": row["max"],
                },
            )
            components += 1
    return ImportResult(indices=len(indices), components=components)
