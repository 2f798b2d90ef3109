"""The lifecycle actions through dossier_transition (Decree 61/2018; Circular 01/2018)."""

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, transaction

from dossiers import services
from dossiers.errors import DomainError, InvalidInput, NotAllowedInState, NotFound, NotPermitted
from dossiers.models import Apology, DossierEvent, OutboxMessage, Transfer
from dossiers.workflow import ACTIONS, Status, Timeliness, allowed_actions
from tests.factories import ProcedureFactory

from .factories import DossierFactory
from .lifecycle_fixtures import hanoi


def test_a_dossier_goes_from_receipt_to_return_with_one_history_row_per_step(
    received, act, desk_a, leader_a
):
    act(received, "start_processing", hanoi(2021, 3, 2, 8, 0))
    act(received, "mark_result_ready", hanoi(2021, 3, 5, 10, 0))
    dossier = act(received, "return_result", hanoi(2021, 3, 5, 14, 0), actor=desk_a)
    assert dossier.status == Status.RETURNED
    assert dossier.timeliness == Timeliness.EARLY
    assert dossier.returned_at == dossier.closed_at == hanoi(2021, 3, 5, 14, 0)
    steps = list(dossier.events.values_list("action", "from_status", "to_status", "actor"))
    assert steps == [
        ("receive", "", Status.RECEIVED, desk_a.pk),
        ("start_processing", Status.RECEIVED, Status.PROCESSING, leader_a.pk),
        ("mark_result_ready", Status.PROCESSING, Status.RESULT_READY, leader_a.pk),
        ("return_result", Status.RESULT_READY, Status.RETURNED, desk_a.pk),
    ]
    assert OutboxMessage.objects.filter(dossier=dossier).count() == 4
    assert set(OutboxMessage.objects.filter(dossier=dossier).values_list("kind", flat=True)) == {
        "create",
        "update",
    }
    last = OutboxMessage.objects.filter(dossier=dossier).latest("id")
    assert last.payload["status"] == Status.RETURNED
    assert last.payload["timeliness"] == Timeliness.EARLY
    assert last.payload["event"]["action"] == "return_result"


@pytest.mark.parametrize("status", [s for s in Status if s != Status.SUBMITTED])
def test_every_action_outside_the_map_is_refused_with_a_message(status, sysadmin):
    dossier = DossierFactory(status=status)
    allowed = {a.name for a in allowed_actions(status)}
    for name in set(ACTIONS) - allowed:
        with pytest.raises(NotAllowedInState) as refused:
            services.dossier_transition(actor=sysadmin, dossier_id=dossier.pk, action=name)
        assert isinstance(refused.value, NotAllowedInState) and refused.value.status_code == 409
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_an_unknown_action_or_dossier_is_refused_with_a_message(received, leader_a):
    with pytest.raises(InvalidInput):
        services.dossier_transition(actor=leader_a, dossier_id=received.pk, action="teleport")
    with pytest.raises(NotFound):
        services.dossier_transition(actor=leader_a, dossier_id=10**9, action="start_processing")


def test_a_missing_parameter_is_a_message_not_a_crash(received, act):
    with pytest.raises(InvalidInput):
        act(received, "request_supplement", hanoi(2021, 3, 2, 9, 0))


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("desk_a", "start_processing"),  # the desk receives and returns, it does not process
        ("specialist_a", "refuse"),  # refusing is the leader's decision
        ("leader_b", "start_processing"),  # another agency's leader
        ("inspector", "start_processing"),  # inspectors read, they do not act
        ("outsider", "start_processing"),
    ],
)
def test_roles_and_agencies_limit_who_may_act(request, who, action, received):
    actor = request.getfixturevalue(who)
    params = {"reason": "Không đủ điều kiện."} if action == "refuse" else {}
    with pytest.raises(NotPermitted):
        services.dossier_transition(actor=actor, dossier_id=received.pk, action=action, **params)
    received.refresh_from_db()
    assert received.status == Status.RECEIVED


