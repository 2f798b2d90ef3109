"""The fee collected when the result is returned [practice], paid online or at the desk.

Once the result is ready the fee is asked without a change of status
(request_fee_on_return); while it is unpaid the electronic result waits (the applicant is
told why, no 403 or 500) and the desk does not return the result. Paying online through the
gateway or at the desk releases both; each step is a history row.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers import documents, payments, rules, services
from dossiers.errors import NotAllowedInState
from dossiers.models import Dossier, DossierFile, Payment
from dossiers.views_common import action_role, event_role, timeline
from dossiers.workflow import Status
from tests.auth import login

from .conftest import PDF, SECRET, signed_callback, submit_post, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(client, online_proc, agency_a, desk_a, leader_a, specialist_a):
    """Submitted online, processed, result ready with the electronic result attached."""
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    client.cookies.clear()
    dossier = Dossier.objects.get()
    services.dossier_transition(actor=desk_a, dossier_id=dossier.pk, action="accept")
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="start_processing")
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="mark_result_ready")
    documents.file_attach(
        actor=specialist_a,
        dossier_id=dossier.pk,
        kind=DossierFile.Kind.RESULT,
        upload=documents.check_upload(upload(PDF, name="ket-qua.pdf")),
    )
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def asked(ready, desk_a):
    return payments.payment_request(
        actor=desk_a, dossier_id=ready.pk, amount=50000, purpose="Lệ phí hộ tịch"
    )


def _callback(payment, **overrides) -> dict:
    return signed_callback(payment, **{"txn": "GW-RET-1", **overrides})


def _open(client, dossier):
    client.post(reverse("dossiers:online_access"), {"ref": dossier.code, "secret": SECRET})


def _result_url(dossier) -> str:
    row = dossier.files.get(kind=DossierFile.Kind.RESULT)
    return reverse("dossiers:online_file", args=[row.pk])


@pytest.fixture
def notify(settings):
    settings.NOTIFY_ENABLED = True


def test_the_fee_is_asked_once_the_result_is_ready_without_a_change_of_status(
    notify, asked, ready, desk_a
):
    dossier = Dossier.objects.get(pk=ready.pk)
    assert dossier.status == Status.RESULT_READY
    assert rules.fee_outstanding(dossier)
    event = dossier.events.get(action="request_fee_on_return")
    assert (event.actor, event.from_status, event.to_status) == (
        desk_a,
        Status.RESULT_READY,
        Status.RESULT_READY,
    )
    assert event.data["fee_amount"] == "50000"
    assert asked.reference in event.note and event.at == asked.created_at
    assert payments.payable(dossier) == asked
    # The applicant is told about the fee (the outbox holds the message with the change).
    assert dossier.notifications.filter(event=event, kind="fee", channel="email").count() == 1


def test_the_result_waits_for_the_fee_with_a_message_not_an_error(client, asked, ready):
    _open(client, ready)
    response = client.get(_result_url(ready))
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:online_mine")
    page = client.get(reverse("dossiers:online_mine"))
    assert page.status_code == 200
    assert b'data-testid="result-held"' in page.content
    assert b'data-testid="result-link"' not in page.content
    assert b'data-testid="pay"' in page.content
    assert PDF not in page.content
    # The other files are not held.
    row = ready.files.filter(kind=DossierFile.Kind.APPLICANT).first()
    assert client.get(reverse("dossiers:online_file", args=[row.pk])).status_code == 200


def test_the_desk_cannot_return_the_result_while_the_fee_is_unpaid(asked, ready, desk_a):
    with pytest.raises(NotAllowedInState):
        services.dossier_transition(actor=desk_a, dossier_id=ready.pk, action="return_result")
    from procedures.access import scope_for

    names = {a.name for a in rules.actions_for(scope_for(desk_a), Dossier.objects.get(pk=ready.pk))}
    assert "return_result" not in names
    assert "record_fee_paid_on_return" in names


def test_paying_online_releases_the_result_once(client, asked, ready):
    data = _callback(asked)
    assert client.post(reverse("dossiers:online_paygov"), data).status_code == 200
    dossier = Dossier.objects.get(pk=ready.pk)
    assert dossier.status == Status.RESULT_READY
    assert dossier.fee_paid_at is not None and not rules.fee_outstanding(dossier)
    paid = dossier.events.get(action="record_fee_paid_on_return")
    assert paid.actor is None and asked.reference in paid.note
    assert paid.data["paid_online"] is True
    # Who: the applicant through the gateway, not the desk (the row's role says so).
    row = next(r for r in timeline([paid], public=True))
    assert row.role == event_role(paid) != action_role("record_fee_paid_on_return")
    # Replayed, forged: nothing more changes.
    before = (dossier.events.count(), dossier.fee_paid_at)
    client.post(reverse("dossiers:online_paygov"), data)
    client.get(reverse("dossiers:online_paygov"), data)
    client.post(reverse("dossiers:online_paygov"), {**data, "sig": "0" * 64})
    dossier.refresh_from_db()
    assert (dossier.events.count(), dossier.fee_paid_at) == before
    _open(client, ready)
    response = client.get(_result_url(ready))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert client.get(reverse("dossiers:online_receipt", args=[asked.reference])).status_code == 200


def test_a_desk_payment_at_the_return_is_still_recorded_and_the_result_returned(
    client, asked, ready, desk_a
):
    services.dossier_transition(
        actor=desk_a, dossier_id=ready.pk, action="record_fee_paid_on_return"
    )
    services.dossier_transition(actor=desk_a, dossier_id=ready.pk, action="return_result")
    dossier = Dossier.objects.get(pk=ready.pk)
    assert dossier.status == Status.RETURNED and dossier.fee_paid_at is not None
    desk_paid = dossier.events.get(action="record_fee_paid_on_return")
    assert desk_paid.actor == desk_a and "paid_online" not in desk_paid.data
    assert payments.payable(dossier) is None
    _open(client, ready)
    assert client.get(_result_url(ready)).status_code == 200


def test_a_fee_already_paid_is_not_asked_again_and_none_is_recorded_without_a_request(
    ready, desk_a
):
    with pytest.raises(NotAllowedInState):
        services.dossier_transition(
            actor=desk_a, dossier_id=ready.pk, action="record_fee_paid_on_return"
        )
    payments.payment_request(actor=desk_a, dossier_id=ready.pk, amount=8000, purpose="")
    services.dossier_transition(
        actor=desk_a, dossier_id=ready.pk, action="record_fee_paid_on_return"
    )
    with pytest.raises(NotAllowedInState):
        payments.payment_request(actor=desk_a, dossier_id=ready.pk, amount=8000, purpose="")
    assert Payment.objects.filter(dossier=ready, state=Payment.State.PENDING).count() == 1


def test_the_desk_asks_for_the_fee_from_the_dossier_page(client, ready, desk_a, specialist_a):
    login(client, specialist_a)  # processes, but the return is the desk's
    page = client.get(reverse("dossiers:detail", args=[ready.code]))
    assert reverse("dossiers:online_fee_request", args=[ready.pk]).encode() not in page.content
    client.logout()
    login(client, desk_a)
    page = client.get(reverse("dossiers:detail", args=[ready.code]))
    assert reverse("dossiers:online_fee_request", args=[ready.pk]).encode() in page.content
    response = client.post(
        reverse("dossiers:online_fee_request", args=[ready.pk]),
        {"amount": "50000", "purpose": "Lệ phí"},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=ready.pk).events.filter(action="request_fee_on_return").exists()


def test_the_api_asks_for_the_fee_at_the_return_and_refuses_the_return_until_paid(ready, desk_a):
    from rest_framework.test import APIClient

    desk_a.save(update_fields=["password"])
    api = APIClient()
    api.force_login(desk_a, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/api/v1/dossiers/{ready.pk}/actions/"
    asked = api.post(url + "request_fee_on_return/", {"fee_amount": 50000}, format="json")
    assert asked.status_code == 200, asked.json()
    assert (asked.json()["status"], asked.json()["fee_amount"]) == ("result_ready", "50000")
    assert api.post(url + "return_result/", {}, format="json").status_code == 409
    assert api.post(url + "record_fee_paid_on_return/", {}, format="json").status_code == 200
    assert api.post(url + "return_result/", {}, format="json").status_code == 200
    assert Dossier.objects.get(pk=ready.pk).status == Status.RETURNED


@pytest.mark.parametrize("way", ["page", "api"])
def test_every_way_of_asking_the_fee_leaves_a_payment_the_applicant_can_make_online(
    client, ready, desk_a, way
):
    """The generic action (dossier page or API), not only the files panel, opens a payment:
    otherwise the citizen could pay that fee only at the desk."""
    login(client, desk_a)
    if way == "page":
        response = client.post(
            reverse("dossiers:act", args=[ready.pk, "request_fee_on_return"]),
            {
                "request_fee_on_return-fee_amount": "50000",
                "request_fee_on_return-note": "Lệ phí hộ tịch",
            },
        )
        assert response.status_code == 302, response.content[:500]
    else:
        response = client.post(
            f"/api/v1/dossiers/{ready.pk}/actions/request_fee_on_return/",
            {"fee_amount": 50000, "note": "Lệ phí hộ tịch"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content[:500]
    dossier = Dossier.objects.get(pk=ready.pk)
    payment = payments.payable(dossier)
    assert payment is not None and payment.amount == 50000
    assert payment.purpose == "Lệ phí hộ tịch"
    event = dossier.events.get(action="request_fee_on_return")
    assert payment.reference in event.note
