"""The legal gaps of issue 11, one test (at least) each: documents actually received, the
procedure's validity, per-case limits, one cut-off rule by channel, the apology's bound."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from dossiers import services
from dossiers.errors import InvalidInput, NotAllowedInState
from dossiers.workflow import Status
from procedures.models import ProcedureTimeLimit
from tests.factories import ProcedureFactory

from .lifecycle_fixtures import APPLICANT, hanoi

TOKHAI = {"name": "Tờ khai", "form": "original", "copies": 1}
GIAY_PHEP = {"name": "Bản vẽ thiết kế", "form": "copy", "copies": 1}


@pytest.fixture
def proc_docs(agency_a):
    proc = ProcedureFactory(
        name="Cấp giấy phép xây dựng",
        time_limit_value=Decimal("5"),
        time_limit_unit="working_days",
        agencies=[agency_a],
    )
    proc.required_documents.create(name=TOKHAI["name"], order=1)
    proc.required_documents.create(name=GIAY_PHEP["name"], order=2)
    proc.required_documents.create(name="Văn bản ủy quyền", order=3, mandatory=False)
    return proc


def _intake(desk, agency, proc, outcome="receive", at=None, **kwargs):
    params = {
        "actor": desk,
        "outcome": outcome,
        "procedure": proc,
        "agency": agency,
        "channel": "desk",
        "applicant": dict(APPLICANT),
        "documents": [TOKHAI],
        "at": at or hanoi(2021, 3, 1, 9, 0),
    }
    params.update(kwargs)
    return services.dossier_intake(**params)


# --- documents actually received -------------------------------------------------------


def test_a_dossier_is_not_received_with_a_mandatory_document_missing(desk_a, agency_a, proc_docs):
    with pytest.raises(InvalidInput) as refused:
        _intake(desk_a, agency_a, proc_docs)
    assert "documents" in refused.value.fields


def test_a_guided_dossier_is_received_with_every_document_handed_in(desk_a, agency_a, proc_docs):
    guided = _intake(desk_a, agency_a, proc_docs, "guide_incomplete", missing="Bản vẽ")
    assert guided.status == Status.INCOMPLETE
    with pytest.raises(InvalidInput):  # the papers ticked the first time are not enough
        services.dossier_transition(
            actor=desk_a, dossier_id=guided.pk, action="accept", at=hanoi(2021, 3, 3, 9, 0)
        )
    accepted = services.dossier_transition(
        actor=desk_a,
        dossier_id=guided.pk,
        action="accept",
        at=hanoi(2021, 3, 3, 9, 0),
        documents=[GIAY_PHEP],
    )
    assert accepted.status == Status.RECEIVED
    assert {d["name"] for d in accepted.documents} == {TOKHAI["name"], GIAY_PHEP["name"]}


# --- the procedure in force ------------------------------------------------------------


def test_a_lapsed_procedure_is_refused_naming_its_successor(desk_a, agency_a, proc5):
    successor = ProcedureFactory(name="Thủ tục mới", national_code="1.999999", agencies=[agency_a])
    proc5.valid_to, proc5.successor = date(2021, 2, 28), successor
    proc5.save()
    with pytest.raises(NotAllowedInState) as refused:
        _intake(desk_a, agency_a, proc5)
    assert successor.national_code in refused.value.message
    proc5.valid_to, proc5.valid_from = None, date(2021, 4, 1)
    proc5.save()
    with pytest.raises(NotAllowedInState):
        _intake(desk_a, agency_a, proc5)


# --- per-case time limits --------------------------------------------------------------


def test_the_desk_chooses_the_case_and_the_due_time_follows_it(desk_a, agency_a, proc5):
    ProcedureTimeLimit.objects.create(
        procedure=proc5, case="Cấp lại", value=Decimal("2"), unit="working_days"
    )
    usual = _intake(desk_a, agency_a, proc5)
    again = _intake(desk_a, agency_a, proc5, case="Cấp lại")
    assert (usual.limit_value, again.limit_value) == (5, 2)
    assert again.limit_case == "Cấp lại" and again.due_at < usual.due_at
    with pytest.raises(InvalidInput):
        _intake(desk_a, agency_a, proc5, case="Không có")

    # The calculator gives the same due time for the same case.
    response = APIClient().get(
        "/api/v1/calendar/due/",
        {
            "procedure": proc5.pk,
            "agency": agency_a.pk,
            "received_at": hanoi(2021, 3, 1, 9, 0).isoformat(),
            "case": "Cấp lại",
        },
    )
    assert response.status_code == 200, response.json()
    assert datetime.fromisoformat(response.json()["due_at"]) == again.due_at


# --- one cut-off rule by channel -------------------------------------------------------


@override_settings(SUPPLEMENT_CLOCK_RULE="restart", RECEIPT_CUTOFF_CHANNELS=["desk", "post"])
@pytest.mark.parametrize(("channel", "due_day"), [("online", 15), ("desk", 16)])
def test_papers_after_the_cut_off_count_from_the_next_day_only_by_channel(
    received, act, channel, due_day
):
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    act(received, "request_supplement", hanoi(2021, 3, 2, 9, 0), content="Bản sao sổ đỏ")
    back = act(received, "receive_supplement", hanoi(2021, 3, 8, 16, 30), channel=channel)
    # 5 working days after Monday 8 (online), or after Tuesday 9 (desk papers after 15:00).
    assert back.due_at.astimezone(hanoi(2021, 1, 1).tzinfo).date() == date(2021, 3, due_day)


# --- the apology's bound ---------------------------------------------------------------


@pytest.mark.parametrize("new_due", [date(9999, 12, 31), date(2021, 3, 31)])
def test_the_apology_cannot_push_the_appointment_past_its_bound(received, act, new_due):
    # Due 8 March; the limit is 5 working days, so at most 15 March by default.
    with pytest.raises(InvalidInput):
        act(received, "apologize", hanoi(2021, 3, 3, 9, 0), reason="x", new_due_at=new_due)
    assert act(
        received, "apologize", hanoi(2021, 3, 3, 9, 0), reason="x", new_due_at=date(2021, 3, 15)
    ).extended


@override_settings(APOLOGY_MAX_FACTOR=2)
def test_the_apology_bound_is_a_setting(received, act):
    assert act(
        received, "apologize", hanoi(2021, 3, 3, 9, 0), reason="x", new_due_at=date(2021, 3, 22)
    ).extended


# --- the API validates the applicant as the desk form does ---------------------------


@pytest.mark.parametrize(
    "applicant",
    [
        {"name": "Nguyễn Văn An"},  # neither phone nor ID number: no lookup possible
        {"name": "Nguyễn Văn An", "phone": "abc"},
        {"name": "Nguyễn Văn An", "id_number": "12"},
    ],
)
def test_the_api_refuses_an_applicant_the_desk_form_refuses(desk_a, agency_a, proc5, applicant):
    client = APIClient()
    client.force_login(desk_a, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/api/v1/dossiers/",
        {
            "procedure": proc5.pk,
            "agency": agency_a.pk,
            "channel": "desk",
            "applicant": applicant,
            "documents": [TOKHAI],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "applicant" in response.json()["error"]["fields"]


# --- the stopped clock and days left in the unit of the limit ------------------------


def test_days_left_count_working_days_and_stop_while_waiting_for_papers(received, act):
    from dossiers.views_common import days_left, deadline

    # Due Monday 8 March 17:00; on Thursday 4 March: Friday and Monday are left.
    assert days_left(received, hanoi(2021, 3, 4, 9, 0)) == 2
    act(received, "request_supplement", hanoi(2021, 3, 2, 9, 0), content="Bản sao sổ đỏ")
    received.refresh_from_db()
    later = hanoi(2021, 3, 15, 9, 0)  # a week past the old due time
    shown = deadline(received, later)
    assert shown.stopped and not shown.overdue and shown.left is None


def test_the_dossier_page_says_the_period_is_stopped_not_minus_days(
    client, received, act, leader_a
):
    from django.urls import reverse

    from tests.auth import login

    act(received, "request_supplement", hanoi(2021, 3, 2, 9, 0), content="Bản sao sổ đỏ")
    login(client, leader_a)
    page = client.get(reverse("dossiers:detail", args=[received.pk])).content.decode()
    assert "deadline-stopped" in page and "deadline-left" not in page


# --- a calendar change after receipt -------------------------------------------------


def test_a_day_off_added_after_receipt_re_dates_open_dossiers_with_a_history_row(
    received, sysadmin
):
    from dossiers.calendar_store import calendar_day_set

    assert received.due_at == hanoi(2021, 3, 8, 17, 0)
    day = calendar_day_set(
        actor=sysadmin, date=date(2021, 3, 3), kind="day_off", name="Nghỉ", decision="QĐ 1"
    )
    received.refresh_from_db()
    assert received.due_at == hanoi(2021, 3, 9, 17, 0)
    event = received.events.get(action="redate")
    assert (event.due_before, event.due_after) == (hanoi(2021, 3, 8, 17, 0), received.due_at)
    assert received.due_explanation["calendar_change"]["date"] == "2021-03-03"
    assert day.redated.redated == [received.code]


@override_settings(CALENDAR_CHANGE_REDATES=False)
def test_the_administrator_may_keep_due_times_and_is_told_how_many(received, sysadmin):
    from dossiers.calendar_store import calendar_day_set

    day = calendar_day_set(
        actor=sysadmin, date=date(2021, 3, 3), kind="day_off", name="Nghỉ", decision="QĐ 1"
    )
    received.refresh_from_db()
    assert received.due_at == hanoi(2021, 3, 8, 17, 0)
    assert day.redated.kept == [received.code] and not received.events.filter(action="redate")


# --- deadline explanations: facts stored, sentences in the reader's language -----------


def test_the_explanation_is_stored_as_facts_and_written_in_the_readers_language(
    received, tmp_path, settings
):
    import shutil
    import subprocess
    from pathlib import Path

    from django.utils import translation

    from dossiers.views_common import explanation

    assert "lines" not in received.due_explanation
    assert {"received_at", "due_at", "unit", "value"} <= set(received.due_explanation)
    with translation.override("vi"):
        vietnamese = explanation(received)["lines"]
    assert len(vietnamese) >= 3

    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt (gettext) is needed to compile the English catalogue")
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = Path(__file__).resolve().parents[2] / "dossiers/locale/en/LC_MESSAGES/django.po"
    subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(po)], check=True)
    settings.LOCALE_PATHS = [str(tmp_path), *settings.LOCALE_PATHS]
    with translation.override("en"):
        english = explanation(received)["lines"]
    assert len(english) == len(vietnamese) and english != vietnamese
    assert not any("Tiếp nhận lúc" in line for line in english)


def test_the_desk_page_receives_a_guided_dossier_with_the_papers_ticked_now(
    client, desk_a, agency_a, proc_docs
):
    from django.urls import reverse

    from tests.auth import login

    guided = _intake(desk_a, agency_a, proc_docs, "guide_incomplete", missing="Bản vẽ")
    login(client, desk_a)
    page = client.get(reverse("dossiers:detail", args=[guided.pk])).content.decode()
    assert 'name="accept-documents"' in page
    drawing = proc_docs.required_documents.get(name=GIAY_PHEP["name"])
    client.post(
        reverse("dossiers:act", args=[guided.pk, "accept"]),
        {"accept-documents": [str(drawing.pk)]},
    )
    guided.refresh_from_db()
    assert guided.status == Status.RECEIVED
    assert {d["name"] for d in guided.documents} == {TOKHAI["name"], GIAY_PHEP["name"]}
