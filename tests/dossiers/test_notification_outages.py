"""A stopped SMS gateway or SMTP server delays the applicant's messages and loses none:
the change goes through, the messages wait with their error, and once the service is back
the sweep delivers each of them once, in the order of the events (issue 13, done when)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dossiers.models import DossierEvent, Notification
from dossiers.notifications.tasks import sweep_notifications

from .lifecycle_fixtures import APPLICANT, hanoi
from .notify_fixtures import *  # noqa: F403 (fixtures)
from .notify_fixtures import PHONE

pytestmark = pytest.mark.django_db
State = Notification.State


def _three_events(receive, act, run):
    dossier = run(receive, hanoi(2021, 3, 1, 9, 0))
    run(act, dossier, "start_processing", hanoi(2021, 3, 1, 10, 0))
    run(act, dossier, "request_supplement", hanoi(2021, 3, 2, 9, 0), content="Bản vẽ")
    run(act, dossier, "receive_supplement", hanoi(2021, 3, 3, 9, 0))
    run(act, dossier, "mark_result_ready", hanoi(2021, 3, 4, 9, 0))
    return dossier


def _sweep_later(minutes: int = 5) -> None:
    # Past every back-off (NOTIFY_RETRY_MAX_SECONDS is 4 s in these tests).
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False):
        sweep_notifications()


def _ids(dossier, channel):
    return list(
        Notification.objects.filter(dossier=dossier, channel=channel)
        .order_by("id")
        .values_list("id", flat=True)
    )


def test_a_stopped_sms_gateway_delays_messages_and_loses_none(
    receive, act, kicked, fake_sms, fake_smtp
):
    fake_sms.stop()
    dossier = _three_events(receive, act, kicked)
    # Every change went through; the SMS wait with their error, in order.
    assert DossierEvent.objects.filter(dossier=dossier).count() == 5
    sms = Notification.objects.filter(dossier=dossier, channel="sms").order_by("id")
    assert [n.kind for n in sms] == ["receipt", "supplement", "result"]
    assert {n.state for n in sms} == {State.PENDING}
    first = sms[0]
    assert first.attempts >= 1 and first.last_error and first.next_attempt_at
    # A later message never overtakes the one still failing.
    assert all(n.attempts == 0 for n in sms[1:])
    # E-mail is another channel: it did not wait for the SMS gateway.
    assert len(fake_smtp.messages) == 3

    _sweep_later()  # still down: one more attempt, nothing lost
    assert Notification.objects.filter(dossier=dossier, state=State.PENDING).count() == 3
    assert Notification.objects.get(pk=first.pk).attempts == first.attempts + 1

    fake_sms.start()
    _sweep_later(minutes=10)
    assert [m["id"] for m in fake_sms.messages] == [
        f"cchc-notify-{i}" for i in _ids(dossier, "sms")
    ]
    assert [m["to"] for m in fake_sms.messages] == [PHONE] * 3
    assert fake_sms.duplicates == 0
    assert set(Notification.objects.filter(dossier=dossier).values_list("state", flat=True)) == {
        State.SENT
    }
    # Nothing is sent twice by a later sweep.
    _sweep_later(minutes=20)
    assert len(fake_sms.messages) == 3


def test_a_gateway_answering_errors_delays_messages_and_loses_none(receive, act, kicked, fake_sms):
    fake_sms.fail = True
    dossier = _three_events(receive, act, kicked)
    assert fake_sms.refused >= 1
    assert fake_sms.messages == []
    fake_sms.fail = False
    _sweep_later()
    assert [m["id"] for m in fake_sms.messages] == [
        f"cchc-notify-{i}" for i in _ids(dossier, "sms")
    ]


def test_a_stopped_smtp_server_delays_emails_and_loses_none(receive, act, kicked, fake_smtp):
    fake_smtp.stop()
    dossier = _three_events(receive, act, kicked)
    emails = Notification.objects.filter(dossier=dossier, channel="email").order_by("id")
    assert {n.state for n in emails} == {State.PENDING}
    assert emails[0].last_error

    _sweep_later()
    assert Notification.objects.filter(dossier=dossier, state=State.PENDING).count() == 3

    fake_smtp.start()
    _sweep_later(minutes=10)
    assert fake_smtp.recipients() == [APPLICANT["email"]] * 3
    assert set(emails.values_list("state", flat=True)) == {State.SENT}
    # The subjects arrive in the order of the events.
    sent = [raw for _s, _r, raw in fake_smtp.messages]
    for raw, row in zip(sent, emails, strict=True):
        assert f"X-CCHC-Notification: cchc-notify-{row.pk}".encode() in raw
    _sweep_later(minutes=20)
    assert len(fake_smtp.messages) == 3


def test_a_message_that_keeps_failing_is_given_up_after_the_limit(
    receive, kicked, fake_sms, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    fake_sms.fail = True
    dossier = kicked(receive)
    for minutes in (5, 10, 15):
        _sweep_later(minutes)
    sms = Notification.objects.get(dossier=dossier, channel="sms")
    assert sms.state == State.FAILED
    assert sms.attempts == 3
