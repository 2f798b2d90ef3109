"""The working calendar and the deadline engine: pure functions, no ORM, no settings.

Everything here takes its calendar (`WorkCalendar`) and office hours (`OfficeHours`) as
arguments, so it can be tested exhaustively; `calendar_store` builds them from the
`holidays` package, the administrator's `CalendarDay` rows and the agency's fields.

The rules (DOMAIN §5-6), and the choices made where the texts leave room:

* Working days exclude Saturdays, Sundays and public days off (Labor Code 2019 art. 112),
  but a make-up working Saturday (ngày làm bù, set each year by the Prime Minister's
  decision on public-sector days off) is a working day.
* Effective receipt. Paper dossiers received after the cut-off (15:00 by default) are
  handed on at the start of the next working day (Decree 61/2018/NĐ-CP art. 18): the
  dossier counts as received at the opening of the next working day. So does one received
  on a day off or after closing time. One received on a working day before opening counts
  as received at the opening that same day; during the lunch break, at the afternoon
  opening. Exactly at the cut-off ("sau 15 giờ" is *after* 15:00) is still that day.
* Periods in days (working days, calendar days, months) start on the day after the
  effective receipt day (Civil Code 2015 art. 147(2)). Civil Code art. 148(5) ends a day
  at midnight, but an administrative result is handed over at the desk: the due TIME is
  the end of office hours (afternoon close, 17:00 by default) of the last day.
* Calendar days and months ending on a day off end on the next working day (Civil Code
  art. 148(4)); a month period ends on the corresponding day of the last month, or that
  month's last day when it has no such day (art. 148(3)).
* Periods in working hours start from the effective receipt instant (Civil Code
  art. 147(1)) and run only inside the office sessions (morning and afternoon) of working
  days. A count that ends exactly at a session's close ends at that close (12:00, 17:00).
* Fractions: a working-day value is counted as value × hours_per_day working hours from
  the opening of the first day of the period, so 1.5 days received on Monday end at
  Wednesday's morning close. Calendar-day and month values are rounded up to whole units.

Why the two conventions agree. With N working days ≡ N × hours_per_day working hours, a
dossier received on working day D at instant t, strictly after opening and not after the
cut-off, has r = working time left on D with 0 < r < hours_per_day. The days convention
ends at the close of the N-th working day after D. The hours convention uses r on D,
N − 1 whole days, then hours_per_day − r (strictly between 0 and a whole day) on the N-th
working day after D: the same date, at the clock time the dossier was received. The one
boundary is a receipt at the very instant of opening (r = a whole day): the hours count
then ends at the close of the (N−1)-th day, one date earlier; `test_calendar.py` pins it.
"""

from __future__ import annotations

import bisect
import calendar as _pycalendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_CEILING, Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = ("working_days", "calendar_days", "working_hours", "months")
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
UNIT_NAMES = {
    "working_days": "ngày làm việc",
    "calendar_days": "ngày",
    "working_hours": "giờ làm việc",
    "months": "tháng",
}
_US_PER_HOUR = 3_600_000_000
# The fast index covers these years; dates outside are walked day by day (still correct).
_INDEX_YEARS = (1995, 2065)
# Beyond this many skipped days the explanation keeps only the named days off.
_MAX_LISTED_SKIPS = 40


def _us(t: time) -> int:
    """Microseconds since midnight."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _time_of(us: int) -> time:
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


@dataclass(frozen=True)
class OfficeHours:
    """An agency's office sessions and receipt cut-off, in its local time zone."""

    morning_start: time = time(8, 0)
    morning_end: time = time(12, 0)
    afternoon_start: time = time(13, 0)
    afternoon_end: time = time(17, 0)
    # Decree 61/2018 art. 18: received after this → counted from the next working day.
    cutoff: time | None = time(15, 0)
    tz: tzinfo = field(default=HANOI)

    def __post_init__(self):
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValueError("office sessions must be in order: morning, then afternoon")

    @property
    def morning_us(self) -> int:
        return _us(self.morning_end) - _us(self.morning_start)

    @property
    def day_us(self) -> int:
        return self.morning_us + _us(self.afternoon_end) - _us(self.afternoon_start)

    @property
    def hours_per_day(self) -> Decimal:
        """Working hours in one day (8 with the default sessions)."""
        return Decimal(self.day_us) / _US_PER_HOUR

    def worked_before(self, t: time) -> int:
        """Working microseconds of a day elapsed at clock time t (0 … day_us)."""
        x = _us(t)
        morning = min(max(x - _us(self.morning_start), 0), self.morning_us)
        afternoon_len = _us(self.afternoon_end) - _us(self.afternoon_start)
        afternoon = min(max(x - _us(self.afternoon_start), 0), afternoon_len)
        return morning + afternoon

    def clock_at(self, position: int) -> time:
        """The clock time at which `position` working microseconds of a day have elapsed.

        0 is the opening; the morning close (12:00) and the day's close (17:00) are kept as
        such, not moved to the next session's opening.
        """
        if position <= self.morning_us:
            return _time_of(_us(self.morning_start) + position)
        return _time_of(_us(self.afternoon_start) + position - self.morning_us)

    def contains(self, t: time) -> bool:
        """Whether t is inside a session, ends included."""
        return (self.morning_start <= t <= self.morning_end) or (
            self.afternoon_start <= t <= self.afternoon_end
        )


