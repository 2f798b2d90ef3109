"""The ORM-backed calendar: library days, administrator overrides, cache, admin pages."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from dossiers.calendar import HANOI, compute_due
from dossiers.calendar_store import (
    OVERRIDES_KEY,
    calendar_day_delete,
    calendar_day_set,
    default_office_hours,
    get_calendar,
    office_hours_for,
)
from dossiers.models import CalendarDay
from procedures.models import Agency
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

CULTURE_DAY = date(2026, 11, 24)  # Tuesday; Ngày Văn hóa Việt Nam in the library
PLAIN_FRIDAY = date(2026, 12, 4)


def due_from(received: datetime, value: int = 1, unit: str = "working_days") -> datetime:
    return compute_due(
        received_at=received,
        value=value,
        unit=unit,
        calendar=get_calendar(),
        hours=default_office_hours(),
    ).due_at


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=HANOI)


def test_the_calendar_starts_from_the_library(admin_user):
    calendar = get_calendar()
    assert not calendar.is_working_day(CULTURE_DAY)
    assert calendar.why_not_working(CULTURE_DAY) == "Ngày Văn hóa Việt Nam"
    assert calendar.is_working_day(date(2026, 8, 22))  # make-up Saturday
    assert "31/08/2026" in calendar.working_days[date(2026, 8, 22)]


def test_an_added_day_off_moves_the_due_date(admin_user):
    before = due_from(at(date(2026, 12, 3), 10))
    assert before == at(PLAIN_FRIDAY, 17)
    calendar_day_set(
        actor=admin_user,
        date=PLAIN_FRIDAY,
        kind=CalendarDay.Kind.DAY_OFF,
        name="Nghỉ đột xuất",
        decision="Quyết định 99/QĐ-UBND",
    )
    assert not get_calendar().is_working_day(PLAIN_FRIDAY)
    assert get_calendar().why_not_working(PLAIN_FRIDAY) == "Nghỉ đột xuất"
    assert due_from(at(date(2026, 12, 3), 10)) == at(date(2026, 12, 7), 17)


def test_a_library_holiday_can_be_made_a_working_day_and_restored(admin_user):
    received = at(date(2026, 11, 23), 10)  # Monday before the Culture Day
    assert due_from(received) == at(date(2026, 11, 25), 17)
    calendar_day_set(
        actor=admin_user,
        date=CULTURE_DAY,
        kind=CalendarDay.Kind.WORKING_DAY,
        name="Không nghỉ",
        decision="Công văn 1/VPCP",
    )
    assert get_calendar().is_working_day(CULTURE_DAY)
    assert due_from(received) == at(CULTURE_DAY, 17)
    assert calendar_day_delete(actor=admin_user, date=CULTURE_DAY)
    assert not get_calendar().is_working_day(CULTURE_DAY)
    assert due_from(received) == at(date(2026, 11, 25), 17)


def test_a_make_up_saturday_added_by_the_admin_is_counted(admin_user):
    saturday = date(2026, 12, 5)
    calendar_day_set(
        actor=admin_user,
        date=saturday,
        kind=CalendarDay.Kind.WORKING_DAY,
        name="Làm bù",
        decision="QĐ 2/2026",
    )
    assert due_from(at(PLAIN_FRIDAY, 10)) == at(saturday, 17)


def test_setting_a_date_again_replaces_its_override(admin_user):
    for kind in (CalendarDay.Kind.DAY_OFF, CalendarDay.Kind.WORKING_DAY):
        calendar_day_set(actor=admin_user, date=PLAIN_FRIDAY, kind=kind, name="", decision="QĐ")
    assert CalendarDay.objects.get().kind == CalendarDay.Kind.WORKING_DAY
    assert get_calendar().is_working_day(PLAIN_FRIDAY)


def test_an_override_needs_the_decision_that_set_it(admin_user):
    with pytest.raises(ValidationError):
        calendar_day_set(
            actor=admin_user, date=PLAIN_FRIDAY, kind="day_off", name="x", decision="  "
        )
    with pytest.raises(ValidationError):
        calendar_day_set(actor=admin_user, date=PLAIN_FRIDAY, kind="holiday", name="", decision="Q")
    assert not CalendarDay.objects.exists()


def test_an_edit_made_outside_the_services_is_seen_too():
    get_calendar()
    day = CalendarDay.objects.create(date=PLAIN_FRIDAY, kind=CalendarDay.Kind.DAY_OFF, decision="x")
    assert not get_calendar().is_working_day(PLAIN_FRIDAY)
    day.kind = CalendarDay.Kind.WORKING_DAY
    day.save()
    assert get_calendar().is_working_day(PLAIN_FRIDAY)
    day.kind = CalendarDay.Kind.DAY_OFF
    day.save()
    assert not get_calendar().is_working_day(PLAIN_FRIDAY)
    day.delete()
    assert get_calendar().is_working_day(PLAIN_FRIDAY)  # a plain Friday again


def test_a_bulk_update_that_sends_no_signal_is_seen_once_the_cache_entry_expires():
    day = CalendarDay.objects.create(date=PLAIN_FRIDAY, kind=CalendarDay.Kind.DAY_OFF, decision="x")
    assert not get_calendar().is_working_day(PLAIN_FRIDAY)
    CalendarDay.objects.filter(pk=day.pk).update(kind=CalendarDay.Kind.WORKING_DAY)
    cache.delete(OVERRIDES_KEY)  # what OVERRIDES_TTL does at the latest
    assert get_calendar().is_working_day(PLAIN_FRIDAY)


def test_an_unchanged_calendar_is_reused_without_a_query(django_assert_num_queries):
    first = get_calendar()
    with django_assert_num_queries(0):
        assert get_calendar() is first


# -- office hours -------------------------------------------------------------------------


def test_office_hours_come_from_the_agency_with_the_system_cutoff_by_default(settings):
    settings.RECEIPT_CUTOFF = time(15, 30)
    agency = AgencyFactory(morning_start=time(7, 30), afternoon_end=time(16, 30))
    agency.refresh_from_db()
    hours = office_hours_for(agency)
    assert hours.morning_start == time(7, 30)
    assert hours.afternoon_end == time(16, 30)
    assert hours.cutoff == time(15, 30)
    assert str(hours.tz) == "Asia/Ho_Chi_Minh"


def test_an_agency_cutoff_wins_over_the_system_one():
    agency = AgencyFactory(receipt_cutoff=time(16, 0))
    assert office_hours_for(agency).cutoff == time(16, 0)


def test_an_unsaved_agency_with_default_strings_still_gives_office_hours():
    hours = office_hours_for(Agency(name="x"))
    assert hours.morning_start == time(8, 0)
    assert hours.hours_per_day == 8


# -- admin --------------------------------------------------------------------------------


def test_the_admin_lists_filters_and_searches_overrides(admin_client, admin_user):
    calendar_day_set(
        actor=admin_user, date=PLAIN_FRIDAY, kind="day_off", name="Nghỉ A", decision="QĐ 11"
    )
    calendar_day_set(
        actor=admin_user, date=date(2025, 5, 3), kind="working_day", name="Bù B", decision="QĐ 22"
    )
    url = reverse("admin:dossiers_calendarday_changelist")
    page = admin_client.get(url).content.decode()
    assert "Nghỉ A" in page and "Bù B" in page
    only_2025 = admin_client.get(url, {"year": "2025"}).content.decode()
    assert "Bù B" in only_2025 and "Nghỉ A" not in only_2025
    off = admin_client.get(url, {"kind__exact": "day_off"}).content.decode()
    assert "Nghỉ A" in off and "Bù B" not in off
    found = admin_client.get(url, {"q": "QĐ 22"}).content.decode()
    assert "Bù B" in found and "Nghỉ A" not in found


def test_adding_and_deleting_in_the_admin_changes_the_calendar(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_add"),
        {"date": "04/12/2026", "kind": "day_off", "name": "Nghỉ", "decision": "QĐ 5"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarDay.objects.get(date=PLAIN_FRIDAY)
    assert day.created_by == admin_user
    assert not get_calendar().is_working_day(PLAIN_FRIDAY)
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_delete", args=[day.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert get_calendar().is_working_day(PLAIN_FRIDAY)


def test_the_admin_refuses_an_override_without_a_decision(admin_client):
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_add"),
        {"date": "04/12/2026", "kind": "day_off", "name": "Nghỉ", "decision": ""},
    )
    assert response.status_code == 200
    assert "văn bản quyết định" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_the_effective_calendar_page_shows_library_days_and_overrides(admin_client, admin_user):
    calendar_day_set(
        actor=admin_user, date=CULTURE_DAY, kind="working_day", name="Đi làm", decision="CV 7"
    )
    url = reverse("admin:dossiers_calendarday_effective")
    page = admin_client.get(url, {"year": "2026"}).content.decode()
    assert "Mùng hai Tết Nguyên Đán" in page
    assert "24/11/2026" in page and "CV 7" in page
    assert "22/08/2026" in page  # the library's make-up Saturday
    assert admin_client.get(url, {"year": "abc"}).status_code == 200


def test_the_effective_calendar_page_is_for_staff_only(client):
    response = client.get(reverse("admin:dossiers_calendarday_effective"))
    assert response.status_code == 302
