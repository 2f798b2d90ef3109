"""dossiers.rules: one rule per question, and every interface answers it the same way.

The class test: for every action the status allows and every member of the cast, the
rule's answer (offered or not) is the service's (performed or NotPermitted).
"""

from datetime import date

import pytest
from django.db import transaction

from dossiers import rules, selectors, services
from dossiers.errors import DomainError, NotAllowedInState, NotPermitted
from dossiers.models import Dossier
from dossiers.serializers import DossierDetailSerializer
from dossiers.workflow import ACTIONS, Status
from procedures.access import scope_for

from .lifecycle_fixtures import hanoi

CAST = ["desk_a", "specialist_a", "leader_a", "leader_b", "desk_b", "inspector", "outsider"]
PARAMS = {
    "request_supplement": {"content": "Bản sao sổ đỏ."},
    "request_fee": {"fee_amount": 100000},
    "transfer": {"limit_value": 1, "limit_unit": "working_days"},
    "apologize": {"reason": "Chờ ý kiến phối hợp.", "new_due_at": date(2021, 3, 9)},
    "refuse": {"reason": "Không đủ điều kiện."},
    "suspend": {"reason": "Chờ kết quả giám định."},
}


class Rollback(Exception):
    pass


def _service_permits(actor, dossier, name, at, agency_c) -> bool:
    params = dict(PARAMS.get(name, {}))
    if name == "transfer":
        params["to_agency_id"] = agency_c.pk
    try:
        with transaction.atomic():
            services.dossier_transition(
                actor=actor, dossier_id=dossier.pk, action=name, at=at, **params
            )
            raise Rollback
    except Rollback:
        return True
    except NotPermitted:
        return False
    except DomainError:
        return True  # permitted, refused for another reason (state, input, window)


@pytest.fixture
def agency_c(db):
    from tests.factories import AgencyFactory

    return AgencyFactory(name="Sở Tài nguyên và Môi trường")


@pytest.fixture
def transferred(received, act, agency_b):
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    return act(
        received,
        "transfer",
        hanoi(2021, 3, 1, 11, 0),
        to_agency_id=agency_b.pk,
        limit_value="2",
        limit_unit="working_days",
    )


@pytest.mark.parametrize("state", ["received", "transferred"])
def test_who_may_act_is_answered_once_for_rules_and_services(request, state, agency_c):
    dossier = request.getfixturevalue(state)
    at = hanoi(2021, 3, 2, 9, 0)
    for who in CAST:
        user = request.getfixturevalue(who)
        scope = scope_for(user)
        for action in ACTIONS.values():
            if dossier.status not in action.sources:
                continue
            fresh = Dossier.objects.get(pk=dossier.pk)
            offered = rules.acting_agency(scope, action, fresh) is not None
            assert offered is _service_permits(user, fresh, action.name, at, agency_c), (
                who,
                action.name,
            )


def test_the_apology_belongs_to_the_competent_agency_not_the_coordinating_one(
    transferred, leader_a, leader_b
):
    apologize = ACTIONS["apologize"]
    assert rules.acting_agencies(apologize, transferred) == [transferred.agency_id]
    with pytest.raises(NotPermitted):
        services.dossier_transition(
            actor=leader_b,
            dossier_id=transferred.pk,
            action="apologize",
            at=hanoi(2021, 3, 2, 9, 0),
            **PARAMS["apologize"],
        )


def test_a_past_sender_may_not_take_back_a_later_transfer(
    received, act, agency_b, agency_c, leader_a, leader_b
):
    """The API once added every past transfer sender to the candidates: 'allowed', then 409."""
    act(received, "start_processing", hanoi(2021, 3, 1, 10, 0))
    act(
        received,
        "transfer",
        hanoi(2021, 3, 1, 11, 0),
        to_agency_id=agency_b.pk,
        limit_value="2",
        limit_unit="working_days",
    )
    act(received, "transfer_back", hanoi(2021, 3, 1, 14, 0), actor=leader_b)
    # Now A sends it to C; B (a past sender, no longer involved) may not take it back.
    act(
        received,
        "transfer",
        hanoi(2021, 3, 2, 9, 0),
        to_agency_id=agency_c.pk,
        limit_value="2",
        limit_unit="working_days",
    )
    dossier = Dossier.objects.get(pk=received.pk)
    back = ACTIONS["transfer_back"]
    assert rules.acting_agency(scope_for(leader_b), back, dossier) is None
    assert rules.acting_agency(scope_for(leader_a), back, dossier) == dossier.agency_id


def test_page_api_and_serializer_offer_the_same_actions(transferred, leader_a, leader_b, rf):
    for user in (leader_a, leader_b):
        access = selectors.dossier_access(user, transferred.pk)
        request = rf.get("/")
        request.user = user
        data = DossierDetailSerializer(access.dossier, context={"request": request}).data
        assert data["allowed_actions"] == access.action_names
        assert access.action_names == [
            a.name for a in rules.actions_for(scope_for(user), access.dossier)
        ]


def test_overdue_has_one_definition_in_python_and_sql(db):
    from tests.dossiers.factories import DossierFactory

    now = hanoi(2021, 3, 10, 9, 0)
    rows = [
        DossierFactory(status=Status.PROCESSING, due_at=hanoi(2021, 3, 9, 17, 0)),
        DossierFactory(status=Status.SUPPLEMENT_REQUESTED, due_at=hanoi(2021, 3, 9, 17, 0)),
        DossierFactory(status=Status.RESULT_READY, due_at=hanoi(2021, 3, 9, 17, 0)),
        DossierFactory(status=Status.PROCESSING, due_at=hanoi(2021, 3, 11, 17, 0)),
    ]
    in_sql = set(Dossier.objects.filter(rules.overdue_q(now)).values_list("pk", flat=True))
    in_python = {d.pk for d in rows if rules.is_overdue(d, now)}
    assert in_sql == in_python == {rows[0].pk}


def test_an_apology_after_its_window_is_not_allowed_in_state(received, act):
    with pytest.raises(NotAllowedInState):
        act(received, "apologize", hanoi(2021, 3, 8, 9, 0), **PARAMS["apologize"])
