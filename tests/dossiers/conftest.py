"""Fixtures of the dossier service tests (helper "lifecycle"), on top of the shared cast of
tests/conftest.py. Constants and helpers (hanoi(), APPLICANT) are in lifecycle_fixtures.py;
the desk's page fixtures are in fixtures_desk.py.
"""

from decimal import Decimal

import pytest

from dossiers import services
from tests.factories import ProcedureFactory

from .lifecycle_fixtures import APPLICANT, DOCUMENTS, hanoi


@pytest.fixture
def proc5(agency_a, agency_b):
    """5 working days, done by agencies A and B, supplement within 3 working days."""
    return ProcedureFactory(
        name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
        time_limit_value=Decimal("5"),
        time_limit_unit="working_days",
        agencies=[agency_a, agency_b],
    )


@pytest.fixture
def receive(desk_a, agency_a, proc5):
    """receive(at, **overrides): a dossier received at agency A's desk through the service."""

    def _receive(at=None, **kwargs):
        params = {
            "actor": desk_a,
            "procedure": proc5,
            "agency": agency_a,
            "channel": "desk",
            "applicant": dict(APPLICANT),
            "documents": list(DOCUMENTS),
            "received_at": at or hanoi(2021, 3, 1, 9, 0),
        }
        params.update(kwargs)
        return services.dossier_receive(**params)

    return _receive


@pytest.fixture
def act(leader_a):
    """act(dossier, action, at, actor=leader_a, **params) -> the refreshed dossier."""

    def _act(dossier, action, at, actor=leader_a, **params):
        return services.dossier_transition(
            actor=actor, dossier_id=dossier.pk, action=action, at=at, **params
        )

    return _act


@pytest.fixture
def leader_b(agency_b):
    from procedures.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(
        user=UserFactory(username="lanhdao_b"), agency=agency_b, role=Membership.Role.LEADER
    ).user


@pytest.fixture
def received(receive):
    """A dossier received Monday 1 March 2021 09:00, due Monday 8 March 17:00."""
    return receive(hanoi(2021, 3, 1, 9, 0))