class WorkCalendar:
    """Which dates are working days for the public sector.

    days_off: dates that are not worked, with the reason (holiday name, decision);
    working_days: dates that are worked although on a weekend (make-up Saturdays), with the
    reason. A date in both is a programming error of the builder.
    """

    def __init__(self, days_off: Mapping[date, str], working_days: Mapping[date, str]):
        both = set(days_off) & set(working_days)
        if both:
            raise ValueError(f"dates both off and working: {sorted(both)}")
        self.days_off = dict(days_off)
        self.working_days = dict(working_days)

    def is_working_day(self, d: date) -> bool:
        if d in self.days_off:
            return False
        if d in self.working_days:
            return True
        return d.weekday() < 5

    def why_not_working(self, d: date) -> str | None:
        """The reason a date is not a working day ("Thứ Bảy", the holiday…), else None."""
        if d in self.days_off:
            return self.days_off[d] or "Ngày nghỉ"
        if d in self.working_days or d.weekday() < 5:
            return None
        return WEEKDAY_NAMES[d.weekday()]

    # -- the index: sorted ordinals of working days, for O(log n) counting ---------------
    @cached_property
    def _index(self) -> tuple[int, int, list[int]]:
        lo = date(min([_INDEX_YEARS[0], *(d.year for d in self._keys())]), 1, 1).toordinal()
        hi = date(max([_INDEX_YEARS[1], *(d.year for d in self._keys())]), 12, 31).toordinal()
        ords = [o for o in range(lo, hi + 1) if (o + 6) % 7 < 5]  # Mon–Fri (ordinal 1 = Mon)
        off = {d.toordinal() for d in self.days_off}
        extra = {d.toordinal() for d in self.working_days}
        ords = sorted((set(ords) - off) | extra)
        return lo, hi, ords

    def _keys(self):
        yield from self.days_off
        yield from self.working_days

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        return self.nth_working_day_after(d, 1)

    def working_day_on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def nth_working_day_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after d (n ≥ 1); d itself when n == 0."""
        if n <= 0:
            return d
        lo, hi, ords = self._index
        o = d.toordinal()
        if lo <= o <= hi:
            i = bisect.bisect_right(ords, o) + n - 1
            if i < len(ords):
                return date.fromordinal(ords[i])
        while n:  # outside the indexed years: walk
            d += timedelta(days=1)
            n -= self.is_working_day(d)
        return d

    def count_working_days(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when end ≤ start."""
        if end <= start:
            return 0
        lo, hi, ords = self._index
        if lo <= start.toordinal() and end.toordinal() <= hi:
            return bisect.bisect_right(ords, end.toordinal()) - bisect.bisect_right(
                ords, start.toordinal()
            )
        return sum(
            self.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )

    def days_off_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Non-working dates in (start, end] with their reason (a short walk)."""
        out = []
        d = start + timedelta(days=1)
        while d <= end:
            why = self.why_not_working(d)
            if why is not None:
                out.append((d, why))
            d += timedelta(days=1)
        return out


@dataclass(frozen=True)
class DueResult:
    due_at: datetime  # aware, in the office's time zone
    explanation: dict  # JSON-serialisable; see compute_due
    # The instant the dossier counts as received (after the cut-off rule): what
    # Dossier.clock_started_at stores.
    clock_started_at: datetime | None = None


def _fmt_day(d: date) -> str:
    return f"{WEEKDAY_NAMES[d.weekday()]}, {d:%d/%m/%Y}"


def _fmt_value(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def effective_receipt(
    *,
    received_at: datetime,
    calendar: WorkCalendar,
    hours: OfficeHours,
    apply_cutoff: bool = True,
) -> tuple[date, int, str]:
    """(working day, working position in it, reason) at which the dossier counts as received.

    Reasons: "in_hours", "before_hours", "lunch_break", "after_cutoff", "after_hours",
    "day_off". Decree 61/2018 art. 18 for the cut-off; see the module docstring.
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    local = received_at.astimezone(hours.tz)
    d, t = local.date(), local.time().replace(tzinfo=None)
    if not calendar.is_working_day(d):
        return calendar.next_working_day(d), 0, "day_off"
    if apply_cutoff and hours.cutoff is not None and t > hours.cutoff:
        return calendar.next_working_day(d), 0, "after_cutoff"
    if t > hours.afternoon_end:
        return calendar.next_working_day(d), 0, "after_hours"
    if t < hours.morning_start:
        return d, 0, "before_hours"
    if hours.morning_end < t < hours.afternoon_start:
        return d, hours.morning_us, "lunch_break"
    return d, hours.worked_before(t), "in_hours"


