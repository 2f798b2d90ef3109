"""The ORM-backed working calendar: the `holidays` package, corrected by CalendarDay rows.

The library gives Vietnam's public-sector days off (Labor Code 2019 art. 112, with the
compensatory days off and the Prime Minister's announced swaps) and the make-up working
Saturdays (`weekend_workdays`). The year's official decision can differ from the library,
so an administrator's CalendarDay row wins: DAY_OFF adds a day off, WORKING_DAY makes a
date a working day (DOMAIN §6).

Caching. The library part is computed once per process. The overrides are read on every
`get_calendar()` call with one small query (the table holds a few rows a year), and the
calendar is rebuilt only when they differ from the ones it was built from. Comparing the
rows themselves, rather than a version counter, means no edit path can leave a stale
calendar: admin, services, a shell session or a rolled-back test transaction.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache

import holidays
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .calendar import WEEKDAY_NAMES, OfficeHours, WorkCalendar
from .models import CalendarDay
from .rules import local_tz

log = logging.getLogger(__name__)

_lock = threading.Lock()
_memo: tuple[tuple, WorkCalendar] | None = None


@lru_cache(maxsize=4)
def library_days(first: int, last: int) -> tuple[dict[date, str], dict[date, str]]:
    """(weekday days off, make-up working weekend days) from `holidays` for the years."""
    lib = holidays.country_holidays("VN", years=range(first, last + 1), language="vi")
    days_off = {d: str(name) for d, name in lib.items() if d.weekday() < 5}
    working: dict[date, str] = {}
    for d in sorted(lib.weekend_workdays):
        if not first <= d.year <= last:
            continue
        # The swapped day off carries "(thay cho ngày dd/mm/yyyy)" naming this Saturday.
        swapped = [off for off, name in days_off.items() if f"{d:%d/%m/%Y}" in name]
        working[d] = (
            f"Làm bù cho ngày nghỉ {swapped[0]:%d/%m/%Y}" if swapped else "Ngày làm việc bù"
        )
    return days_off, working


# The administrator's overrides, cached so that a hot page (the worklist) counting working
# days costs no query; forgotten when a CalendarDay row changes (forget_overrides, connected
# in apps.py), and at most OVERRIDES_TTL seconds stale if a cache delete was lost.
OVERRIDES_KEY = "calendar-overrides"
OVERRIDES_TTL = 300


def _overrides() -> tuple:
    try:
        rows = cache.get(OVERRIDES_KEY)
    except Exception:  # the cache is down: the database answers
        log.warning("calendar cache unavailable; reading the overrides", exc_info=True)
        rows = None
    if rows is not None:
        return rows
    rows = tuple(
        CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "decision")
    )
    try:
        cache.set(OVERRIDES_KEY, rows, OVERRIDES_TTL)
    except Exception:
        log.warning("calendar cache unavailable; overrides not stored", exc_info=True)
    return rows


def forget_overrides(**kwargs) -> None:
    """A CalendarDay row changed: the next reader rebuilds from the database (now, and again
    after commit, so a reader between the two cannot keep the old rows)."""

    def forget():
        try:
            cache.delete(OVERRIDES_KEY)
        except Exception:
            log.warning("calendar cache unavailable; not invalidated", exc_info=True)

    forget()
    transaction.on_commit(forget)


def build_calendar(overrides) -> WorkCalendar:
    """The library calendar with (date, kind, name, decision) overrides applied."""
    first, last = settings.CALENDAR_YEARS
    lib_off, lib_working = library_days(first, last)
    days_off, working = dict(lib_off), dict(lib_working)
    for day, kind, name, decision in overrides:
        label = name or decision
        if kind == CalendarDay.Kind.DAY_OFF:
            working.pop(day, None)
            days_off[day] = label or "Ngày nghỉ (điều chỉnh)"
        else:
            days_off.pop(day, None)
            working[day] = label or "Ngày làm việc (điều chỉnh)"
    return WorkCalendar(days_off, working)


def get_calendar() -> WorkCalendar:
    """The effective working calendar; rebuilt only when the CalendarDay rows changed."""
    global _memo
    rows = _overrides()
    memo = _memo
    if memo is not None and memo[0] == rows:
        return memo[1]
    with _lock:
        calendar = build_calendar(rows)
        _memo = (rows, calendar)
    return calendar


def _as_time(value) -> time | None:
    # An unsaved Agency still holds the field default as a string ("08:00").
    if value is None or isinstance(value, time):
        return value
    return time.fromisoformat(value)


def office_hours_for(agency) -> OfficeHours:
    """The agency's office sessions; its cut-off, else settings.RECEIPT_CUTOFF (15:00)."""
    cutoff = _as_time(getattr(agency, "receipt_cutoff", None)) or settings.RECEIPT_CUTOFF
    return OfficeHours(
        morning_start=_as_time(agency.morning_start),
        morning_end=_as_time(agency.morning_end),
        afternoon_start=_as_time(agency.afternoon_start),
        afternoon_end=_as_time(agency.afternoon_end),
        cutoff=cutoff,
        tz=local_tz(),
    )


