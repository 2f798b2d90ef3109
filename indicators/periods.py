"""Calendar months in Hanoi time, the unit of every statistics cell."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_of(moment: datetime) -> date:
    """The first day of the month of an aware datetime, in Hanoi time."""
    local = moment.astimezone(local_tz())
    return date(local.year, local.month, 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a month as aware datetimes."""
    tz = local_tz()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    nxt = add_months(month, 1)
    return start, datetime(nxt.year, nxt.month, 1, tzinfo=tz)


def current_month() -> date:
    return month_of(timezone.now())


def last_complete_month() -> date:
    return add_months(current_month(), -1)


def months_between(first: date, last: date) -> list[date]:
    out, m = [], date(first.year, first.month, 1)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def parse_month(raw: str | None) -> date | None:
    """'2026-10' → date(2026, 10, 1); anything else → None."""
    if not raw:
        return None
    try:
        year, month = (int(p) for p in raw.split("-")[:2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        return None
    return None