def test_a_rolled_back_transition_leaves_no_history_and_no_outbox(received, act):
    with pytest.raises(RuntimeError), transaction.atomic():
        act(received, "start_processing", hanoi(2021, 3, 2, 8, 0))
        raise RuntimeError("crash after the service")
    received.refresh_from_db()
    assert received.status == Status.RECEIVED
    assert received.events.count() == 1
    assert OutboxMessage.objects.filter(dossier=received).count() == 1


def test_history_rows_are_never_changed_by_later_actions(received, act):
    first = DossierEvent.objects.get(dossier=received)
    snapshot = DossierEvent.objects.filter(pk=first.pk).values().get()
    act(received, "start_processing", hanoi(2021, 3, 2, 8, 0))
    act(
        received,
        "apologize",
        hanoi(2021, 3, 3, 8, 0),
        reason="Chờ xác minh.",
        new_due_at=date(2021, 3, 12),
    )
    assert DossierEvent.objects.filter(pk=first.pk).values().get() == snapshot


# --- supplement (Decree 61/2018 art. 19(4)) ------------------------------------------


def test_a_supplement_may_be_requested_up_to_the_third_working_day_after_receipt(received, act):
    dossier = act(received, "request_supplement", hanoi(2021, 3, 4, 16, 0), content="Bản vẽ")
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.events.latest("id").data["working_days_after_receipt"] == 3


def test_a_supplement_requested_on_the_fourth_working_day_is_refused(received, act):
    with pytest.raises(NotAllowedInState):
        act(received, "request_supplement", hanoi(2021, 3, 5, 8, 0), content="Bản vẽ")


def test_weekends_do_not_count_towards_the_supplement_limit(receive, act):
    thursday = receive(hanoi(2021, 3, 4, 9, 0))
    # Fri 5, Mon 8, Tue 9: the third working day is Tuesday.
    assert act(thursday, "request_supplement", hanoi(2021, 3, 9, 16, 0), content="x").status == (
        Status.SUPPLEMENT_REQUESTED
    )
    wednesday_case = receive(hanoi(2021, 3, 4, 9, 30))
    with pytest.raises(DomainError):
        act(wednesday_case, "request_supplement", hanoi(2021, 3, 10, 8, 0), content="x")


def test_a_procedure_may_allow_a_longer_supplement_limit(received, act, proc5):
    proc5.supplement_request_days = 5
    proc5.save()
    dossier = act(received, "request_supplement", hanoi(2021, 3, 8, 9, 0), content="x")
    assert dossier.status == Status.SUPPLEMENT_REQUESTED


def test_a_supplement_is_requested_only_once(received, act, desk_a):
    act(received, "request_supplement", hanoi(2021, 3, 2, 9, 0), content="Bản vẽ")
    act(received, "receive_supplement", hanoi(2021, 3, 3, 9, 0), actor=desk_a)
    with pytest.raises(NotAllowedInState):
        act(received, "request_supplement", hanoi(2021, 3, 3, 10, 0), content="Thêm nữa")


def test_the_supplemented_dossier_restarts_the_period_from_zero(received, act, desk_a):
    act(received, "request_supplement", hanoi(2021, 3, 2, 10, 0), content="Bản vẽ")
    dossier = act(received, "receive_supplement", hanoi(2021, 3, 10, 10, 0), actor=desk_a)
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at == hanoi(2021, 3, 17, 17, 0)
    assert dossier.clock_started_at == hanoi(2021, 3, 10, 10, 0)
    event = dossier.events.latest("id")
    assert (event.due_before, event.due_after) == (hanoi(2021, 3, 8, 17, 0), dossier.due_at)
    assert event.data["rule"] == "restart"
    assert dossier.supplements.get().received_at == hanoi(2021, 3, 10, 10, 0)


def test_under_the_pause_rule_the_due_time_moves_by_the_working_days_waited(
    received, act, desk_a, settings
):
    settings.SUPPLEMENT_CLOCK_RULE = "pause"
    act(received, "request_supplement", hanoi(2021, 3, 2, 10, 0), content="Bản vẽ")
    dossier = act(received, "receive_supplement", hanoi(2021, 3, 4, 10, 0), actor=desk_a)
    # Waited Wed 3 and Thu 4 (2 working days): due Monday 8 → Wednesday 10 March.
    assert dossier.due_at == hanoi(2021, 3, 10, 17, 0)
    assert dossier.paused_at is None
    assert dossier.events.latest("id").data["rule"] == "pause"


