"""Intake: codes, due times, history and outbox (Decree 61/2018 art. 18; Circular 01/2018)."""

from decimal import Decimal

import pytest
from django.db import transaction

from dossiers import services
from dossiers.errors import DomainError, InvalidInput, NotAllowedInState, NotPermitted
from dossiers.models import Dossier, DossierEvent, DossierSequence, OutboxMessage
from dossiers.workflow import Status
from procedures.models import ProcedureTimeLimit
from tests.factories import AgencyFactory, ProcedureFactory

from .lifecycle_fixtures import APPLICANT, DOCUMENTS, hanoi


def test_receiving_gives_the_code_due_time_history_and_outbox(receive, agency_a, desk_a):
    dossier = receive(hanoi(2021, 3, 1, 9, 0))
    assert dossier.status == Status.RECEIVED
    assert dossier.code == "000.01.01.H26-210301-0001"
    assert dossier.due_at == hanoi(2021, 3, 8, 17, 0)
    assert dossier.due_explanation["unit"] == "working_days"
    assert (dossier.limit_value, dossier.limit_unit) == (5, "working_days")
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.actor, event.agency) == ("receive", desk_a, agency_a)
    assert event.to_status == Status.RECEIVED and event.due_after == dossier.due_at
    outbox = OutboxMessage.objects.get(dossier=dossier)
    assert outbox.event == event and outbox.kind == "create"
    assert outbox.dedup_key == f"{dossier.pk}:{event.pk}"
    assert outbox.payload["code"] == dossier.code
    assert outbox.payload["due_at"] == dossier.due_at.isoformat()


def test_codes_count_per_agency_per_day_and_restart_each_day(receive, desk_b, agency_b):
    first = receive(hanoi(2021, 3, 1, 8, 0))
    second = receive(hanoi(2021, 3, 1, 10, 0))
    other_agency = receive(hanoi(2021, 3, 1, 10, 5), actor=desk_b, agency=agency_b)
    next_day = receive(hanoi(2021, 3, 2, 8, 0))
    assert first.code.endswith("-210301-0001")
    assert second.code.endswith("-210301-0002")
    assert other_agency.code == "000.02.02.H26-210301-0001"
    assert next_day.code.endswith("-210302-0001")
    assert DossierSequence.objects.get(agency=first.agency, day=hanoi(2021, 3, 1).date()).last == 2


def test_the_sequence_day_is_the_receipt_date_in_hanoi_not_utc(receive):
    # 06:30 on 2 March in Hanoi is still 1 March in UTC.
    dossier = receive(hanoi(2021, 3, 2, 6, 30))
    assert dossier.code.endswith("-210302-0001")
    assert dossier.sequence_day == hanoi(2021, 3, 2).date()


def test_a_paper_dossier_received_after_the_cutoff_counts_from_the_next_working_day(receive):
    in_hours = receive(hanoi(2021, 3, 1, 14, 0))
    after_cutoff = receive(hanoi(2021, 3, 1, 15, 30))
    assert in_hours.due_at == hanoi(2021, 3, 8, 17, 0)
    assert after_cutoff.due_at == hanoi(2021, 3, 9, 17, 0)
    assert after_cutoff.clock_started_at > after_cutoff.received_at


