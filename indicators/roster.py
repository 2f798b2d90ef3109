"""Import of the roster of commune-level officials to be trained: CSV or XLSX, all or nothing.

Columns (first row, names as below; order free):
  ma_don_vi      the commune's identifier code (mã định danh) or GSO code
  ho_ten         full name
  so_dinh_danh   personal identification number (optional; unique per commune when given)
  chuc_vu        position (optional)
  ngay_tap_huan  date trained, YYYY-MM-DD or DD/MM/YYYY (empty: not trained yet)
The file replaces the roster of every commune it names (a commune sends its whole list).
Every error names its row (as the spreadsheet numbers it) and column; one error rejects the
whole file, as the catalogue and annual-index imports do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Agency

from .imports import IndexImportError, _rows
from .models import TrainingRosterEntry

REQUIRED = ("ma_don_vi", "ho_ten")
MAX_ROWS = 50_000


class RosterImportError(IndexImportError):
    pass


@dataclass
class RosterResult:
    communes: int
    officials: int
    trained: int


def _date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    if " " in raw:  # XLSX dates arrive as "2024-05-06 00:00:00"
        raw = raw.split(" ")[0]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def roster_import(*, content: bytes, filename: str) -> RosterResult:
    """Replace the roster of the communes named in the file; raises RosterImportError.

    Side effects: deletes and inserts TrainingRosterEntry rows in one transaction.
    """
    try:
        rows = _rows(content, filename)
    except IndexImportError as exc:
        raise RosterImportError(exc.errors) from None
    if not rows:
        raise RosterImportError([_("Tệp không có dữ liệu.")])
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterImportError([_("Thiếu cột: %(cols)s (dòng 1).") % {"cols": ", ".join(missing)}])
    if len(rows) > MAX_ROWS:
        raise RosterImportError([_("Tệp quá lớn (tối đa %(n)s dòng).") % {"n": MAX_ROWS}])
    codes = {
        (r[header.index("ma_don_vi")] if len(r) > header.index("ma_don_vi") else "").strip()
        for r in rows[1:]
    }
    agencies: dict[str, Agency] = {}
    for a in Agency.objects.filter(Q(identifier_code__in=codes) | Q(gso_code__in=codes)):
        for code in (a.identifier_code, a.gso_code):
            if code:
                agencies[code] = a
    errors: list[str] = []
    entries: list[TrainingRosterEntry] = []
    seen: set[tuple[int, str]] = set()
    now = timezone.now()
    for n, raw in enumerate(rows[1:], start=2):
        row = {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(header)}
        if not any(row.values()):
            continue
        agency = agencies.get(row["ma_don_vi"])
        if agency is None:
            errors.append(
                _("Dòng %(n)s, cột ma_don_vi: không có đơn vị mã “%(c)s”.")
                % {"n": n, "c": row["ma_don_vi"]}
            )
            continue
        if agency.level != Agency.Level.COMMUNE:
            errors.append(
                _("Dòng %(n)s, cột ma_don_vi: “%(a)s” không phải UBND cấp xã.")
                % {"n": n, "a": agency.name}
            )
            continue
        if not row["ho_ten"]:
            errors.append(_("Dòng %(n)s, cột ho_ten: bắt buộc.") % {"n": n})
            continue
        try:
            trained_on = _date(row.get("ngay_tap_huan", ""))
        except ValueError:
            errors.append(
                _("Dòng %(n)s, cột ngay_tap_huan: ngày không hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).")
                % {"n": n}
            )
            continue
        id_number = row.get("so_dinh_danh", "")[:20]
        if id_number:
            if (agency.id, id_number) in seen:
                errors.append(
                    _("Dòng %(n)s, cột so_dinh_danh: trùng với một dòng trước của cùng đơn vị.")
                    % {"n": n}
                )
                continue
            seen.add((agency.id, id_number))
        entries.append(
            TrainingRosterEntry(
                agency=agency,
                full_name=row["ho_ten"][:255],
                id_number=id_number,
                position=row.get("chuc_vu", "")[:255],
                trained_on=trained_on,
                imported_at=now,
            )
        )
    if errors:
        raise RosterImportError(errors[:50])
    if not entries:
        raise RosterImportError([_("Tệp không có dữ liệu.")])
    communes = {e.agency_id for e in entries}
    with transaction.atomic():
        TrainingRosterEntry.objects.filter(agency_id__in=communes).delete()
        TrainingRosterEntry.objects.bulk_create(entries)
    return RosterResult(
        communes=len(communes),
        officials=len(entries),
        trained=sum(1 for e in entries if e.trained_on),
    )