def test_a_dossier_waiting_for_a_supplement_is_not_overdue(received, act):
    dossier = act(received, "request_supplement", hanoi(2021, 3, 2, 10, 0), content="x")
    assert dossier.due_at < hanoi(2030, 1, 1)
    assert not dossier.is_overdue


# --- apology and new appointment (form 04) --------------------------------------------


def test_an_apology_sets_the_new_appointment_once(received, act):
    dossier = act(
        received,
        "apologize",
        hanoi(2021, 3, 5, 9, 0),
        reason="Cần lấy ý kiến cơ quan liên quan.",
        new_due_at=date(2021, 3, 12),
    )
    assert dossier.status == Status.RECEIVED  # an apology does not change the status
    assert dossier.due_at == hanoi(2021, 3, 12, 17, 0) and dossier.extended
    apology = Apology.objects.get(dossier=dossier)
    assert (apology.old_due_at, apology.new_due_at) == (hanoi(2021, 3, 8, 17, 0), dossier.due_at)
    event = dossier.events.latest("id")
    assert (event.due_before, event.due_after) == (apology.old_due_at, apology.new_due_at)
    with pytest.raises(NotAllowedInState):
        act(
            received,
            "apologize",
            hanoi(2021, 3, 6, 9, 0),
            reason="Lần nữa",
            new_due_at=date(2021, 3, 19),
        )


def test_an_apology_on_the_due_date_itself_is_refused(received, act):
    # Due 17:00 on Monday 8 March 2021: the apology must come by the day before.
    with pytest.raises(NotAllowedInState):
        act(
            received,
            "apologize",
            hanoi(2021, 3, 8, 8, 0),
            reason="Muộn",
            new_due_at=date(2021, 3, 12),
        )
    assert not Apology.objects.exists()


def test_an_apology_on_the_eve_of_the_due_date_is_in_time_whatever_the_hour(received, act):
    # "At least one day before" is counted in dates, as timeliness is.
    dossier = act(
        received,
        "apologize",
        hanoi(2021, 3, 7, 17, 30),
        reason="Cần thêm ý kiến phối hợp",
        new_due_at=date(2021, 3, 12),
    )
    assert dossier.extended and Apology.objects.filter(dossier=dossier).exists()


@pytest.mark.parametrize(
    ("new_due", "message"),
    [(date(2021, 3, 8), "phải sau"), (date(2021, 3, 13), "ngày làm việc")],
)
def test_the_new_appointment_must_be_a_later_working_day(received, act, new_due, message):
    with pytest.raises(InvalidInput):
        act(received, "apologize", hanoi(2021, 3, 3, 9, 0), reason="x", new_due_at=new_due)


def test_after_an_apology_timeliness_is_judged_against_the_new_date(received, act):
    act(received, "apologize", hanoi(2021, 3, 3, 9, 0), reason="x", new_due_at=date(2021, 3, 12))
    dossier = act(received, "mark_result_ready", hanoi(2021, 3, 11, 9, 0))
    assert dossier.timeliness == Timeliness.EARLY


# --- transfers between agencies (one-stop inter-agency) --------------------------------


def test_a_transfer_has_its_own_sub_deadline_and_timeliness(
    received, act, agency_a, agency_b, leader_b
):
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    dossier = act(
        received,
        "transfer",
        hanoi(2021, 3, 2, 10, 0),
        to_agency_id=agency_b.pk,
        limit_value="2",
        limit_unit="working_days",
    )
    transfer = Transfer.objects.get(dossier=dossier)
    assert dossier.status == Status.TRANSFERRED and dossier.current_agency == agency_b
    assert transfer.due_at == hanoi(2021, 3, 4, 17, 0)
    assert (transfer.from_agency, transfer.to_agency) == (agency_a, agency_b)
    # Agency B now holds it; A's own overall due time is unchanged.
    assert dossier.due_at == hanoi(2021, 3, 8, 17, 0)

    back = act(received, "transfer_back", hanoi(2021, 3, 5, 9, 0), actor=leader_b)
    transfer.refresh_from_db()
    assert back.status == Status.PROCESSING and back.current_agency == agency_a
    assert transfer.timeliness == Timeliness.LATE
    assert back.events.latest("id").agency == agency_b


