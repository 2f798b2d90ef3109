"""Random walks through the workflow: whatever the order of actions, the invariants hold.

Every accepted action writes exactly one history row and one outbox row and moves the
status as workflow.ACTIONS says; every refused action changes nothing; timeliness exists
exactly on settled dossiers and closed dossiers have closed_at.
"""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers import services
from dossiers.errors import DomainError
from dossiers.models import Dossier, OutboxMessage
from dossiers.workflow import (
    ACTIONS,
    CLOSED_STATUSES,
    SETTLED_STATUSES,
)

from .lifecycle_fixtures import hanoi

ACTION_NAMES = sorted(ACTIONS)


def _params(action, dossier, at, partner):
    return {
        "request_supplement": {"content": "Bổ sung tờ khai."},
        "guide_incomplete": {"content": "Thiếu tờ khai."},
        "refuse_intake": {"reason": "Không thuộc thẩm quyền."},
        "transfer": {"to_agency_id": partner.pk, "limit_value": 2, "limit_unit": "working_days"},
        "apologize": {
            "reason": "Cần xác minh.",
            "new_due_at": (dossier.due_at or at) + timedelta(days=7),
        },
        "request_fee": {"fee_amount": 20000},
        "refuse": {"reason": "Không đủ điều kiện."},
        "suspend": {"reason": "Chờ kết quả giám định."},
    }.get(action, {})


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTION_NAMES), st.integers(min_value=1, max_value=60)),
        min_size=1,
        max_size=12,
    )
)
def test_random_walks_keep_history_outbox_and_status_consistent(steps, receive, sysadmin, agency_b):
    dossier = receive(hanoi(2021, 3, 1, 9, 0))
    at = dossier.received_at
    for action, hours in steps:
        at += timedelta(hours=hours)
        before = Dossier.objects.get(pk=dossier.pk)
        events_before = before.events.count()
        try:
            after = services.dossier_transition(
                actor=sysadmin,
                dossier_id=dossier.pk,
                action=action,
                at=at,
                **_params(action, before, at, agency_b),
            )
        except DomainError as refused:
            assert refused.message
            unchanged = Dossier.objects.get(pk=dossier.pk)
            assert (unchanged.status, unchanged.due_at, unchanged.current_agency_id) == (
                before.status,
                before.due_at,
                before.current_agency_id,
            )
            assert unchanged.events.count() == events_before
            continue
        target = ACTIONS[action].target or before.status
        assert after.status == target
        event = after.events.latest("id")
        assert after.events.count() == events_before + 1
        assert (event.action, event.from_status, event.to_status) == (
            action,
            before.status,
            target,
        )
        assert (event.due_before, event.due_after) == (before.due_at, after.due_at)
        assert OutboxMessage.objects.filter(dossier=after).count() == after.events.count()
        assert bool(after.timeliness) == (after.status in SETTLED_STATUSES)
        assert (after.closed_at is not None) == (after.status in CLOSED_STATUSES)