RULE_TEXTS = {
    "working_hours_from_receipt": "Tính theo giờ làm việc, từ thời điểm tiếp nhận",
    "working_days_from_next_day": "Tính theo ngày làm việc, từ ngày tiếp theo ngày tiếp nhận",
    "calendar_days_next_working_day_if_off": (
        "Tính theo ngày (kể cả ngày nghỉ); ngày cuối là ngày nghỉ thì sang ngày làm việc tiếp theo"
    ),
    "months_next_working_day_if_off": (
        "Tính theo tháng; ngày cuối là ngày nghỉ thì sang ngày làm việc tiếp theo"
    ),
}

_START_LINES = {
    "in_hours": "Tiếp nhận trong giờ hành chính: tính từ thời điểm tiếp nhận.",
    "before_hours": "Tiếp nhận trước giờ làm việc: tính từ đầu giờ làm việc cùng ngày.",
    "lunch_break": "Tiếp nhận trong giờ nghỉ trưa: tính từ đầu giờ làm việc buổi chiều.",
    "after_cutoff": (
        "Tiếp nhận sau {cutoff}: tính từ ngày làm việc tiếp theo "
        "(Nghị định 61/2018/NĐ-CP, Điều 18)."
    ),
    "after_hours": "Tiếp nhận sau giờ làm việc: tính từ ngày làm việc tiếp theo.",
    "day_off": "Tiếp nhận vào ngày nghỉ ({why}): tính từ ngày làm việc tiếp theo.",
}


def _locate(calendar: WorkCalendar, hours: OfficeHours, day: date, total: int) -> datetime:
    """The instant `total` (> 0) working microseconds after the opening of working day `day`.

    A count ending exactly at a close stays at that close (left-continuous), so a whole
    number of days ends at 17:00 of the last day, not at 08:00 of the next.
    """
    k = max((total - 1) // hours.day_us, 0)  # ceil(total / day) - 1, in integers
    rem = total - k * hours.day_us
    last = calendar.nth_working_day_after(day, k)
    return datetime.combine(last, hours.clock_at(rem), tzinfo=hours.tz)


def _add_months(d: date, months: int) -> date:
    # Civil Code 2015 art. 148(3): the corresponding day of the last month, or its last day.
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _pycalendar.monthrange(year, month)[1]))