def default_office_hours() -> OfficeHours:
    """Office hours for a period with no agency: the defaults and the system cut-off."""
    return OfficeHours(cutoff=settings.RECEIPT_CUTOFF, tz=local_tz())


def calendar_day_set(*, actor, date: date, kind: str, name: str, decision: str) -> CalendarDay:
    """Add or replace the override for one date; logs who did it. The calendar follows."""
    if kind not in CalendarDay.Kind.values:
        raise ValidationError(_("Loại ngày không hợp lệ."))
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError(_("Cần ghi văn bản quyết định việc điều chỉnh ngày này."))
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            day = CalendarDay(date=date)
        day.kind, day.name, day.decision = kind, (name or "").strip(), decision
        day.created_by = actor if getattr(actor, "pk", None) else None
        day.save()
    log.info("calendar day %s set to %s by %s (%s)", date, kind, actor, decision)
    day.redated = _redate(actor, date, decision)
    return day


def calendar_day_delete(*, actor, date: date) -> bool:
    """Remove the override for a date (the library's answer applies again); logs it."""
    with transaction.atomic():
        deleted, _count = CalendarDay.objects.filter(date=date).delete()
    log.info("calendar day override %s removed by %s", date, actor)
    if deleted:
        _redate(actor, date, "")
    return bool(deleted)


def _redate(actor, day: date, decision: str):
    """The open dossiers whose period contains `day` follow the change (dossiers.redating)."""
    from .redating import redate_for_calendar_change

    result = redate_for_calendar_change(actor=actor, day=day, decision=decision)
    log.info(
        "calendar change %s: %d dossiers re-dated, %d kept, %d unchanged",
        day,
        len(result.redated),
        len(result.kept),
        result.unchanged,
    )
    return result


@dataclass(frozen=True)
class EffectiveDay:
    """One noteworthy date of a year: what the library says, any override, the result."""

    date: date
    weekday: str
    library: str  # "" when the library says nothing special about the date
    override: CalendarDay | None
    working: bool
    reason: str


def effective_year(year: int) -> list[EffectiveDay]:
    """Every date of `year` that the library or an override makes special, in order."""
    first, last = settings.CALENDAR_YEARS
    lib_off, lib_working = library_days(first, last)
    overrides = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    calendar = get_calendar()
    dates = sorted(
        {d for d in (*lib_off, *lib_working) if d.year == year} | set(overrides),
    )
    out = []
    for d in dates:
        library = lib_off.get(d) or lib_working.get(d) or ""
        working = calendar.is_working_day(d)
        out.append(
            EffectiveDay(
                date=d,
                weekday=WEEKDAY_NAMES[d.weekday()],
                library=library,
                override=overrides.get(d),
                working=working,
                reason=(calendar.working_days.get(d, "") if working else "")
                or (calendar.why_not_working(d) or ""),
            )
        )
    return out
