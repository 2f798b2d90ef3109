"""The bulk demo load (make run) against the rules the services apply.

The loader computes dossiers in memory and writes them in bulk (issue 14); these tests
check what it wrote, dossier by dossier, with the rules themselves: codes gapless and unique
per agency and receipt day, every due time the deadline engine's, every history consistent
with the workflow map and the dossier's status, timeliness from the dates, one outbox row per
history row carrying the state after it. Over a slice of the real demo catalogue (online
modes, per-channel and per-case limits, fees, departments for transfers).
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from dossiers import clock, rules
from dossiers.codes import format_code, local_tz
from dossiers.demo import load_demo_dossiers
from dossiers.models import (
    Apology,
    Dossier,
    DossierEvent,
    DossierSequence,
    OutboxMessage,
    Rating,
    SupplementRequest,
    Transfer,
)
from dossiers.outbox import CREATE_ACTIONS
from dossiers.workflow import ACTIONS, SETTLED_STATUSES, Status
from procedures.demo import load_catalogue

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
INTAKE = {"receive", "submit_online", "guide_incomplete", "refuse_intake"}


@pytest.fixture
def demo(db):
    load_catalogue(limit=60)
    created = load_demo_dossiers(count=250, now=NOW)
    assert created >= 240  # a few unlucky random paths may be dropped, never many
    return Dossier.objects.select_related("procedure", "agency", "current_agency")


def _events():
    by_dossier = defaultdict(list)
    qs = DossierEvent.objects.order_by("at", "id")
    for event in qs:
        by_dossier[event.dossier_id].append(event)
    return by_dossier


def test_codes_are_unique_and_gapless_per_agency_and_day(demo):
    numbers = defaultdict(list)
    for dossier in demo.exclude(code=None):
        day = dossier.received_at.astimezone(local_tz()).date()
        assert dossier.sequence_day == day
        assert dossier.code == format_code(dossier.agency.identifier_code, day, dossier.sequence)
        numbers[dossier.agency_id, day].append(dossier.sequence)
    assert numbers
    for (agency_id, day), seen in numbers.items():
        assert sorted(seen) == list(range(1, len(seen) + 1)), (agency_id, day)
        assert DossierSequence.objects.get(agency_id=agency_id, day=day).last == len(seen)
    assert DossierSequence.objects.count() == len(numbers)
    # Not received (waiting online, guided, refused at intake): no code, no number.
    assert not demo.filter(received_at=None).exclude(code=None).exists()


def test_every_due_time_is_the_engines(demo):
    events = _events()
    checked = 0
    for dossier in demo.exclude(received_at=None):
        history = events[dossier.pk]
        # The period restarts from the complete dossier (Decree 61 art. 19(4)), else from
        # the receipt; a paper dossier after the cut-off counts from the next working day.
        restart = [e for e in history if e.action == "receive_supplement"]
        start = (restart[-1].at if restart else dossier.received_at).astimezone(local_tz())
        value, unit = clock.limit_for(dossier.procedure, dossier.channel, dossier.limit_case)
        assert (dossier.limit_value, dossier.limit_unit) == (value, unit)
        due = clock.compute(
            agency=dossier.agency,
            start=start,
            value=value,
            unit=unit,
            apply_cutoff=rules.cutoff_applies(dossier.channel),
        )
        apology = Apology.objects.filter(dossier=dossier).first()
        if apology is not None:
            assert apology.old_due_at == due.due_at
            assert dossier.due_at == apology.new_due_at and dossier.extended
            assert dossier.due_explanation["rule"] == "apology"
            assert rules.local_date(apology.created_at) < rules.local_date(apology.old_due_at)
        else:
            assert dossier.due_at == due.due_at, dossier.code
            expected = {**due.explanation, "rule": "restart"} if restart else due.explanation
            assert dossier.due_explanation == expected
            assert dossier.clock_started_at == due.clock_started_at
        checked += 1
    assert checked > 180
    for transfer in Transfer.objects.select_related("to_agency"):
        due = clock.compute(
            agency=transfer.to_agency,
            start=transfer.sent_at,
            value=transfer.limit_value,
            unit=transfer.limit_unit,
        )
        assert transfer.due_at == due.due_at
        assert transfer.timeliness == rules.timeliness(transfer.returned_at, transfer.due_at)


def test_every_history_follows_the_workflow_and_ends_in_the_status(demo):
    events = _events()
    for dossier in demo:
        history = events[dossier.pk]
        assert history[0].action in INTAKE and history[0].from_status == ""
        assert all(e.at <= NOW for e in history)
        for before, event in zip([None, *history], history, strict=False):
            if before is not None:
                assert event.at >= before.at
                assert event.from_status == before.to_status, (dossier.code, event.action)
            if event.action in ACTIONS and event.from_status:
                action = ACTIONS[event.action]
                assert event.from_status in action.sources, (dossier.code, event.action)
                assert event.to_status == (action.target or event.from_status)
        assert history[-1].to_status == dossier.status, dossier.code
        # The due time each row records is the dossier's after the row's change.
        changes = [e for e in history if e.due_after is not None]
        if dossier.due_at is not None:
            assert changes[-1].due_after == dossier.due_at


def test_timeliness_and_closing_follow_the_dates(demo):
    for dossier in demo:
        if dossier.status in SETTLED_STATUSES:
            assert dossier.timeliness == rules.timeliness(dossier.result_ready_at, dossier.due_at)
        else:
            assert dossier.timeliness == ""
        if dossier.status == Status.RETURNED:
            assert dossier.result_ready_at <= dossier.returned_at == dossier.closed_at
        if dossier.status in {Status.REFUSED, Status.WITHDRAWN, Status.INTAKE_REFUSED}:
            assert dossier.closed_at is not None
    # The plan's world: nearly all on time, a few late, some open and overdue.
    settled = demo.filter(status__in=SETTLED_STATUSES)
    late = settled.filter(timeliness="late").count()
    assert settled.count() > 180 and late < settled.count() * 0.05


def test_officials_act_in_office_hours(demo):
    tz = local_tz()
    for action in ("receive", "accept", "mark_result_ready", "return_result"):
        for event in DossierEvent.objects.filter(action=action):
            local = event.at.astimezone(tz)
            assert time(8, 0) <= local.time() <= time(17, 0), (action, local)
            assert clock.is_working_day(event.at), (action, local)


def test_each_history_row_has_its_outbox_row_with_the_state_after_it(demo):
    assert OutboxMessage.objects.count() == DossierEvent.objects.count()
    for message in OutboxMessage.objects.select_related("event"):
        event = message.event
        assert message.demo and message.delivered_at is None
        assert message.dedup_key == f"{message.dossier_id}:{event.pk}"
        assert message.payload["dossier_id"] == message.dossier_id
        assert message.payload["event"]["id"] == event.pk
        assert message.payload["status"] == event.to_status
        assert message.payload["event"]["action"] == event.action
        assert message.kind == ("create" if event.action in CREATE_ACTIONS else "update")
    # The rows the actions own exist with their dossiers.
    assert SupplementRequest.objects.exists() and Rating.objects.exists()
    for rating in Rating.objects.select_related("dossier"):
        assert rating.dossier.status == Status.RETURNED
        assert rating.created_at >= rating.dossier.returned_at


def test_loading_again_adds_nothing_and_a_top_up_continues_the_numbers(demo):
    tables = [Dossier, DossierEvent, OutboxMessage, DossierSequence, Transfer, Rating]
    before = {model: model.objects.count() for model in tables}
    out = io.StringIO()
    assert load_demo_dossiers(count=before[Dossier], now=NOW, stdout=out) == 0
    assert "không tạo thêm" in out.getvalue()
    assert {model: model.objects.count() for model in tables} == before
    # A top-up numbers after the codes already given on the same days.
    added = load_demo_dossiers(count=before[Dossier] + 60, now=NOW)
    assert added > 50
    numbers = defaultdict(list)
    for agency_id, day, number in demo.exclude(code=None).values_list(
        "agency_id", "sequence_day", "sequence"
    ):
        numbers[agency_id, day].append(number)
    for (agency_id, day), seen in numbers.items():
        assert sorted(seen) == list(range(1, len(seen) + 1))
        assert DossierSequence.objects.get(agency_id=agency_id, day=day).last == len(seen)


def test_past_years_dvcqg_coverage_is_counted_from_the_demo_dates(db):
    from datetime import date

    from indicators.selectors import procedure_coverage
    from procedures.models import Procedure

    load_catalogue(limit=90)
    online = Procedure.objects.exclude(online_mode=Procedure.OnlineMode.NONE)
    assert online.exists() and not online.filter(online_mode_since=None).exists()
    for procedure in online.exclude(dvcqg_integrated_on=None):
        assert procedure.online_mode_since < procedure.dvcqg_integrated_on
    for year in range(2021, 2026):
        coverage = procedure_coverage(as_of=date(year, 12, 31))
        assert coverage.full + coverage.partial > 0, year
        assert coverage.online_integrated > 0, year


def test_the_whole_demo_in_one_command_and_again_changes_nothing(db):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from indicators.models import AnnualIndex

    args = ["load_demo", "--limit", "30", "--dossiers", "40", "--indicators", "--users"]
    call_command(*args, stdout=io.StringIO())
    users = get_user_model().objects.order_by("username")
    passwords = list(users.values_list("username", "password"))
    assert len(passwords) == 5 and AnnualIndex.objects.exists()
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), AnnualIndex.objects.count())
    assert counts[0] >= 38
    out = io.StringIO()
    call_command(*args, stdout=out)
    assert "không tạo thêm" in out.getvalue()
    # Nothing added, and the accounts keep their passwords (so their sessions: issue 14).
    assert (Dossier.objects.count(), DossierEvent.objects.count(), AnnualIndex.objects.count()) == (
        counts
    )
    assert list(users.values_list("username", "password")) == passwords


def test_under_the_pause_rule_a_supplement_moves_the_due_time_by_the_wait(db, settings):
    settings.SUPPLEMENT_CLOCK_RULE = "pause"
    load_catalogue(limit=60)
    load_demo_dossiers(count=250, now=NOW)
    events = _events()
    paused = Dossier.objects.filter(events__action="receive_supplement").distinct()
    assert paused.exists()
    for dossier in paused.select_related("procedure", "agency").filter(extended=False):
        history = events[dossier.pk]
        asked = next(e for e in history if e.action == "request_supplement")
        back = next(e for e in history if e.action == "receive_supplement")
        first = clock.compute(
            agency=dossier.agency,
            start=dossier.received_at.astimezone(local_tz()),
            value=dossier.limit_value,
            unit=dossier.limit_unit,
            apply_cutoff=rules.cutoff_applies(dossier.channel),
        )
        shifted = clock.shift_for_pause(
            agency=dossier.agency,
            due_at=first.due_at,
            unit=dossier.limit_unit,
            paused_at=asked.at,
            resumed_at=back.at,
        )
        assert dossier.due_at == shifted.due_at, dossier.code
        assert dossier.paused_at is None and dossier.due_explanation["rule"] == "pause"
