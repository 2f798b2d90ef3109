"""Messages to the applicant (issue 13): which events say something, on which channel, to
whom, once; the applicant's opt-out; a message never fails the change."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from dossiers import services
from dossiers.models import DossierEvent, MessageTemplate, Notification
from dossiers.notifications import delivery, enqueue
from dossiers.notifications.phones import normalise_phone
from dossiers.notifications.render import KIND_BY_ACTION

from . import fixtures_desk
from .lifecycle_fixtures import APPLICANT, DOCUMENTS, hanoi
from .notify_fixtures import *  # noqa: F403 (fixtures)
from .notify_fixtures import PHONE

pytestmark = pytest.mark.django_db
procedure_a = fixtures_desk.procedure_a
State = Notification.State


def _full_life(receive, act, run):
    """Every event that tells the applicant something, and some that do not."""
    dossier = run(receive, hanoi(2021, 3, 1, 9, 0))
    run(act, dossier, "start_processing", hanoi(2021, 3, 1, 10, 0))
    run(act, dossier, "request_supplement", hanoi(2021, 3, 2, 9, 0), content="Bản vẽ")
    run(act, dossier, "receive_supplement", hanoi(2021, 3, 3, 9, 0))
    run(act, dossier, "request_fee", hanoi(2021, 3, 3, 10, 0), fee_amount="150000")
    run(act, dossier, "record_fee_paid", hanoi(2021, 3, 3, 11, 0))
    run(
        act,
        dossier,
        "apologize",
        hanoi(2021, 3, 4, 9, 0),
        reason="Chờ ý kiến",
        new_due_at=date(2021, 3, 15),
    )
    run(act, dossier, "mark_result_ready", hanoi(2021, 3, 5, 9, 0))
    run(act, dossier, "return_result", hanoi(2021, 3, 5, 10, 0))
    return dossier


EXPECTED = ["receipt", "supplement", "fee", "apology", "result"]


def test_each_event_kind_sends_one_sms_and_one_email_in_order(receive, act, kicked, fake_sms):
    dossier = _full_life(receive, act, kicked)
    rows = Notification.objects.filter(dossier=dossier).order_by("id")
    for channel in ("sms", "email"):
        mine = rows.filter(channel=channel)
        assert list(mine.values_list("kind", flat=True)) == EXPECTED
        assert set(mine.values_list("state", flat=True)) == {State.SENT}
    # The gateway and the mailbox hold each message once, in the order of the events.
    assert [m["to"] for m in fake_sms.messages] == [PHONE] * len(EXPECTED)
    assert [m["id"] for m in fake_sms.messages] == [n.dedup_key for n in rows.filter(channel="sms")]
    assert fake_sms.duplicates == 0
    assert [m.to for m in mail.outbox] == [[APPLICANT["email"]]] * len(EXPECTED)
    assert [m.subject for m in mail.outbox] == list(
        rows.filter(channel="email").values_list("subject", flat=True)
    )
    # The receipt carries the code and the lookup link with it.
    receipt = rows.get(channel="sms", kind="receipt")
    assert dossier.code in receipt.body
    assert f"ma={dossier.code}" in receipt.body


def test_refusals_and_intake_guidance_are_told_too(receive, act, proc5, agency_a, desk_a, kicked):
    refused = kicked(receive, hanoi(2021, 3, 1, 9, 0))
    kicked(act, refused, "refuse", hanoi(2021, 3, 2, 9, 0), reason="Không đủ điều kiện")
    common = {
        "actor": desk_a,
        "procedure": proc5,
        "agency": agency_a,
        "channel": "desk",
        "applicant": dict(APPLICANT),
        "documents": list(DOCUMENTS),
    }
    guided = kicked(services.dossier_guide_incomplete, **common, missing="Tờ khai")
    turned_away = kicked(services.dossier_refuse_intake, **common, reason="Sai thẩm quyền")
    kinds = lambda d: list(  # noqa: E731
        Notification.objects.filter(dossier=d, channel="email")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds(refused) == ["receipt", "refusal"]
    assert kinds(guided) == ["supplement"]
    assert kinds(turned_away) == ["refusal"]
    assert len(mail.outbox) == 4


def test_only_the_listed_actions_notify():
    # The map names real workflow actions only (a typo would silently never notify).
    from dossiers.workflow import ACTIONS

    assert set(KIND_BY_ACTION) <= set(ACTIONS) | {"receive"}


@pytest.mark.parametrize(
    ("choice", "channels"),
    [("all", {"sms", "email"}), ("sms", {"sms"}), ("email", {"email"}), ("none", set())],
)
def test_the_applicant_chooses_the_channels_and_may_decline(receive, fake_sms, choice, channels):
    dossier = receive(applicant={**APPLICANT, "notify": choice})
    assert dossier.applicant_notify == choice
    assert set(Notification.objects.filter(dossier=dossier).values_list("channel", flat=True)) == (
        channels
    )


def test_intake_defaults_to_messages_on(receive, fake_sms):
    dossier = receive()
    assert dossier.applicant_notify == "all"


def test_an_unknown_notify_choice_is_refused_at_intake(receive):
    from dossiers.errors import InvalidInput

    with pytest.raises(InvalidInput):
        receive(applicant={**APPLICANT, "notify": "carrier-pigeon"})


def test_an_invalid_phone_is_recorded_not_sent_and_the_email_still_goes(receive, kicked, fake_sms):
    dossier = kicked(receive, applicant={**APPLICANT, "phone": "024 3825 1234"})
    sms = Notification.objects.get(dossier=dossier, channel="sms")
    assert sms.state == State.INVALID
    assert fake_sms.messages == []
    assert Notification.objects.get(dossier=dossier, channel="email").state == State.SENT


def test_no_sms_rows_without_a_gateway(receive, settings):
    settings.SMS_GATEWAY_URL = ""
    dossier = receive()
    assert list(Notification.objects.filter(dossier=dossier).values_list("channel", flat=True)) == [
        "email"
    ]


def test_a_failing_notification_never_fails_the_change(receive, monkeypatch, fake_sms):
    def boom(event):
        raise RuntimeError("template store unavailable")

    monkeypatch.setattr(enqueue, "_build", boom)
    dossier = receive()
    assert dossier.code
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").exists()
    assert not Notification.objects.exists()


def test_a_database_error_in_the_notification_rolls_back_only_the_notification(
    receive, monkeypatch, fake_sms
):
    from django.db import connection

    def broken(event):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(enqueue, "_build", broken)
    dossier = receive()
    dossier.refresh_from_db()
    assert dossier.status == "received"
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_an_edited_template_is_used_and_a_switched_off_one_sends_nothing(receive, fake_sms):
    MessageTemplate.objects.filter(kind="receipt", channel="sms").update(
        body="HS {ma_ho_so} {khong_co}"
    )
    MessageTemplate.objects.filter(kind="receipt", channel="email").update(active=False)
    dossier = receive()
    rows = Notification.objects.filter(dossier=dossier)
    assert [r.channel for r in rows] == ["sms"]
    # A placeholder that does not exist is left as written, never an error.
    assert rows[0].body == f"HS {dossier.code} {{khong_co}}"


def test_the_seeded_templates_cover_every_kind_and_channel():
    from dossiers.notifications.choices import Kind, MsgChannel

    seeded = set(MessageTemplate.objects.values_list("kind", "channel"))
    assert seeded == {(k, c) for k in Kind.values for c in MsgChannel.values}


def test_sms_can_be_sent_without_diacritics(receive, fake_sms, settings):
    settings.SMS_STRIP_DIACRITICS = True
    dossier = receive()
    body = Notification.objects.get(dossier=dossier, channel="sms").body
    assert body.isascii()


def test_a_refused_sms_is_marked_failed_and_the_next_one_goes(receive, act, fake_sms):
    fake_sms.refuse = True
    dossier = receive(hanoi(2021, 3, 1, 9, 0))
    act(dossier, "start_processing", hanoi(2021, 3, 1, 10, 0))
    delivery.deliver_pending(dossier_id=dossier.pk)
    first = Notification.objects.get(dossier=dossier, channel="sms")
    assert first.state == State.FAILED
    fake_sms.refuse = False
    act(dossier, "mark_result_ready", hanoi(2021, 3, 2, 9, 0))
    delivery.deliver_pending(dossier_id=dossier.pk)
    assert [m["id"] for m in fake_sms.messages] == [
        Notification.objects.get(dossier=dossier, channel="sms", kind="result").dedup_key
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0987654321", "+84987654321"),
        ("0987 654 321", "+84987654321"),
        ("0987.654.321", "+84987654321"),
        ("+84 987 654 321", "+84987654321"),
        ("+840987654321", "+84987654321"),
        ("84987654321", "+84987654321"),
        ("0084987654321", "+84987654321"),
        ("0321234567", "+84321234567"),
        ("02438251234", None),  # a Hanoi landline cannot receive SMS
        ("098765432", None),
        ("09876543210", None),
        ("0187654321", None),
        ("", None),
        ("abc", None),
        ("+1 202 555 0100", None),
    ],
)
def test_vietnamese_mobile_numbers_are_normalised_to_one_form(raw, expected):
    assert normalise_phone(raw) == expected


def test_the_dossier_page_lists_each_message_and_its_delivery_state(
    client, receive, act, fake_sms, leader_a, desk_b
):
    from django.urls import reverse

    from tests.auth import login

    fake_sms.stop()
    dossier = receive(hanoi(2021, 3, 1, 9, 0))
    delivery.deliver_pending(dossier_id=dossier.pk)  # e-mail sent, SMS waiting to retry
    url = reverse("dossiers:detail", args=[dossier.code])
    login(client, leader_a)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="tin-nhan"' in html
    assert html.count('class="notification state-sent"') == 1
    assert html.count('class="notification state-pending"') == 1
    # Another agency's official sees neither the dossier nor its messages.
    login(client, desk_b)
    assert client.get(url).status_code == 404


def test_an_administrator_edits_a_template_and_an_unknown_placeholder_is_refused(client, sysadmin):
    from django.urls import reverse

    from tests.auth import login

    login(client, sysadmin)
    row = MessageTemplate.objects.get(kind="result", channel="sms")
    url = reverse("admin:dossiers_messagetemplate_change", args=[row.pk])
    assert client.get(url).status_code == 200
    data = {"subject": "", "body": "Hồ sơ {ma_hoso} đã có kết quả", "active": "on"}
    assert client.post(url, data).status_code == 200  # the form again, with the error
    row.refresh_from_db()
    assert "{ma_hoso}" not in row.body
    data["body"] = "Hồ sơ {ma_ho_so} đã có kết quả"
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.body == data["body"]
    assert client.get(reverse("admin:dossiers_notification_changelist")).status_code == 200


@pytest.mark.parametrize(("posted", "stored"), [(None, "all"), ("none", "none"), ("sms", "sms")])
def test_the_desk_records_the_applicants_choice_at_intake(
    client, desk_a, agency_a, procedure_a, fake_sms, posted, stored
):
    from django.urls import reverse

    from dossiers.models import Dossier
    from tests.auth import login

    from .test_views_officials import intake_post

    proc = procedure_a
    login(client, desk_a)
    extra = {"applicant_email": "binh@example.vn"}
    if posted is not None:
        extra["applicant_notify"] = posted
    response = client.post(reverse("dossiers:intake"), intake_post(proc, agency_a, **extra))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.applicant_notify == stored
    channels = set(Notification.objects.filter(dossier=dossier).values_list("channel", flat=True))
    assert channels == {"all": {"sms", "email"}, "none": set(), "sms": {"sms"}}[stored]