def test_a_transfer_to_the_same_agency_or_nowhere_is_refused(received, act, agency_a):
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    with pytest.raises(InvalidInput):
        act(
            received,
            "transfer",
            hanoi(2021, 3, 2, 10, 0),
            to_agency_id=agency_a.pk,
            limit_value=2,
            limit_unit="working_days",
        )
    with pytest.raises(InvalidInput):
        act(
            received,
            "transfer",
            hanoi(2021, 3, 2, 10, 0),
            to_agency_id=10**9,
            limit_value=2,
            limit_unit="working_days",
        )


# --- timeliness (Circular 01/2018 indicator 1, compared by date) -----------------------


@pytest.mark.parametrize(
    ("ready_at", "expected"),
    [
        (hanoi(2021, 3, 5, 16, 0), Timeliness.EARLY),
        (hanoi(2021, 3, 8, 8, 0), Timeliness.ON_TIME),
        # After the 17:00 due time but on the due date: on time at date granularity.
        (hanoi(2021, 3, 8, 18, 30), Timeliness.ON_TIME),
        (hanoi(2021, 3, 9, 8, 0), Timeliness.LATE),
    ],
)
def test_timeliness_is_fixed_when_the_result_is_ready(received, act, ready_at, expected):
    dossier = act(received, "mark_result_ready", ready_at)
    assert dossier.timeliness == expected
    assert dossier.result_ready_at == ready_at
    # Returning later does not change it.
    returned = act(received, "return_result", ready_at + timedelta(days=3))
    assert returned.timeliness == expected


@pytest.mark.parametrize("action", ["refuse", "withdraw"])
def test_refused_and_withdrawn_dossiers_get_no_timeliness(received, act, action):
    params = {"reason": "Không đủ điều kiện cấp phép."} if action == "refuse" else {}
    dossier = act(received, action, hanoi(2021, 3, 10, 9, 0), **params)
    assert dossier.timeliness == ""
    assert dossier.closed_at == hanoi(2021, 3, 10, 9, 0)
    assert not dossier.is_overdue


def test_refusal_needs_a_reason(received, act):
    with pytest.raises(InvalidInput):
        act(received, "refuse", hanoi(2021, 3, 3, 9, 0), reason="  ")


# --- fees -------------------------------------------------------------------------------


def test_fees_are_requested_then_recorded_as_paid(received, act, desk_a):
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    with pytest.raises(InvalidInput):
        act(received, "request_fee", hanoi(2021, 3, 2, 9, 0), fee_amount="-5")
    dossier = act(received, "request_fee", hanoi(2021, 3, 2, 9, 0), fee_amount=50000)
    assert dossier.status == Status.AWAITING_FEE and dossier.fee_amount == 50000
    dossier = act(received, "record_fee_paid", hanoi(2021, 3, 2, 15, 0), actor=desk_a)
    assert dossier.status == Status.PROCESSING
    assert dossier.fee_paid_at == hanoi(2021, 3, 2, 15, 0)


# --- the applicant's rating -------------------------------------------------------------


def test_a_returned_dossier_is_rated_once(received, act):
    with pytest.raises(NotAllowedInState):
        services.dossier_rate(
            dossier_id=received.pk,
            levels=dict.fromkeys(["time", "contacts", "information", "attitude", "result"], 5),
        )
    act(received, "mark_result_ready", hanoi(2021, 3, 5, 9, 0))
    act(received, "return_result", hanoi(2021, 3, 5, 10, 0))
    levels = {"time": 5, "contacts": 4, "information": 4, "attitude": 5, "result": 5}
    rating = services.dossier_rate(dossier_id=received.pk, levels=levels, comment=" Tốt ")
    assert rating.overall == 5 and rating.comment == "Tốt"
    assert received.events.latest("id").action == "rate"
    with pytest.raises(NotAllowedInState):
        services.dossier_rate(dossier_id=received.pk, levels=levels)


