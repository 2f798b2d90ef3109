"""Validation at the edges: ids, days and amounts as a request may carry them (issue 12).

``str.isdigit()`` accepts '²' and '١', which ``int()`` then refuses or reads as another
number; a number past the column's range reaches PostgreSQL as an error; a day in year 9999
passes ``date.fromisoformat`` and overflows the first time a day is added to it. Each
helper here answers "is this a value the portal handles?" so a view can say no with a
message or a 4xx instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The largest id of a bigint primary key.
ID_MAX = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")

# The days the portal deals in: dossiers, ledgers and statistics from the first year of
# the Decree 61/2018 one-stop regime to the end of the century. The working-day calendar
# only knows CALENDAR_YEARS; these bounds keep date arithmetic far from date.max.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)

# Dossier.fee_amount is NUMERIC(14, 0): whole đồng below 10^14.
FEE_MAX = 10**14 - 1


def parse_id(raw) -> int | None:
    """The id in ``raw`` (ASCII digits, 1..ID_MAX), or None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 1 <= raw <= ID_MAX else None
    if not isinstance(raw, str) or not _ASCII_DIGITS.fullmatch(raw.strip()):
        return None
    value = int(raw.strip())
    return value if 1 <= value <= ID_MAX else None


def day_in_range(day: date | datetime | None) -> bool:
    if day is None:
        return False
    if isinstance(day, datetime):
        day = day.date()
    return FIRST_DAY <= day <= LAST_DAY


def parse_day(raw) -> date | None:
    """A YYYY-MM-DD day within the portal's range, or None."""
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw.strip()):
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None
    return day if day_in_range(day) else None


def validate_portal_day(value) -> None:
    """Form/serializer validator: a day (or instant) within FIRST_DAY..LAST_DAY."""
    if value is not None and not day_in_range(value):
        raise ValidationError(
            _("Ngày phải trong khoảng %(first)s đến %(last)s."),
            code="out_of_range",
            params={"first": f"{FIRST_DAY:%d/%m/%Y}", "last": f"{LAST_DAY:%d/%m/%Y}"},
        )
