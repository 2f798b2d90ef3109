"""Who can fetch dossier files; desk scans and results; PayGov callbacks (issue 13)."""

from __future__ import annotations

import logging

import pytest
from django.urls import URLPattern, reverse

from dossiers import documents, payments, services, urls_online
from dossiers.errors import NotAllowedInState, NotPermitted
from dossiers.models import Dossier, DossierFile, Payment
from dossiers.workflow import Status
from tests.auth import login

from .conftest import PDF, PNG, SECRET, signed_callback, submit_post, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def online_dossier(client, online_proc, agency_a, desk_a, leader_a):
    """Submitted online with two documents, accepted, processing, with a desk scan."""
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    client.cookies.clear()
    dossier = Dossier.objects.get()
    services.dossier_transition(actor=desk_a, dossier_id=dossier.pk, action="accept")
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="start_processing")
    documents.file_attach(
        actor=desk_a,
        dossier_id=dossier.pk,
        kind=DossierFile.Kind.SCAN,
        upload=documents.check_upload(upload(PNG, name="scan.png")),
    )
    return Dossier.objects.get(pk=dossier.pk)


def _file_routes() -> list[str]:
    """Every URL name of the online module that serves a file (found, not listed)."""
    return [
        p.name
        for p in urls_online.urlpatterns
        if isinstance(p, URLPattern) and "file_id" in p.pattern.regex.pattern
    ]


def test_the_file_routes_are_found():
    assert set(_file_routes()) == {"online_file", "official_file"}


def _walk(client, dossier) -> list[tuple[str, int, bytes]]:
    out = []
    for name in _file_routes():
        for row in DossierFile.objects.filter(dossier=dossier):
            response = client.get(reverse(f"dossiers:{name}", args=[row.pk]))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            out.append((name, response.status_code, body))
    return out


def test_nobody_outside_the_applicant_and_the_agency_can_fetch_a_file(
    client, online_dossier, desk_b, outsider
):
    assert online_dossier.files.count() == 3
    for who in (None, desk_b, outsider):
        client.logout()
        client.cookies.clear()
        if who is not None:
            login(client, who)
        for name, status, body in _walk(client, online_dossier):
            assert status in {302, 403, 404}, (who, name, status)
            assert PDF not in body and PNG not in body


def test_another_applicants_proof_fetches_no_file_of_this_dossier(
    client, online_dossier, online_proc, agency_a
):
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )  # a second dossier; this browser now holds its proof
    for row in online_dossier.files.all():
        assert client.get(reverse("dossiers:online_file", args=[row.pk])).status_code == 404