def test_a_rolled_back_intake_uses_no_number_and_writes_no_outbox_row(
    receive, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(hanoi(2021, 3, 1, 9, 0))
        raise RuntimeError("the official's browser crashed")
    assert not Dossier.objects.exists()
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        dossier = receive(hanoi(2021, 3, 1, 9, 5))
    assert dossier.code.endswith("-210301-0001")
    assert len(callbacks) == 1


def test_an_online_submission_has_no_code_until_accepted_with_the_online_limit(
    proc5, agency_a, desk_a, act
):
    ProcedureTimeLimit.objects.create(
        procedure=proc5, channel="online", value=Decimal("3"), unit="working_days"
    )
    dossier = services.dossier_submit_online(
        procedure=proc5,
        agency=agency_a,
        channel="dvcqg",
        applicant=APPLICANT,
        documents=DOCUMENTS,
        submitted_at=hanoi(2021, 3, 1, 21, 0),
    )
    assert (dossier.status, dossier.code, dossier.due_at) == (Status.SUBMITTED, None, None)
    assert OutboxMessage.objects.get(dossier=dossier).kind == "create"

    accepted = act(dossier, "accept", hanoi(2021, 3, 2, 8, 30), actor=desk_a)
    assert accepted.status == Status.RECEIVED
    assert accepted.code == "000.01.01.H26-210302-0001"
    # The DVCQG channel has no limit of its own: the city portal's 3 days apply.
    assert (accepted.limit_value, accepted.limit_unit) == (3, "working_days")
    assert accepted.due_at == hanoi(2021, 3, 5, 17, 0)
    assert list(accepted.events.values_list("action", flat=True)) == ["submit_online", "accept"]


def test_online_submission_needs_an_online_channel(proc5, agency_a):
    with pytest.raises(DomainError):
        services.dossier_submit_online(
            procedure=proc5, agency=agency_a, channel="desk", applicant=APPLICANT, documents=[]
        )


def test_guidance_at_intake_gives_no_code_and_records_what_is_missing(proc5, agency_a, desk_a, act):
    dossier = services.dossier_guide_incomplete(
        actor=desk_a,
        procedure=proc5,
        agency=agency_a,
        channel="desk",
        applicant=APPLICANT,
        documents=DOCUMENTS,
        missing="Thiếu bản vẽ thiết kế.",
    )
    assert dossier.status == Status.INCOMPLETE and dossier.code is None
    request = dossier.supplements.get()
    assert request.at_intake and request.content == "Thiếu bản vẽ thiết kế."
    event = dossier.events.get()
    assert (event.action, event.note) == ("guide_incomplete", "Thiếu bản vẽ thiết kế.")

    accepted = act(dossier, "accept", hanoi(2021, 3, 3, 9, 0), actor=desk_a)
    assert accepted.code.endswith("-210303-0001")
    assert accepted.supplements.get().received_at == hanoi(2021, 3, 3, 9, 0)


def test_guidance_must_say_what_is_missing(proc5, agency_a, desk_a):
    with pytest.raises(InvalidInput):
        services.dossier_guide_incomplete(
            actor=desk_a,
            procedure=proc5,
            agency=agency_a,
            channel="desk",
            applicant=APPLICANT,
            documents=[],
            missing="  ",
        )
    assert not Dossier.objects.exists()


def test_refusing_at_intake_closes_without_a_code(proc5, agency_a, desk_a):
    dossier = services.dossier_refuse_intake(
        actor=desk_a,
        procedure=proc5,
        agency=agency_a,
        channel="post",
        applicant=APPLICANT,
        documents=DOCUMENTS,
        reason="Thủ tục không thuộc thẩm quyền.",
    )
    assert dossier.status == Status.INTAKE_REFUSED
    assert dossier.code is None and dossier.closed_at is not None
    assert dossier.events.get().note == "Thủ tục không thuộc thẩm quyền."


def test_refusing_an_online_submission_uses_the_same_dossier(proc5, agency_a, desk_a):
    submitted = services.dossier_submit_online(
        procedure=proc5, agency=agency_a, channel="online", applicant=APPLICANT, documents=[]
    )
    refused = services.dossier_refuse_intake(
        actor=desk_a,
        procedure=None,
        agency=None,
        channel=None,
        applicant=None,
        documents=None,
        reason="Hồ sơ giả mạo.",
        dossier_id=submitted.pk,
    )
    assert refused.pk == submitted.pk and refused.status == Status.INTAKE_REFUSED


@pytest.mark.parametrize("who", ["desk_b", "specialist_a", "inspector", "outsider"])
def test_only_the_agencys_desk_or_leader_may_receive(request, who, receive):
    with pytest.raises(NotPermitted):
        receive(actor=request.getfixturevalue(who))
    assert not Dossier.objects.exists()
    assert not DossierSequence.objects.exists()


def test_an_agency_that_does_not_do_the_procedure_cannot_receive_it(receive, agency_a):
    elsewhere = ProcedureFactory(agencies=[AgencyFactory()])
    with pytest.raises(InvalidInput):
        receive(procedure=elsewhere)


def test_the_applicant_needs_a_name(receive):
    with pytest.raises(InvalidInput):
        receive(applicant={"name": " ", "phone": "0900000000"})


def test_a_dissolved_agency_receives_nothing(receive, agency_a):
    agency_a.valid_to = hanoi(2021, 2, 28).date()
    agency_a.save()
    with pytest.raises(NotAllowedInState):
        receive(hanoi(2021, 3, 1, 9, 0))
