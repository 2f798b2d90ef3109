"""A refused action on the dossier page keeps what the official typed (issue 14 item 7).

The class test walks every action of the workflow (dossiers.workflow.ACTIONS) with its own
form (dossiers.forms.action_form): a refusal of the form (invalid input, 400) and a refusal
of the service (the status does not allow it, 409) both bring the page back with every
typed text in that action's form, the form open, and an error message; nothing changes.
Also here: the reason that suspending needs (page and API), and the "who acts next" hint.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
import time_machine
from django import forms
from django.urls import reverse
from django.utils import timezone

from dossiers import rules
from dossiers.forms import action_form
from dossiers.models import DossierEvent
from dossiers.workflow import ACTIONS, Status
from tests.dossiers.factories import DossierFactory

from . import fixtures_desk as fx
from .fixtures_desk import login

procedure_a = fx.procedure_a
received_dossier = fx.received_dossier

pytestmark = pytest.mark.django_db


def _marker(action: str, field: str) -> str:
    return f"Gõ tay {action}.{field} – không được mất"


def _typed_post(name: str, dossier, *, agency_b, specialist_a) -> tuple[dict, list[str]]:
    """A POST for the action's form with a marker in every text field and a valid value in
    the others; the markers to find again."""
    form = action_form(name, dossier=dossier)
    data, markers = {}, []
    for field_name, field in form.fields.items():
        key = f"{name}-{field_name}"
        if isinstance(field, forms.ModelChoiceField):
            chosen = {"to_agency": agency_b, "assignee": specialist_a}[field_name]
            data[key] = str(chosen.pk)
        elif isinstance(field, forms.MultipleChoiceField):
            continue
        elif isinstance(field, forms.ChoiceField):
            data[key] = next(str(v) for v, _label in field.choices if v)
        elif isinstance(field, forms.DateField):
            data[key] = (timezone.localdate() + timedelta(days=30)).isoformat()
        elif isinstance(field, forms.TimeField):
            data[key] = "16:30"
        elif isinstance(field, forms.DecimalField | forms.IntegerField):
            data[key] = "75000" if field_name == "fee_amount" else "2"
        elif isinstance(field, forms.CharField):
            data[key] = _marker(name, field_name)
            markers.append(data[key])
        else:  # a new kind of field: this test must learn it
            raise AssertionError(f"{name}.{field_name}: {type(field).__name__}")
    assert markers, f"{name} has no text field (every action has at least its note)"
    return data, markers


def _action_block(page: str, name: str) -> str:
    match = re.search(
        rf'<details class="action[^"]*" id="thao-tac-{name}"[^>]*>(.*?)</details>', page, re.S
    )
    assert match, f"the refused action {name} is not on the page"
    return match.group(0)


@pytest.fixture
def closed_dossier(agency_a, procedure_a):
    """Returned to the applicant: no action of the workflow starts from here."""
    dossier = DossierFactory(agency=agency_a, procedure=procedure_a, settled=True)
    dossier.status = Status.RETURNED
    dossier.returned_at = dossier.closed_at = timezone.now()
    dossier.save()
    assert not any(Status.RETURNED in a.sources for a in ACTIONS.values())
    return dossier


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_a_refused_action_comes_back_with_the_typed_text_for_every_action(
    client, sysadmin, closed_dossier, agency_b, specialist_a, name
):
    login(client, sysadmin)
    url = reverse("dossiers:act", args=[closed_dossier.pk, name])
    events_before = DossierEvent.objects.filter(dossier=closed_dossier).count()

    # 1. The service refuses: the status does not allow the action (409).
    data, markers = _typed_post(name, closed_dossier, agency_b=agency_b, specialist_a=specialist_a)
    response = client.post(url, data)
    assert response.status_code == 409
    page = response.content.decode()
    block = unescape(_action_block(page, name))
    assert " open" in block.split(">", 1)[0]
    for marker in markers:
        assert marker in block, f"{name}: typed text lost after a refusal by the service"
    assert 'class="msg-error"' in page

    # 2. The form refuses: the note is too long (400); every other typed text stays.
    data[f"{name}-note"] = _marker(name, "note") + "x" * 2001
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    block = unescape(_action_block(page, name))
    for marker in markers:
        assert marker in block, f"{name}: typed text lost after a refusal of the form"
    assert "field-errors" in block and 'class="msg-error"' in page

    closed_dossier.refresh_from_db()
    assert closed_dossier.status == Status.RETURNED
    assert DossierEvent.objects.filter(dossier=closed_dossier).count() == events_before


def test_a_refusal_by_a_rule_of_law_keeps_the_supplement_text(
    client, specialist_a, received_dossier
):
    # Asked once already: the second request is refused (409) with the content kept.
    received_dossier.status = Status.PROCESSING
    received_dossier.save()
    received_dossier.supplements.create(
        requested_at=received_dossier.received_at, content="Lần đầu", at_intake=False
    )
    login(client, specialist_a)
    text = "Bản sao Giấy chứng nhận quyền sử dụng đất có chứng thực"
    response = client.post(
        reverse("dossiers:act", args=[received_dossier.pk, "request_supplement"]),
        {"request_supplement-content": text},
    )
    assert response.status_code == 409
    block = _action_block(response.content.decode(), "request_supplement")
    assert text in unescape(block) and "<button" in block  # still offered by the status


def test_a_successful_action_still_redirects_to_the_dossier(client, leader_a, received_dossier):
    received_dossier.status = Status.PROCESSING
    received_dossier.save()
    login(client, leader_a)
    response = client.post(
        reverse("dossiers:act", args=[received_dossier.pk, "suspend"]),
        {"suspend-reason": "Chờ kết quả giám định theo khoản 2 Điều 19 NĐ 61/2018"},
    )
    assert response.status_code == 302
    received_dossier.refresh_from_db()
    assert received_dossier.status == Status.SUSPENDED


def test_a_refused_intake_comes_back_with_everything_typed(client, desk_a, agency_a, procedure_a):
    from .test_views_officials import intake_post

    login(client, desk_a)
    typed = intake_post(
        procedure_a,
        agency_a,
        documents=[],  # a mandatory paper missing: the form refuses to receive
        applicant_name="Nguyễn Thị Gõ Tay",
        applicant_address="Ngõ 12 phố Gõ Tay",
        note="Ghi chú gõ tay",
    )
    response = client.post(reverse("dossiers:intake"), typed)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    for value in ("Nguyễn Thị Gõ Tay", "Ngõ 12 phố Gõ Tay", "Ghi chú gõ tay", "0987654321"):
        assert f'value="{value}"' in page
    # Refused by the service (the procedure is not in force that day): 409, text kept.
    procedure_a.valid_to = date(2020, 1, 1)
    procedure_a.save()
    complete = intake_post(procedure_a, agency_a, applicant_name="Nguyễn Thị Gõ Tay")
    response = client.post(reverse("dossiers:intake"), complete)
    assert response.status_code == 409
    assert 'value="Nguyễn Thị Gõ Tay"' in unescape(response.content.decode())


# --- suspending needs its ground ------------------------------------------------------


def test_suspending_without_a_reason_is_refused_on_the_page(client, leader_a, received_dossier):
    received_dossier.status = Status.PROCESSING
    received_dossier.save()
    login(client, leader_a)
    url = reverse("dossiers:act", args=[received_dossier.pk, "suspend"])
    response = client.post(url, {"suspend-reason": "   ", "suspend-note": "ghi chú giữ lại"})
    assert response.status_code == 400
    assert "ghi chú giữ lại" in _action_block(response.content.decode(), "suspend")
    received_dossier.refresh_from_db()
    assert received_dossier.status == Status.PROCESSING

    ground = "Chờ cơ quan có thẩm quyền trả lời (Điều 19 NĐ 61/2018)"
    assert client.post(url, {"suspend-reason": ground}).status_code == 302
    event = received_dossier.events.get(action="suspend")
    assert ground in event.note and event.actor == leader_a and event.at is not None


def test_suspending_without_a_reason_is_refused_by_the_api_and_the_service(
    leader_a, agency_a, procedure_a
):
    from rest_framework.test import APIClient

    from dossiers import services
    from dossiers.errors import InvalidInput

    dossier = DossierFactory(agency=agency_a, procedure=procedure_a, processing=True)
    client = APIClient()
    client.force_login(leader_a, backend="django.contrib.auth.backends.ModelBackend")
    url = f"/api/v1/dossiers/{dossier.pk}/actions/suspend/"
    assert client.post(url, {}, format="json").status_code == 400
    assert client.post(url, {"reason": " "}, format="json").status_code == 400
    with pytest.raises(InvalidInput):
        services.dossier_transition(
            actor=leader_a, dossier_id=dossier.pk, action="suspend", reason="  "
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    response = client.post(url, {"reason": "Chờ giám định"}, format="json")
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.SUSPENDED
    assert "Chờ giám định" in dossier.events.get(action="suspend").note


# --- who acts next ---------------------------------------------------------------------


def _next_steps_block(page: str) -> str:
    match = re.search(r'<div class="next-steps">(.*?)</div>', page, re.S)
    return unescape(match.group(1)) if match else ""


@time_machine.travel(fx.hanoi(2021, 1, 11, 10, 0))  # within the 3-day supplement window
def test_after_asking_for_a_supplement_the_specialist_is_told_the_desk_records_it(
    client, specialist_a, received_dossier
):
    received_dossier.status = Status.PROCESSING
    received_dossier.save()
    login(client, specialist_a)
    response = client.post(
        reverse("dossiers:act", args=[received_dossier.pk, "request_supplement"]),
        {"request_supplement-content": "Bản sao sổ hộ khẩu"},
        follow=True,
    )
    received_dossier.refresh_from_db()
    assert received_dossier.status == Status.SUPPLEMENT_REQUESTED
    hint = _next_steps_block(response.content.decode())
    assert "Bộ phận Tiếp nhận và Trả kết quả" in hint
    assert str(ACTIONS["receive_supplement"].label) in hint
    assert received_dossier.agency.name in hint
    assert "Người nộp" in hint  # the applicant brings the papers first


def test_the_desk_that_acts_next_gets_the_action_not_the_hint(client, desk_a, received_dossier):
    received_dossier.status = Status.SUPPLEMENT_REQUESTED
    received_dossier.save()
    login(client, desk_a)
    page = client.get(reverse("dossiers:detail", args=[received_dossier.pk])).content.decode()
    assert 'id="thao-tac-receive_supplement"' in page
    assert _next_steps_block(page) == ""


@pytest.mark.parametrize(
    "status",
    [s for s in Status.values if s not in {Status.RETURNED, Status.REFUSED, Status.WITHDRAWN}],
)
def test_every_open_status_names_who_acts_next(status, received_dossier):
    """No open status leaves the next step unnamed, and each step names an agency."""
    if status == Status.INTAKE_REFUSED:
        assert rules.next_steps(received_dossier) is not None
        return
    received_dossier.status = status
    steps = rules.next_steps(received_dossier)
    assert any(s.action is not None for s in steps), status
    for step in steps:
        if step.action is not None:
            assert status in step.action.sources, (status, step.action.name)
            assert step.agency_id in {
                received_dossier.agency_id,
                received_dossier.current_agency_id,
            }


def test_an_inspector_who_never_acts_is_told_who_does(client, inspector, received_dossier):
    login(client, inspector)
    page = client.get(reverse("dossiers:detail", args=[received_dossier.pk])).content.decode()
    hint = _next_steps_block(page)
    assert str(ACTIONS["assign"].label) in hint and "Lãnh đạo" in hint
