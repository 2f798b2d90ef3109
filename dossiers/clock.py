"""The dossier's legal clock, on top of the deadline engine (dossiers.calendar).

Nothing here counts days itself: every count is asked of the engine, which reads the
administrator-edited calendar (get_calendar) and the agency's office hours. This module only
decides *which* period applies and *when* it starts (DOMAIN §5-6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from procedures.models import Agency, Channel, Procedure, TimeUnit

from .errors import InvalidInput
from .rules import local_tz

# An online dossier with no limit of its own for its portal uses the other portal's limit.
_CHANNEL_FALLBACK = {Channel.DVCQG: Channel.ONLINE, Channel.ONLINE: Channel.DVCQG}


@dataclass(frozen=True)
class Due:
    due_at: datetime
    explanation: dict
    # When the period started counting (after the cut-off rule); None for a shift.
    clock_started_at: datetime | None = None


def limit_for(procedure: Procedure, channel: str, case: str = "") -> tuple[Decimal, str]:
    """The limit that applies: the case's (trường hợp) if the desk chose one, else the
    channel's ProcedureTimeLimit if any, else the procedure's default.

    A case is chosen by the official at intake (the catalogue stores per-case limits); a
    case row for the channel wins over one for every channel. An unknown case is refused.
    """
    case = (case or "").strip()
    rows = list(procedure.time_limits.all())
    if case:
        matches = {row.channel: row for row in rows if row.case == case}
        for key in (channel, _CHANNEL_FALLBACK.get(channel), ""):
            if key is not None and key in matches:
                return matches[key].value, matches[key].unit
        raise InvalidInput(
            _("Thủ tục không có trường hợp “%(case)s”.") % {"case": case},
            fields={"case": [_("Trường hợp không có trong danh mục của thủ tục.")]},
        )
    by_channel = {row.channel: row for row in rows if row.case == ""}
    for key in (channel, _CHANNEL_FALLBACK.get(channel)):
        if key and key in by_channel:
            row = by_channel[key]
            return row.value, row.unit
    return procedure.time_limit_value, procedure.time_limit_unit


def cases_of(procedure: Procedure) -> list[str]:
    """The cases (trường hợp) with a limit of their own, for the desk to choose from."""
    return sorted({row.case for row in procedure.time_limits.all() if row.case})


# Sentences are not stored: pages write them from the facts in the reader's language
# (views_common.fact_lines).
_NOT_STORED = frozenset({"lines", "rule_text"})


def _jsonable(explanation) -> dict:
    # The engine may return dates and Decimals: store plain JSON, facts only.
    facts = {k: v for k, v in (explanation or {}).items() if k not in _NOT_STORED}
    return json.loads(json.dumps(facts, cls=DjangoJSONEncoder))


# The longest period any TTHC sets is counted in months, not years; a larger value is a
# typing mistake, and past the calendar's range the engine cannot answer at all.
MAX_LIMIT = {
    TimeUnit.WORKING_DAYS: Decimal(1000),
    TimeUnit.CALENDAR_DAYS: Decimal(1500),
    TimeUnit.WORKING_HOURS: Decimal(8000),
    TimeUnit.MONTHS: Decimal(48),
}


def compute(
    *,
    agency: Agency | None,
    start: datetime,
    value: Decimal,
    unit: str,
    apply_cutoff: bool = True,
) -> Due:
    """Due time of a period of `value` `unit` starting at `start`, for `agency`'s hours
    (no agency: the default hours and cut-off). The one calculation of intake, the
    lifecycle and the API's calculator.

    Raises InvalidInput for a period the calendar cannot count (too long).
    """
    from .calendar import compute_due
    from .calendar_store import default_office_hours, get_calendar, office_hours_for

    value = Decimal(value)
    if unit in MAX_LIMIT and value > MAX_LIMIT[unit]:
        raise InvalidInput(
            _("Thời hạn %(value)s %(unit)s quá dài (tối đa %(max)s).")
            % {"value": value, "unit": TimeUnit(unit).label, "max": MAX_LIMIT[unit]}
        )
    try:
        result = compute_due(
            received_at=start,
            value=value,
            unit=unit,
            calendar=get_calendar(),
            hours=office_hours_for(agency) if agency is not None else default_office_hours(),
            apply_cutoff=apply_cutoff,
        )
    except (ValueError, OverflowError):  # a limit so long the date leaves the calendar
        raise InvalidInput(_("Không tính được hạn giải quyết cho thời hạn này.")) from None
    return Due(
        result.due_at,
        _jsonable(result.explanation),
        getattr(result, "clock_started_at", None) or start,
    )


def working_days_since(start: datetime, end: datetime) -> int:
    """Working days after the date of `start` up to the date of `end` (Hanoi dates)."""
    from .calendar import working_days_after
    from .calendar_store import get_calendar

    tz = local_tz()
    return working_days_after(
        get_calendar(), start.astimezone(tz).date(), end.astimezone(tz).date()
    )


def shift_for_pause(
    *, agency: Agency, due_at: datetime, unit: str, paused_at: datetime, resumed_at: datetime
) -> Due:
    """Pause rule: move due_at later by the time the dossier waited for the applicant.

    Working-hour limits move by the working hours paused; working-day limits by the working
    days paused; calendar-day and month limits by the calendar days paused.
    """
    from .calendar import compute_due, working_hours_between
    from .calendar_store import get_calendar, office_hours_for

    calendar, hours = get_calendar(), office_hours_for(agency)
    tz = local_tz()
    if unit == TimeUnit.WORKING_HOURS:
        paused = Decimal(working_hours_between(calendar, hours, paused_at, resumed_at))
        shift_unit = TimeUnit.WORKING_HOURS
    elif unit == TimeUnit.WORKING_DAYS:
        paused = Decimal(working_days_since(paused_at, resumed_at))
        shift_unit = TimeUnit.WORKING_DAYS
    else:
        paused = Decimal((resumed_at.astimezone(tz).date() - paused_at.astimezone(tz).date()).days)
        shift_unit = None
    explanation = {
        "rule": "supplement_pause",
        "paused_from": paused_at.isoformat(),
        "paused_until": resumed_at.isoformat(),
        "paused": str(paused),
        "paused_unit": shift_unit or TimeUnit.CALENDAR_DAYS,
    }
    if paused <= 0:
        return Due(due_at, explanation)
    if shift_unit is None:
        # Civil Code art. 148: a period that ends on a day off ends on the next working day.
        shifted = due_at + timedelta(days=int(paused))
        while not calendar.is_working_day(shifted.astimezone(tz).date()):
            shifted += timedelta(days=1)
        return Due(shifted, explanation)
    result = compute_due(
        received_at=due_at,
        value=paused,
        unit=shift_unit,
        calendar=calendar,
        hours=hours,
        apply_cutoff=False,
    )
    explanation["engine"] = _jsonable(result.explanation)
    return Due(result.due_at, explanation)


def is_working_day(moment: datetime) -> bool:
    """Whether the Hanoi date of `moment` is a working day of the edited calendar."""
    from .calendar_store import get_calendar

    return get_calendar().is_working_day(moment.astimezone(local_tz()).date())


def end_of_office_day(day: date, agency: Agency) -> datetime:
    """A date given alone (e.g. a new appointment) means the end of that office day."""
    closing = agency.afternoon_end
    if isinstance(closing, str):
        closing = time.fromisoformat(closing)
    return datetime.combine(day, closing, tzinfo=local_tz())