def test_the_agency_and_the_applicant_fetch_files_as_attachments(client, online_dossier, desk_a):
    row = online_dossier.files.filter(kind=DossierFile.Kind.APPLICANT).first()
    login(client, desk_a)
    response = client.get(reverse("dossiers:official_file", args=[row.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    client.logout()
    client.post(reverse("dossiers:online_access"), {"ref": online_dossier.code, "secret": SECRET})
    response = client.get(reverse("dossiers:online_file", args=[row.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_result_is_attached_by_a_specialist_once_the_dossier_has_one(
    online_dossier, desk_a, leader_a, specialist_a
):
    pdf = documents.check_upload(upload(PDF, name="ket-qua.pdf"))
    with pytest.raises(NotAllowedInState):
        documents.file_attach(
            actor=specialist_a, dossier_id=online_dossier.pk, kind="result", upload=pdf
        )
    services.dossier_transition(
        actor=leader_a, dossier_id=online_dossier.pk, action="mark_result_ready"
    )
    with pytest.raises(NotPermitted):
        documents.file_attach(actor=desk_a, dossier_id=online_dossier.pk, kind="result", upload=pdf)
    documents.file_attach(
        actor=specialist_a, dossier_id=online_dossier.pk, kind="result", upload=pdf
    )
    assert documents.has_result(online_dossier)


def test_the_desk_page_shows_the_panel_and_attaches_through_it(client, online_dossier, desk_a):
    login(client, desk_a)
    page = client.get(reverse("dossiers:detail", args=[online_dossier.code]))
    assert page.status_code == 200
    assert reverse("dossiers:online_attach", args=[online_dossier.pk]).encode() in page.content
    response = client.post(
        reverse("dossiers:online_attach", args=[online_dossier.pk]),
        {"kind": "scan", "title": "CCCD", "file": upload(b"<html>", name="cccd.pdf")},
    )
    assert response.status_code == 302
    assert online_dossier.files.filter(title="CCCD").count() == 0


def test_digitisation_and_payment_figures(online_dossier, leader_a, specialist_a):
    services.dossier_transition(
        actor=leader_a, dossier_id=online_dossier.pk, action="mark_result_ready"
    )
    figures = documents.digitisation_figures(Dossier.objects.all())
    assert figures == {
        "received": 1,
        "received_digitised": 1,
        "with_result": 1,
        "result_digitised": 0,
    }
    documents.file_attach(
        actor=specialist_a,
        dossier_id=online_dossier.pk,
        kind="result",
        upload=documents.check_upload(upload(PDF)),
    )
    assert documents.digitisation_figures(Dossier.objects.all())["result_digitised"] == 1
    assert payments.payment_figures(Dossier.objects.all()) == {"fee_paid": 0, "fee_paid_online": 0}


# --- payments ------------------------------------------------------------------------------


@pytest.fixture
def payment(online_dossier, leader_a):
    return payments.payment_request(
        actor=leader_a, dossier_id=online_dossier.pk, amount=50000, purpose="Lệ phí"
    )


def _callback(payment, **overrides) -> dict:
    return signed_callback(payment, **{"txn": "GW-000123", **overrides})


def _state(dossier):
    dossier = Dossier.objects.get(pk=dossier.pk)
    return (
        dossier.status,
        dossier.fee_paid_at,
        dossier.events.count(),
        list(Payment.objects.values_list("state", "gateway_txn", "paid_at")),
    )


def test_a_payment_request_waits_for_the_fee(payment, online_dossier):
    assert Dossier.objects.get(pk=online_dossier.pk).status == Status.AWAITING_FEE
    assert payment.state == Payment.State.PENDING


def test_a_genuine_callback_pays_and_records_the_fee_once(client, payment, online_dossier):
    data = _callback(payment)
    response = client.post(reverse("dossiers:online_paygov"), data)
    assert response.status_code == 200
    dossier = Dossier.objects.get(pk=online_dossier.pk)
    assert dossier.status == Status.PROCESSING
    assert dossier.fee_paid_at is not None
    assert dossier.events.filter(action="record_fee_paid").count() == 1
    payment.refresh_from_db()
    assert payment.state == Payment.State.PAID
    assert payments.payment_figures(Dossier.objects.all()) == {"fee_paid": 1, "fee_paid_online": 1}
    before = _state(online_dossier)
    # Replayed: as the server notice, as the browser return, and with another txn id.
    client.post(reverse("dossiers:online_paygov"), data)
    client.get(reverse("dossiers:online_paygov"), data)
    client.post(reverse("dossiers:online_paygov"), _callback(payment, txn="GW-999"))
    assert _state(online_dossier) == before


@pytest.mark.parametrize(
    "forge",
    [
        lambda d: {**d, "sig": "0" * 64},
        lambda d: {**d, "amount": "1"},  # changed after signing
        lambda d: {k: v for k, v in d.items() if k != "sig"},
        lambda d: {**d, "txn": "OTHER"},
    ],
    ids=["bad-signature", "tampered-amount", "unsigned", "tampered-txn"],
)
def test_a_forged_callback_changes_nothing_and_is_logged(
    client, payment, online_dossier, caplog, forge
):
    before = _state(online_dossier)
    with caplog.at_level(logging.WARNING, logger="dossiers.payments"):
        response = client.post(reverse("dossiers:online_paygov"), forge(_callback(payment)))
        page = client.get(reverse("dossiers:online_paygov"), forge(_callback(payment)))
    assert response.status_code == 400
    assert page.status_code == 400
    assert _state(online_dossier) == before
    assert any("rejected" in r.getMessage() for r in caplog.records)


def test_a_signed_callback_with_the_wrong_amount_or_reference_changes_nothing(
    client, payment, online_dossier, settings
):
    before = _state(online_dossier)
    for data in (_callback(payment, amount="5000"), _callback(payment, ref="PAYNOTEXIST")):
        assert client.post(reverse("dossiers:online_paygov"), data).status_code == 400
    assert _state(online_dossier) == before
    # A callback signed with another secret (a forger's) is refused too.
    data = _callback(payment)
    settings.PAYGOV_SECRET = "khac"
    forged = _callback(payment)
    settings.PAYGOV_SECRET = "bi-mat-chung-thu-nghiem"
    assert forged["sig"] != data["sig"]
    assert client.post(reverse("dossiers:online_paygov"), forged).status_code == 400
    assert _state(online_dossier) == before


def test_a_failed_payment_changes_nothing_and_can_be_retried(client, payment, online_dossier):
    before = _state(online_dossier)
    client.post(reverse("dossiers:online_paygov"), _callback(payment, status="24"))
    assert _state(online_dossier) == before
    client.post(reverse("dossiers:online_paygov"), _callback(payment))
    assert Dossier.objects.get(pk=online_dossier.pk).fee_paid_at is not None


def test_the_receipt_opens_only_with_the_applicants_proof(client, payment, online_dossier):
    client.post(reverse("dossiers:online_paygov"), _callback(payment))
    url = reverse("dossiers:online_receipt", args=[payment.reference])
    assert client.get(url).status_code == 404
    client.post(reverse("dossiers:online_access"), {"ref": online_dossier.code, "secret": SECRET})
    response = client.get(url)
    assert response.status_code == 200
    assert b"GW-000123" in response.content


def test_the_pay_button_redirects_to_the_gateway_with_a_signed_request(
    client, payment, online_dossier
):
    client.post(reverse("dossiers:online_access"), {"ref": online_dossier.code, "secret": SECRET})
    response = client.get(reverse("dossiers:online_pay"))
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:9/pay?")
    assert f"ref={payment.reference}" in response["Location"]
    assert "sig=" in response["Location"]


def test_desk_payments_are_still_recorded(payment, online_dossier, desk_a):
    services.dossier_transition(
        actor=desk_a, dossier_id=online_dossier.pk, action="record_fee_paid"
    )
    dossier = Dossier.objects.get(pk=online_dossier.pk)
    assert dossier.status == Status.PROCESSING and dossier.fee_paid_at is not None
    assert payments.payable(dossier) is None


def test_the_766_scorecard_computes_digitisation_and_online_payment(
    client, payment, online_dossier, leader_a, specialist_a
):
    from django.utils import timezone

    from dossiers.figures import online_metrics
    from indicators import scores
    from indicators.models import ScoreGroup, ScoreIndicator, Target
    from indicators.reference import ensure_reference_data
    from indicators.selectors import Coverage, Totals

    ensure_reference_data(ScoreGroup, ScoreIndicator, Target)
    client.post(reverse("dossiers:online_paygov"), _callback(payment))
    services.dossier_transition(
        actor=leader_a, dossier_id=online_dossier.pk, action="mark_result_ready"
    )
    today = timezone.localdate()
    online = online_metrics(first=today, last=today)
    assert online["digitisation_intake"][0] == 100
    assert online["digitisation_result"][0] == 0
    assert online["payment_online"][0] == 100
    assert online_metrics(first=today, last=today, agency_ids=[])["payment_online"][0] is None
    card = scores.decision766(Totals(), Coverage(0, 0, 0, 0), online)
    lines = {line.name: line.points for group in card.groups for line in group.lines}
    by_code = {i.code: i.name for i in ScoreIndicator.objects.all()}
    assert lines[by_code["payment_online"]] == 10
    assert lines[by_code["digitisation_intake"]] == 11
    assert lines[by_code["digitisation_result"]] == 0


def test_the_admin_lists_payments_and_files_read_only(client, payment, sysadmin):
    login(client, sysadmin)
    for model in ("payment", "dossierfile"):
        url = reverse(f"admin:dossiers_{model}_changelist")
        assert client.get(url).status_code == 200
        assert client.get(reverse(f"admin:dossiers_{model}_add")).status_code == 403


def test_another_agency_cannot_attach_files_or_ask_for_fees(client, online_dossier, desk_b):
    attach = reverse("dossiers:online_attach", args=[online_dossier.pk])
    fee = reverse("dossiers:online_fee_request", args=[online_dossier.pk])
    for who in (None, desk_b):
        client.logout()
        if who is not None:
            login(client, who)
        response = client.post(attach, {"kind": "scan", "file": upload(PDF)})
        assert response.status_code in {302, 404}
        if who is not None:
            assert response.status_code == 404
        response = client.post(fee, {"amount": "50000"})
        assert response.status_code in {302, 404}
        if who is not None:
            assert response.status_code == 404
    assert online_dossier.files.count() == 3
    assert not Payment.objects.exists()
    assert Dossier.objects.get(pk=online_dossier.pk).status == Status.PROCESSING