def test_rating_levels_must_be_between_one_and_five(received):
    with pytest.raises(InvalidInput):
        services.dossier_rate(dossier_id=received.pk, levels={"time": 9})


def test_a_change_to_a_synced_dossier_makes_it_pending_again(received, act):
    received.__class__.objects.filter(pk=received.pk).update(sync_state="synced")
    dossier = act(received, "start_processing", hanoi(2021, 3, 2, 8, 0))
    dossier.refresh_from_db()
    assert dossier.sync_state == "pending"
    assert OutboxMessage.objects.filter(dossier=dossier, delivered_at__isnull=True).count() == 2


def test_under_the_pause_rule_an_hours_limit_moves_by_the_working_hours_waited(
    receive, act, desk_a, settings
):
    settings.SUPPLEMENT_CLOCK_RULE = "pause"
    hours = ProcedureFactory(
        time_limit_value=4,
        time_limit_unit="working_hours",
        agencies=[desk_a.memberships.get().agency],
    )
    dossier = receive(hanoi(2021, 3, 1, 9, 0), procedure=hours)
    assert dossier.due_at == hanoi(2021, 3, 1, 14, 0)
    act(dossier, "request_supplement", hanoi(2021, 3, 1, 10, 0), content="Thiếu tờ khai")
    # Waited 10:00 Monday to 10:00 Tuesday: 8 working hours.
    resumed = act(dossier, "receive_supplement", hanoi(2021, 3, 2, 10, 0), actor=desk_a)
    assert resumed.due_at == hanoi(2021, 3, 2, 14, 0)


def test_each_service_call_kicks_delivery_once_after_commit(
    received, act, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        act(received, "start_processing", hanoi(2021, 3, 2, 8, 0))
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError):
        act(received, "return_result", hanoi(2021, 3, 2, 9, 0))
    assert callbacks == []


def test_a_dossier_cannot_be_transferred_to_a_dissolved_agency(received, act, agency_b):
    agency_b.valid_to = hanoi(2021, 2, 28).date()
    agency_b.save()
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    with pytest.raises(NotAllowedInState):
        act(
            received,
            "transfer",
            hanoi(2021, 3, 2, 10, 0),
            to_agency_id=agency_b.pk,
            limit_value=2,
            limit_unit="working_days",
        )


def test_the_database_refuses_to_rewrite_history(received):
    event = received.events.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(pk=event.pk).update(note="sửa lại lịch sử")
    event.refresh_from_db()
    assert event.note == ""
    # Deleting the dossier still takes its history with it.
    received.delete()
    assert not DossierEvent.objects.exists()


def test_nobody_refuses_a_dossier_while_a_coordinating_agency_holds_it(
    received, act, agency_b, leader_a
):
    # Decree 61/2018 art. 21: the coordinating agency gives its part; the competent agency
    # takes the dossier back before it refuses.
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    act(
        received,
        "transfer",
        hanoi(2021, 3, 2, 10, 0),
        to_agency_id=agency_b.pk,
        limit_value=2,
        limit_unit="working_days",
    )
    with pytest.raises(NotAllowedInState):
        act(received, "refuse", hanoi(2021, 3, 3, 10, 0), reason="x")
    # Nor settles it while away ...
    with pytest.raises(NotAllowedInState):
        act(received, "mark_result_ready", hanoi(2021, 3, 3, 10, 0))
    # ... but the sender may take it back.
    assert act(received, "transfer_back", hanoi(2021, 3, 3, 11, 0)).status == Status.PROCESSING
    assert act(received, "refuse", hanoi(2021, 3, 3, 14, 0), reason="x").status == Status.REFUSED


def test_a_transfer_limit_too_long_to_count_is_a_message(received, act, agency_b):
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    with pytest.raises(InvalidInput):
        act(
            received,
            "transfer",
            hanoi(2021, 3, 2, 10, 0),
            to_agency_id=agency_b.pk,
            limit_value=99999,
            limit_unit="months",
        )