def compute_due(
    *,
    received_at: datetime,
    value: Decimal | int,
    unit: str,
    calendar: WorkCalendar,
    hours: OfficeHours,
    apply_cutoff: bool = True,
    explain: bool = True,
) -> DueResult:
    """The due time of a period of `value` `unit` for a dossier received at `received_at`.

    explanation keys: rule, rule_text (Vietnamese), unit, value, received_at, start
    (effective receipt instant), start_reason, cutoff, first_day (first day counted),
    nominal_last_day (calendar days and months), last_day, skipped (list of {date, reason}),
    skipped_weekend_days, skipped_other_days, made_up_days, due_at, law, lines (Vietnamese
    sentences for the official and the applicant). With explain=False (bulk recomputation,
    benchmarks) only rule, unit, value, start, start_reason and due_at are filled.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown time unit {unit!r}")
    value = Decimal(value)
    if value < 0:
        raise ValueError("a time limit cannot be negative")
    day, position, reason = effective_receipt(
        received_at=received_at, calendar=calendar, hours=hours, apply_cutoff=apply_cutoff
    )
    if reason == "in_hours":
        start = received_at.astimezone(hours.tz)
    else:
        start = datetime.combine(day, hours.clock_at(position), tzinfo=hours.tz)
    first_day = nominal = None
    if unit == "working_hours":
        rule = "working_hours_from_receipt"
        total = position + int((value * _US_PER_HOUR).to_integral_value(ROUND_CEILING))
        due_at = _locate(calendar, hours, day, total) if total > 0 else start
    elif unit == "working_days":
        rule = "working_days_from_next_day"
        if value == 0:
            due_at = datetime.combine(day, hours.afternoon_end, tzinfo=hours.tz)
        else:
            first_day = calendar.next_working_day(day)
            total = int((value * hours.day_us).to_integral_value(ROUND_CEILING))
            due_at = _locate(calendar, hours, first_day, total)
    else:
        whole = int(value.to_integral_value(ROUND_CEILING))
        if unit == "calendar_days":
            rule = "calendar_days_next_working_day_if_off"
            nominal = day + timedelta(days=whole)
        else:
            rule = "months_next_working_day_if_off"
            nominal = _add_months(day, whole)
        first_day = day + timedelta(days=1) if whole else day
        due_at = datetime.combine(
            calendar.working_day_on_or_after(nominal), hours.afternoon_end, tzinfo=hours.tz
        )
    explanation = {
        "rule": rule,
        "unit": unit,
        "value": str(value),
        "start": start.isoformat(),
        "start_reason": reason,
        "due_at": due_at.isoformat(),
    }
    if explain:
        explanation.update(
            _explain(
                received_at=received_at,
                value=value,
                unit=unit,
                calendar=calendar,
                hours=hours,
                apply_cutoff=apply_cutoff,
                rule=rule,
                day=day,
                reason=reason,
                start=start,
                first_day=first_day,
                nominal=nominal,
                due_at=due_at,
            )
        )
    return DueResult(due_at=due_at, explanation=explanation, clock_started_at=start)


def _explain(
    *,
    received_at: datetime,
    value: Decimal,
    unit: str,
    calendar: WorkCalendar,
    hours: OfficeHours,
    apply_cutoff: bool,
    rule: str,
    day: date,
    reason: str,
    start: datetime,
    first_day: date | None,
    nominal: date | None,
    due_at: datetime,
) -> dict:
    """The why of a due time: days skipped and their reasons, the rule, in Vietnamese."""
    local = received_at.astimezone(hours.tz)
    law = ["Bộ luật Dân sự 2015, Điều 147, 148"]
    if reason == "after_cutoff":
        law.append("Nghị định 61/2018/NĐ-CP, Điều 18")
    lines = [
        f"Tiếp nhận lúc {local:%H:%M} ngày {_fmt_day(local.date())}.",
        _START_LINES[reason].format(
            cutoff=f"{hours.cutoff:%H:%M}" if hours.cutoff else "",
            why=calendar.why_not_working(local.date()),
        ),
    ]
    due_day = due_at.date()
    if unit == "working_hours":
        lines.append(
            f"Thời hạn {_fmt_value(value)} giờ làm việc, tính từ {start:%H:%M} ngày "
            f"{start:%d/%m/%Y}, chỉ trong giờ làm việc buổi sáng "
            f"({hours.morning_start:%H:%M}–{hours.morning_end:%H:%M}) và buổi chiều "
            f"({hours.afternoon_start:%H:%M}–{hours.afternoon_end:%H:%M}) của ngày làm việc "
            "(Bộ luật Dân sự 2015, Điều 147 khoản 1)."
        )
    elif unit == "working_days" and first_day is None:
        lines.append("Thời hạn 0 ngày làm việc: trả kết quả trong ngày tiếp nhận.")
    elif unit == "working_days":
        lines.append(
            f"Thời hạn {_fmt_value(value)} ngày làm việc, bắt đầu từ ngày làm việc "
            f"tiếp theo ngày tiếp nhận ({_fmt_day(first_day)}), không tính thứ Bảy, "
            "Chủ nhật và ngày nghỉ lễ, Tết; có tính ngày làm bù "
            "(Bộ luật Dân sự 2015, Điều 147 khoản 2)."
        )
    else:
        whole = int(value.to_integral_value(ROUND_CEILING))
        what = f"{whole} ngày" if unit == "calendar_days" else f"{whole} tháng"
        lines.append(
            f"Thời hạn {what} (tính cả ngày nghỉ), bắt đầu từ ngày tiếp theo ngày tiếp nhận; "
            f"ngày cuối theo lịch là {_fmt_day(nominal)} (Bộ luật Dân sự 2015, Điều 147, 148)."
        )
        if due_day != nominal:
            moved = ", ".join(
                f"{d:%d/%m/%Y} ({why})" for d, why in _moved_days(calendar, nominal, due_day)
            )
            lines.append(
                f"Ngày cuối theo lịch rơi vào ngày nghỉ; không tính các ngày nghỉ {moved}. "
                f"Thời hạn kết thúc "
                f"vào ngày làm việc tiếp theo, {_fmt_day(due_day)} "
                "(Bộ luật Dân sự 2015, Điều 148 khoản 4)."
            )
        if whole != value:
            lines.append(f"Giá trị {_fmt_value(value)} được làm tròn lên {whole}.")

    if unit in ("working_days", "working_hours"):
        skipped = calendar.days_off_between(day, due_day)
    else:
        # Calendar days and months count every day off inside the period (Civil Code 2015
        # art. 147-148): only a final day that is a day off, with the days off right after
        # it, is not counted and moves the due date to the next working day (art. 148(4)).
        skipped = _moved_days(calendar, nominal, due_day)
    weekend = sum(1 for d, _ in skipped if d.weekday() >= 5 and d not in calendar.days_off)
    listed = (
        skipped
        if len(skipped) <= _MAX_LISTED_SKIPS
        else [(d, why) for d, why in skipped if d in calendar.days_off]
    )
    made_up = sorted(d for d in calendar.working_days if day < d <= due_day and d.weekday() >= 5)
    if unit in ("working_days", "working_hours"):
        if skipped:
            named = [f"{d:%d/%m/%Y} ({why})" for d, why in skipped if d in calendar.days_off]
            text = f"Không tính {weekend} ngày nghỉ cuối tuần"
            if named:
                text += f" và {len(named)} ngày nghỉ lễ, Tết, nghỉ bù: " + "; ".join(named)
            lines.append(text + ".")
        if made_up:
            lines.append(
                "Có tính ngày làm bù: "
                + "; ".join(f"{d:%d/%m/%Y} ({calendar.working_days[d]})" for d in made_up)
                + "."
            )
    lines.append(f"Hạn trả kết quả: {due_at:%H:%M} ngày {_fmt_day(due_day)}.")
    return {
        "rule_text": RULE_TEXTS[rule],
        "received_at": received_at.isoformat(),
        "cutoff": hours.cutoff.isoformat() if (apply_cutoff and hours.cutoff) else None,
        "first_day": first_day.isoformat() if first_day else None,
        "nominal_last_day": nominal.isoformat() if nominal else None,
        "last_day": due_day.isoformat(),
        "skipped": [{"date": d.isoformat(), "reason": why} for d, why in listed],
        "skipped_weekend_days": weekend,
        "skipped_other_days": len(skipped) - weekend,
        "made_up_days": [d.isoformat() for d in made_up],
        "law": law,
        "lines": lines,
    }


def _moved_days(calendar: WorkCalendar, nominal: date, due_day: date) -> list[tuple[date, str]]:
    """The days off from a calendar period's nominal last day up to (not incl.) its due day."""
    return [
        (d, calendar.why_not_working(d) or "")
        for d in (nominal + timedelta(days=n) for n in range((due_day - nominal).days))
        if not calendar.is_working_day(d)
    ]


