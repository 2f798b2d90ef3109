"""The pure deadline engine (dossiers.calendar) against DOMAIN §5-6 and the 2020–2026 table."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dossiers.calendar import (
    HANOI,
    OfficeHours,
    WorkCalendar,
    compute_due,
    working_days_after,
    working_hours_between,
)
from dossiers.calendar_store import library_days

# DOMAIN.md §6: weekday days off and make-up Saturdays of the public sector, 2020–2026.
DAYS_OFF_TABLE = {
    2020: "01/01 23/01 24/01 27/01 28/01 29/01 02/04 30/04 01/05 02/09",
    2021: "01/01 10/02 11/02 12/02 15/02 16/02 21/04 30/04 03/05 02/09 03/09",
    2022: "03/01 31/01 01/02 02/02 03/02 04/02 11/04 02/05 03/05 01/09 02/09",
    2023: "02/01 20/01 23/01 24/01 25/01 26/01 01/05 02/05 03/05 01/09 04/09",
    2024: "01/01 08/02 09/02 12/02 13/02 14/02 18/04 29/04 30/04 01/05 02/09 03/09",
    2025: "01/01 27/01 28/01 29/01 30/01 31/01 07/04 30/04 01/05 02/05 01/09 02/09",
    # [unconfirmed] in DOMAIN.md; the holidays package gives the same days.
    2026: "01/01 16/02 17/02 18/02 19/02 20/02 27/04 30/04 01/05 31/08 01/09 02/09 24/11",
}
MAKE_UP_SATURDAYS = {2024: "04/05", 2025: "26/04", 2026: "22/08"}


def _dates(year: int, text: str) -> list[date]:
    return [date(year, int(dm.split("/")[1]), int(dm.split("/")[0])) for dm in text.split() if dm]


TABLE_DAYS_OFF = [d for y, text in DAYS_OFF_TABLE.items() for d in _dates(y, text)]
TABLE_MAKE_UP = [d for y, text in MAKE_UP_SATURDAYS.items() for d in _dates(y, text)]


def _library_calendar() -> WorkCalendar:
    days_off, working = library_days(2020, 2030)
    return WorkCalendar(days_off, working)


CAL = _library_calendar()
HOURS = OfficeHours()


def at(d: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm, ss), tzinfo=HANOI)


def due(received: datetime, value, unit: str, **kw) -> datetime:
    return compute_due(
        received_at=received, value=value, unit=unit, calendar=CAL, hours=HOURS, **kw
    ).due_at


def previous_working_day(d: date) -> date:
    d -= timedelta(days=1)
    while not CAL.is_working_day(d):
        d -= timedelta(days=1)
    return d


# -- the calendar itself -----------------------------------------------------------------


def test_the_library_gives_exactly_the_domain_table_for_2020_to_2026():
    days_off, working = library_days(2020, 2030)
    assert sorted(d for d in days_off if d.year <= 2026) == sorted(TABLE_DAYS_OFF)
    assert sorted(d for d in working if d.year <= 2026) == sorted(TABLE_MAKE_UP)


@pytest.mark.parametrize("day", TABLE_DAYS_OFF, ids=str)
def test_a_weekday_day_off_is_never_a_working_day(day):
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)
    assert CAL.why_not_working(day)


@pytest.mark.parametrize("day", TABLE_MAKE_UP, ids=str)
def test_a_make_up_saturday_is_a_working_day(day):
    assert day.weekday() == 5
    assert CAL.is_working_day(day)
    assert CAL.why_not_working(day) is None


@pytest.mark.parametrize("day", TABLE_DAYS_OFF, ids=str)
def test_a_one_working_day_period_crossing_a_day_off_is_pushed_past_it(day):
    # Received the working day before the day off: the 1-day period ends on the first
    # working day after the run of days off, never on it.
    received = at(previous_working_day(day), 10)
    result = due(received, 1, "working_days")
    assert result.date() > day
    assert result.date() == CAL.next_working_day(received.date())
    assert CAL.is_working_day(result.date())
    assert result.timetz() == time(17, 0, tzinfo=HANOI)


@pytest.mark.parametrize("day", TABLE_DAYS_OFF, ids=str)
def test_a_day_off_inside_a_period_adds_one_day_to_it(day):
    received = at(previous_working_day(day), 10)
    plain_days = {received.date() + timedelta(days=i) for i in range(1, 40)}
    # Count the working days in the window the 5-day period spans by hand.
    result = due(received, 5, "working_days").date()
    counted = [d for d in sorted(plain_days) if d <= result and CAL.is_working_day(d)]
    assert len(counted) == 5
    assert day not in counted


@pytest.mark.parametrize("day", TABLE_MAKE_UP, ids=str)
def test_a_period_crossing_a_make_up_saturday_counts_it(day):
    friday = day - timedelta(days=1)
    received = at(previous_working_day(friday), 10)  # Thursday, or earlier around holidays
    result = due(received, 2, "working_days")
    # Day 1 is the Friday (or the first working day after), day 2 the make-up Saturday.
    assert result == at(day, 17)


def test_a_saturday_that_is_not_made_up_is_skipped_with_its_reason():
    result = compute_due(
        received_at=at(date(2024, 5, 9), 10),  # Thursday
        value=2,
        unit="working_days",
        calendar=CAL,
        hours=HOURS,
    )
    assert result.due_at == at(date(2024, 5, 13), 17)  # Fri, (Sat, Sun), Mon
    assert {"date": "2024-05-11", "reason": "Thứ Bảy"} in result.explanation["skipped"]
    assert {"date": "2024-05-12", "reason": "Chủ nhật"} in result.explanation["skipped"]


def test_tet_2025_is_skipped_and_named_in_the_explanation():
    result = compute_due(
        received_at=at(date(2025, 1, 24), 9), value=3, unit="working_days", calendar=CAL,
        hours=HOURS,
    )  # fmt: skip
    # Fri 24/01: Mon 27 – Fri 31 off, so days 1–3 are Mon 3, Tue 4, Wed 5 Feb.
    assert result.due_at == at(date(2025, 2, 5), 17)
    reasons = {s["date"]: s["reason"] for s in result.explanation["skipped"]}
    assert reasons["2025-01-29"] == "Tết Nguyên Đán"
    assert result.explanation["skipped_other_days"] == 5
    assert any("Tết" in line for line in result.explanation["lines"])
    assert result.explanation["rule_text"].startswith("Tính theo ngày làm việc")
    json.dumps(result.explanation)  # storable as is


# -- the cut-off and office hours ---------------------------------------------------------

TUESDAY = date(2024, 3, 12)


@pytest.mark.parametrize(
    ("received", "expected_due", "reason"),
    [
        (at(TUESDAY, 14, 59), at(date(2024, 3, 13), 17), "in_hours"),
        (at(TUESDAY, 15, 0), at(date(2024, 3, 13), 17), "in_hours"),  # "after 15:00"
        (at(TUESDAY, 15, 0, 1), at(date(2024, 3, 14), 17), "after_cutoff"),
        (at(TUESDAY, 16, 30), at(date(2024, 3, 14), 17), "after_cutoff"),
        (at(TUESDAY, 20, 0), at(date(2024, 3, 14), 17), "after_cutoff"),
        (at(TUESDAY, 6, 45), at(date(2024, 3, 13), 17), "before_hours"),
        (at(TUESDAY, 12, 30), at(date(2024, 3, 13), 17), "lunch_break"),
        (at(date(2024, 3, 16), 10), at(date(2024, 3, 19), 17), "day_off"),  # Saturday
        (at(date(2024, 4, 18), 9), at(date(2024, 4, 22), 17), "day_off"),  # Hùng Kings
    ],
)
def test_the_cutoff_and_days_off_move_the_start_to_the_next_working_day(
    received, expected_due, reason
):
    result = compute_due(
        received_at=received, value=1, unit="working_days", calendar=CAL, hours=HOURS
    )
    assert result.due_at == expected_due
    assert result.explanation["start_reason"] == reason


def test_after_the_cutoff_the_clock_starts_at_the_next_opening():
    result = compute_due(
        received_at=at(TUESDAY, 16), value=4, unit="working_hours", calendar=CAL, hours=HOURS
    )
    assert result.clock_started_at == at(date(2024, 3, 13), 8)
    assert result.due_at == at(date(2024, 3, 13), 12)


def test_without_the_cutoff_a_late_afternoon_dossier_counts_from_that_day():
    assert due(at(TUESDAY, 16), 1, "working_days", apply_cutoff=False) == at(date(2024, 3, 13), 17)
    assert due(at(TUESDAY, 16), 2, "working_hours", apply_cutoff=False) == at(date(2024, 3, 13), 9)


def test_an_agency_without_cutoff_counts_until_closing_time():
    no_cutoff = OfficeHours(cutoff=None)
    result = compute_due(
        received_at=at(TUESDAY, 16, 30), value=1, unit="working_days", calendar=CAL,
        hours=no_cutoff,
    )  # fmt: skip
    assert result.due_at == at(date(2024, 3, 13), 17)
    after_closing = compute_due(
        received_at=at(TUESDAY, 17, 30), value=1, unit="working_days", calendar=CAL,
        hours=no_cutoff,
    )  # fmt: skip
    assert after_closing.explanation["start_reason"] == "after_hours"
    assert after_closing.due_at == at(date(2024, 3, 14), 17)


def test_an_aware_datetime_in_utc_is_read_in_hanoi_time():
    # 08:30 UTC is 15:30 in Hanoi: after the cut-off.
    from datetime import UTC

    received = datetime(2024, 3, 12, 8, 30, tzinfo=UTC)
    assert due(received, 1, "working_days") == at(date(2024, 3, 14), 17)


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        due(datetime(2024, 3, 12, 10), 1, "working_days")


# -- working hours ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "value", "expected"),
    [
        (at(TUESDAY, 10), 1, at(TUESDAY, 11)),
        (at(TUESDAY, 10), 2, at(TUESDAY, 12)),  # ends at the morning close
        (at(TUESDAY, 10), 3, at(TUESDAY, 14)),  # skips the lunch break
        (at(TUESDAY, 14), 3, at(TUESDAY, 17)),  # ends at the day's close
        (at(TUESDAY, 14), 4, at(date(2024, 3, 13), 9)),
        (at(TUESDAY, 8), 8, at(TUESDAY, 17)),
        (at(date(2024, 3, 15), 14), 8, at(date(2024, 3, 18), 14)),  # over a weekend
        (at(TUESDAY, 10), Decimal("0.5"), at(TUESDAY, 10, 30)),
        (at(TUESDAY, 10), 0, at(TUESDAY, 10)),
    ],
)
def test_working_hours_run_only_inside_office_sessions(received, value, expected):
    assert due(received, value, "working_hours") == expected


def test_working_hours_over_tet_skip_the_whole_holiday():
    # Wed 07/02/2024 15:00, 16 h: 2 h left that day; 8–14/02 off (with the weekend);
    # Thu 15/02 8 h; Fri 16/02 6 h (4 h morning, 2 h afternoon) → 15:00.
    assert due(at(date(2024, 2, 7), 15), 16, "working_hours") == at(date(2024, 2, 16), 15)


def test_working_hours_follow_the_agencys_sessions():
    hours = OfficeHours(
        morning_start=time(7, 30), morning_end=time(11, 30), afternoon_start=time(13, 30),
        afternoon_end=time(17, 0), cutoff=time(16, 0),
    )  # fmt: skip
    assert hours.hours_per_day == Decimal("7.5")
    result = compute_due(
        received_at=at(TUESDAY, 15, 30), value=3, unit="working_hours", calendar=CAL,
        hours=hours,
    )  # fmt: skip
    # 1.5 h that day, 1.5 h from 07:30 the next day.
    assert result.due_at == at(date(2024, 3, 13), 9)


# -- the two conventions ------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 10, 15, 20, 30])
@pytest.mark.parametrize("hhmm", [(8, 1), (9, 0), (11, 59), (12, 0), (12, 30), (13, 0), (15, 0)])
def test_days_and_eight_hour_days_give_the_same_due_date(n, hhmm):
    received = at(date(2024, 1, 31), *hhmm)  # a week before Tết 2024
    by_days = due(received, n, "working_days")
    by_hours = due(received, n * 8, "working_hours")
    assert by_days.date() == by_hours.date()
    assert by_days.time() == time(17, 0)


def test_at_the_exact_opening_instant_hours_end_one_date_earlier():
    # The documented boundary: received at 08:00:00 sharp, 8 working hours fill that day.
    received = at(TUESDAY, 8)
    assert due(received, 8, "working_hours") == at(TUESDAY, 17)
    assert due(received, 1, "working_days") == at(date(2024, 3, 13), 17)


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(date(2020, 1, 1), date(2030, 12, 20)),
    seconds=st.integers(1, 7 * 3600),  # strictly after 08:00, up to 15:00
    n=st.integers(0, 60),
)
def test_property_both_conventions_agree_for_receipt_in_hours_before_the_cutoff(day, seconds, n):
    assume(CAL.is_working_day(day))
    received = at(day, 8) + timedelta(seconds=seconds)
    assume(not (time(12) < received.time() < time(13)))  # lunch break is not office hours
    by_days = due(received, n, "working_days")
    by_hours = due(received, n * 8, "working_hours")
    assert by_days.date() == by_hours.date()


def test_a_fractional_number_of_days_counts_in_half_days():
    # 1.5 days from Tuesday: Wednesday whole, Thursday morning.
    assert due(at(TUESDAY, 10), Decimal("1.5"), "working_days") == at(date(2024, 3, 14), 12)
    assert due(at(TUESDAY, 10), 0, "working_days") == at(TUESDAY, 17)


# -- calendar days and months -------------------------------------------------------------


def test_calendar_days_count_weekends_and_holidays():
    # Mon 22/04/2024 + 10 days = Thu 02/05 (30/04 and 01/05 are counted).
    assert due(at(date(2024, 4, 22), 10), 10, "calendar_days") == at(date(2024, 5, 2), 17)


def test_calendar_days_ending_on_a_day_off_end_on_the_next_working_day():
    # Fri 19/04/2024 + 10 days = Mon 29/04 (day off), then 30/04, 01/05 off → Thu 02/05.
    result = compute_due(
        received_at=at(date(2024, 4, 19), 10), value=10, unit="calendar_days", calendar=CAL,
        hours=HOURS,
    )  # fmt: skip
    assert result.due_at == at(date(2024, 5, 2), 17)
    assert any("Điều 148" in line for line in result.explanation["lines"])


@pytest.mark.parametrize(
    ("received", "value", "unit", "due_day", "listed"),
    [
        # Working units: every day off inside the period is not counted, and listed.
        (date(2026, 10, 16), 5, "working_days", date(2026, 10, 23), ["2026-10-17", "2026-10-18"]),
        (date(2026, 10, 16), 16, "working_hours", date(2026, 10, 20), ["2026-10-17", "2026-10-18"]),
        # Calendar days: the weekends 17, 18, 24, 25/10 count; nothing moved the due date.
        (date(2026, 10, 12), 15, "calendar_days", date(2026, 10, 27), []),
        # ... unless the last day is a day off: only it and the Sunday after are listed.
        (date(2026, 10, 12), 19, "calendar_days", date(2026, 11, 2), ["2026-10-31", "2026-11-01"]),
        # Months: Sat 31/01/2026 moves to Mon 02/02; New Year's Day inside is counted.
        (date(2025, 12, 31), 1, "months", date(2026, 2, 2), ["2026-01-31", "2026-02-01"]),
    ],
)
def test_the_explanation_lists_only_the_days_that_were_not_counted(
    received, value, unit, due_day, listed
):
    result = compute_due(
        received_at=at(received, 10), value=value, unit=unit, calendar=CAL, hours=HOURS
    )
    assert result.due_at.date() == due_day
    assert [s["date"] for s in result.explanation["skipped"]] == listed
    text = " ".join(result.explanation["lines"])
    if unit in ("calendar_days", "months"):
        assert "cuối tuần" not in text
        assert ("Điều 148 khoản 4" in text) == bool(listed)
        assert result.explanation["skipped_weekend_days"] == len(listed)
    else:
        assert "Không tính 2 ngày nghỉ cuối tuần" in text


def test_calendar_days_ending_on_a_sunday_end_on_monday():
    # Wed 06/03/2024 + 4 = Sun 10/03 → Mon 11/03.
    assert due(at(date(2024, 3, 6), 10), 4, "calendar_days") == at(date(2024, 3, 11), 17)


def test_calendar_days_ending_on_a_make_up_saturday_end_that_saturday():
    # Sat 26/04/2025 is a make-up working day: Wed 16/04 + 10 ends there.
    assert due(at(date(2025, 4, 16), 10), 10, "calendar_days") == at(date(2025, 4, 26), 17)


@pytest.mark.parametrize(
    ("received", "months", "expected"),
    [
        (date(2024, 3, 12), 1, date(2024, 4, 12)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # no 31 Feb: the month's last day
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 4), 1, date(2024, 4, 4)),
        (date(2024, 3, 29), 1, date(2024, 5, 2)),  # 29/04 off → 30/04, 01/05 off → 02/05
        (date(2024, 7, 3), 2, date(2024, 9, 4)),  # 03/09 Quốc khánh → Wed 04/09
        (date(2024, 11, 15), 3, date(2025, 2, 17)),  # 15/02/2025 is a Saturday
    ],
)
def test_months_end_on_the_corresponding_day_or_the_next_working_day(received, months, expected):
    assert due(at(received, 10), months, "months") == at(expected, 17)


def test_an_unknown_unit_or_a_negative_value_is_refused():
    with pytest.raises(ValueError):
        due(at(TUESDAY, 10), 1, "weeks")
    with pytest.raises(ValueError):
        due(at(TUESDAY, 10), -1, "working_days")


# -- counting helpers ---------------------------------------------------------------------


def test_working_days_after_counts_from_the_next_day():
    # Supplement within 3 working days of receipt on Fri 26/04/2024.
    received = date(2024, 4, 26)
    assert working_days_after(CAL, received, received) == 0
    assert working_days_after(CAL, received, date(2024, 5, 2)) == 1
    assert working_days_after(CAL, received, date(2024, 5, 4)) == 3  # make-up Saturday
    assert working_days_after(CAL, received, date(2024, 4, 20)) == 0


def test_working_days_after_outside_the_indexed_years_still_counts():
    assert working_days_after(CAL, date(2099, 1, 2), date(2099, 1, 9)) == 5


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(TUESDAY, 10), at(TUESDAY, 11, 30), "1.5"),
        (at(TUESDAY, 10), at(TUESDAY, 14), "3"),  # lunch not counted
        (at(TUESDAY, 16), at(date(2024, 3, 13), 9), "2"),
        (at(TUESDAY, 18), at(date(2024, 3, 13), 7), "0"),  # all outside office hours
        (at(date(2024, 3, 15), 16), at(date(2024, 3, 18), 9), "2"),  # over a weekend
        (at(date(2024, 4, 26), 8), at(date(2024, 5, 4), 12), "28"),  # 8+8+8+4: make-up Sat
        (at(TUESDAY, 11), at(TUESDAY, 10), "0"),
    ],
)
def test_working_hours_between_counts_only_office_time(start, end, hours):
    assert working_hours_between(CAL, HOURS, start, end) == Decimal(hours)


def test_pausing_and_resuming_by_working_hours_is_consistent():
    # Limit 3 working days from Tue 12/03 10:00 (due Fri 15/03 17:00).
    received = at(TUESDAY, 10)
    first = compute_due(
        received_at=received, value=3, unit="working_days", calendar=CAL, hours=HOURS
    )
    clock = at(date(2024, 3, 13), 8)  # the period's first day
    used = working_hours_between(CAL, HOURS, clock, at(date(2024, 3, 13), 14))
    assert used == Decimal(5)
    # Without a pause, resuming at the pause instant gives back the original due time.
    again = compute_due(
        received_at=at(date(2024, 3, 13), 14), value=24 - used, unit="working_hours",
        calendar=CAL, hours=HOURS, apply_cutoff=False,
    )  # fmt: skip
    assert again.due_at == first.due_at


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 6, 1)),
    span=st.integers(0, 30 * 24 * 3600),
    split=st.floats(0, 1),
)
def test_property_working_hours_between_is_additive(start, span, split):
    a = start.replace(tzinfo=HANOI)
    c = a + timedelta(seconds=span)
    b = a + timedelta(seconds=int(span * split))
    whole = working_hours_between(CAL, HOURS, a, c)
    parts = working_hours_between(CAL, HOURS, a, b) + working_hours_between(CAL, HOURS, b, c)
    assert abs(whole - parts) < Decimal("1e-6")


def test_a_calendar_cannot_mark_a_date_both_off_and_working():
    with pytest.raises(ValueError):
        WorkCalendar({date(2024, 5, 4): "x"}, {date(2024, 5, 4): "y"})


# -- properties ---------------------------------------------------------------------------

received_strategy = st.datetimes(
    datetime(2020, 1, 1), datetime(2030, 10, 1), timezones=st.just(HANOI)
)
unit_strategy = st.sampled_from(["working_days", "calendar_days", "working_hours", "months"])
value_strategy = st.decimals(0, 120, places=1)


@settings(max_examples=400, deadline=None)
@given(received=received_strategy, unit=unit_strategy, value=value_strategy, cut=st.booleans())
def test_property_a_due_time_never_falls_on_a_day_off(received, unit, value, cut):
    if unit == "months":
        value = value % 24
    result = due(received, value, unit, apply_cutoff=cut)
    assert CAL.is_working_day(result.date())
    assert result >= received
    if unit in ("working_days", "working_hours"):
        assert HOURS.contains(result.time())
    else:
        assert result.time() == time(17, 0)


@settings(max_examples=400, deadline=None)
@given(
    received=received_strategy,
    unit=unit_strategy,
    a=value_strategy,
    b=value_strategy,
    cut=st.booleans(),
)
def test_property_a_longer_limit_never_gives_an_earlier_due_time(received, unit, a, b, cut):
    if unit == "months":
        a, b = a % 24, b % 24
    short, long = sorted([a, b])
    assert due(received, short, unit, apply_cutoff=cut) <= due(
        received, long, unit, apply_cutoff=cut
    )


@settings(max_examples=200, deadline=None)
@given(received=received_strategy, n=st.integers(1, 40))
def test_property_n_working_days_span_exactly_n_working_days(received, n):
    result = compute_due(
        received_at=received, value=n, unit="working_days", calendar=CAL, hours=HOURS
    )
    start_day = datetime.fromisoformat(result.explanation["start"]).date()
    assert working_days_after(CAL, start_day, result.due_at.date()) == n


@settings(max_examples=200, deadline=None)
@given(received=received_strategy, value=st.decimals(0, 200, places=2))
def test_property_working_hours_until_the_due_time_equal_the_limit(received, value):
    result = compute_due(
        received_at=received, value=value, unit="working_hours", calendar=CAL, hours=HOURS
    )
    used = working_hours_between(CAL, HOURS, result.clock_started_at, result.due_at)
    assert abs(used - value) < Decimal("1e-6")


@settings(max_examples=200, deadline=None)
@given(received=received_strategy, unit=unit_strategy, value=st.decimals(0, 60, places=1))
def test_property_the_fast_path_without_explanation_gives_the_same_due_time(received, unit, value):
    full = compute_due(received_at=received, value=value, unit=unit, calendar=CAL, hours=HOURS)
    fast = compute_due(
        received_at=received, value=value, unit=unit, calendar=CAL, hours=HOURS, explain=False
    )
    assert fast.due_at == full.due_at
    assert fast.clock_started_at == full.clock_started_at
    assert "lines" in full.explanation and "lines" not in fast.explanation
