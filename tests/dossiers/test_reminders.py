"""The officials' morning digest (issue 13): each working morning, never on a day off, to
each specialist and leader, of the overdue dossiers and those due within one working day
in their scope; by e-mail and as a banner on the worklist; once a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from dossiers.calendar_store import calendar_day_set
from dossiers.models import CalendarDay, ReminderDigest
from dossiers.notifications.reminders import reminders_run
from dossiers.notifications.tasks import sweep_notifications
from tests.auth import login
from tests.dossiers.factories import DossierFactory

from .lifecycle_fixtures import hanoi
from .notify_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db

# Friday 5 March 2021, 07:30: the next working day is Monday 8 March.
FRIDAY = hanoi(2021, 3, 5, 7, 30)


@pytest.fixture
def officials(specialist_a, leader_a, desk_a, desk_b):
    for user in (specialist_a, leader_a, desk_a, desk_b):
        user.email = f"{user.username}@hanoi.gov.vn"
        user.save(update_fields=["email"])
    return specialist_a, leader_a


@pytest.fixture
def dossiers(agency_a, agency_b):
    """At agency A: one overdue, one due Monday (one working day away), one due Tuesday, one
    waiting for a supplement (clock stopped); at agency B: one overdue."""
    with time_machine.travel(FRIDAY, tick=False):
        return {
            "overdue": DossierFactory(agency=agency_a, overdue=True),
            "monday": DossierFactory(
                agency=agency_a, processing=True, due_at=hanoi(2021, 3, 8, 17, 0)
            ),
            "tuesday": DossierFactory(
                agency=agency_a, processing=True, due_at=hanoi(2021, 3, 9, 17, 0)
            ),
            "waiting": DossierFactory(
                agency=agency_a, supplement=True, due_at=hanoi(2021, 3, 4, 17, 0)
            ),
            "other_agency": DossierFactory(agency=agency_b, overdue=True),
        }


def _run(at):
    with time_machine.travel(at, tick=False):
        return reminders_run()


def test_each_specialist_and_leader_gets_one_digest_of_their_scope(officials, dossiers, desk_a):
    result = _run(FRIDAY)
    assert result["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "chuyenvien_a@hanoi.gov.vn",
        "lanhdao_a@hanoi.gov.vn",
    ]
    digest = ReminderDigest.objects.get(user=officials[0], day=date(2021, 3, 5))
    assert (digest.overdue, digest.due_soon) == (1, 1)
    assert [i["id"] for i in digest.items] == [dossiers["overdue"].pk, dossiers["monday"].pk]
    body = mail.outbox[0].body
    assert dossiers["overdue"].code in body and dossiers["monday"].code in body
    assert dossiers["tuesday"].code not in body
    assert dossiers["other_agency"].code not in body
    # The desk only receives and returns: no digest.
    assert not ReminderDigest.objects.filter(user=desk_a).exists()


def test_running_the_morning_job_twice_sends_nothing_twice(officials, dossiers):
    _run(FRIDAY)
    _run(FRIDAY + timedelta(minutes=5))
    assert len(mail.outbox) == 2
    assert ReminderDigest.objects.count() == 2


def test_no_reminders_on_a_weekend(officials, dossiers):
    result = _run(hanoi(2021, 3, 6, 7, 30))  # Saturday
    assert result["skipped"]
    assert mail.outbox == [] and not ReminderDigest.objects.exists()


def test_no_reminders_on_a_day_off_set_by_the_administrator(officials, dossiers, sysadmin):
    calendar_day_set(
        actor=sysadmin,
        date=date(2021, 3, 5),
        kind=CalendarDay.Kind.DAY_OFF,
        name="Nghỉ bù",
        decision="QĐ 1/2021",
    )
    assert _run(FRIDAY)["skipped"]
    assert mail.outbox == []


def test_no_reminders_on_a_public_holiday(officials, agency_a):
    # 2 September 2021 (Thursday): National Day.
    assert _run(hanoi(2021, 9, 2, 7, 30))["skipped"]


def test_a_make_up_saturday_is_a_working_morning(officials, dossiers, sysadmin):
    calendar_day_set(
        actor=sysadmin,
        date=date(2021, 3, 6),
        kind=CalendarDay.Kind.WORKING_DAY,
        name="Làm bù",
        decision="QĐ 2/2021",
    )
    assert _run(hanoi(2021, 3, 6, 7, 30))["sent"] == 2


def test_nothing_to_say_sends_no_email(officials):
    assert _run(FRIDAY)["sent"] == 0
    assert mail.outbox == []


def test_the_worklist_shows_this_mornings_digest(client, officials, dossiers):
    specialist = officials[0]
    login(client, specialist)
    with time_machine.travel(FRIDAY + timedelta(hours=2), tick=False):
        before = client.get(reverse("dossiers:worklist")).content.decode()
        reminders_run(now=FRIDAY)
        after = client.get(reverse("dossiers:worklist")).content.decode()
    assert 'id="nhac-viec"' not in before
    assert 'id="nhac-viec"' in after
    assert reverse("dossiers:detail", args=[dossiers["overdue"].pk]) in after


def test_a_digest_not_emailed_because_smtp_was_down_goes_with_the_sweep(
    officials, dossiers, fake_smtp, celery_eager
):
    fake_smtp.stop()
    assert _run(FRIDAY)["sent"] == 0
    assert ReminderDigest.objects.filter(emailed_at__isnull=True, attempts=1).count() == 2
    fake_smtp.start()
    with time_machine.travel(FRIDAY + timedelta(minutes=1), tick=False):
        sweep_notifications()
    assert sorted(fake_smtp.recipients()) == [
        "chuyenvien_a@hanoi.gov.vn",
        "lanhdao_a@hanoi.gov.vn",
    ]
    with time_machine.travel(FRIDAY + timedelta(minutes=2), tick=False):
        sweep_notifications()
    assert len(fake_smtp.messages) == 2


def test_the_morning_job_is_in_the_beat_schedule_at_the_configured_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["dossiers.send_reminders"]
    assert entry["task"] == "dossiers.send_reminders"
    assert entry["schedule"].hour == {settings.REMINDER_TIME.hour}
    assert entry["schedule"].minute == {settings.REMINDER_TIME.minute}