def working_days_after(calendar: WorkCalendar, start: date, end: date) -> int:
    """Working days strictly after `start` up to and including `end` (0 if end ≤ start).

    For "the supplement must be requested within 3 working days of receipt" (Decree 61/2018
    art. 19(4)); like every period in days it starts the day after receipt (Civil Code
    art. 147(2)).
    """
    return calendar.count_working_days(start, end)


def _position(calendar: WorkCalendar, hours: OfficeHours, origin: date, at: datetime) -> int:
    """Working microseconds from the end of `origin` (a date before `at`) to `at`."""
    local = at.astimezone(hours.tz)
    d = local.date()
    n = calendar.count_working_days(origin, d)
    if not calendar.is_working_day(d):
        return n * hours.day_us
    return (n - 1) * hours.day_us + hours.worked_before(local.time().replace(tzinfo=None))


def working_hours_between(
    calendar: WorkCalendar, hours: OfficeHours, start: datetime, end: datetime
) -> Decimal:
    """Working time elapsed from `start` to `end`, in hours (0 if end ≤ start).

    Counted inside office sessions of working days only. For the pause rule: used =
    working_hours_between(clock start, paused_at); on resume compute_due(value=limit − used,
    unit="working_hours"). Exact to the microsecond (quantised to 1e-9 hour).
    """
    if end <= start:
        return Decimal(0)
    origin = start.astimezone(hours.tz).date() - timedelta(days=1)
    us = _position(calendar, hours, origin, end) - _position(calendar, hours, origin, start)
    return (Decimal(us) / _US_PER_HOUR).quantize(Decimal("1e-9"))
