"""Internal processing: the leader assigns a named specialist; where the procedure needs the
leader's decision, "result ready" needs the leader's sign-off; the history shows each step
in the role it was taken in, names in Vietnamese order."""

import pytest

from dossiers.errors import InvalidInput, NotAllowedInState, NotPermitted
from dossiers.models import Dossier
from dossiers.serializers import EventSerializer
from dossiers.views_common import timeline
from dossiers.workflow import Status
from procedures.models import Membership

from .lifecycle_fixtures import hanoi


def test_a_specialist_cannot_mark_the_result_ready_without_the_leaders_sign_off(
    received, act, specialist_a
):
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0), actor=specialist_a)
    with pytest.raises(NotAllowedInState):
        act(received, "mark_result_ready", hanoi(2021, 3, 2, 9, 0), actor=specialist_a)


def test_assignment_processing_sign_off_result_and_return(
    received, act, leader_a, specialist_a, desk_a
):
    dossier = act(
        received, "assign", hanoi(2021, 3, 1, 10, 0), actor=leader_a, assignee_id=specialist_a.pk
    )
    assert dossier.status == Status.PROCESSING and dossier.assignee == specialist_a
    with pytest.raises(NotPermitted):  # signing off is the leader's
        act(received, "sign_off", hanoi(2021, 3, 2, 9, 0), actor=specialist_a)
    act(received, "sign_off", hanoi(2021, 3, 2, 9, 0), actor=leader_a)
    ready = act(received, "mark_result_ready", hanoi(2021, 3, 2, 10, 0), actor=specialist_a)
    assert ready.status == Status.RESULT_READY and ready.signed_off_at is not None
    done = act(received, "return_result", hanoi(2021, 3, 3, 9, 0), actor=desk_a)
    assert done.status == Status.RETURNED
    actions = list(done.events.values_list("action", "data__role"))
    assert actions == [
        ("receive", "desk"),
        ("assign", "leader"),
        ("sign_off", "leader"),
        ("mark_result_ready", "specialist"),
        ("return_result", "desk"),
    ]


def test_only_a_processing_official_of_the_holding_agency_can_be_assigned(
    received, act, leader_a, desk_a, leader_b
):
    for user in (desk_a, leader_b):
        with pytest.raises(InvalidInput):
            act(received, "assign", hanoi(2021, 3, 1, 10, 0), assignee_id=user.pk)


def test_without_the_catalogue_flag_the_specialist_marks_the_result_ready(
    received, act, specialist_a
):
    received.procedure.needs_leader_decision = False
    received.procedure.save()
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0), actor=specialist_a)
    ready = act(received, "mark_result_ready", hanoi(2021, 3, 2, 9, 0), actor=specialist_a)
    assert ready.status == Status.RESULT_READY


def test_the_timeline_shows_the_role_acted_in_and_names_family_name_first(received, act, leader_a):
    leader_a.last_name, leader_a.first_name = "Trần", "Thị Bình"
    leader_a.save()
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    act(received, "request_fee", hanoi(2021, 3, 1, 11, 0), fee_amount=50000)
    rows = timeline(Dossier.objects.get(pk=received.pk).events.all(), public=False)
    fee = next(r for r in rows if r.action == "request_fee")
    assert fee.role == str(Membership.Role.LEADER.label) and fee.actor == "Trần Thị Bình"
    event = received.events.get(action="request_fee")
    assert EventSerializer(event).data["actor"] == "Trần Thị Bình"
