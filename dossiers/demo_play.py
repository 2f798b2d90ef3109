"""The demo's dossiers, one at a time, in memory (dossiers.demo writes them in bulk).

Loader plans who applies for what, where and when, and plays each dossier through the rules
the services apply; Sequences numbers codes as codes.next_sequence would, in memory. The
only write here is Sequences.save, which dossiers.demo calls with its bulk inserts.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings

from procedures.models import Agency, Procedure

from . import clock, lifecycle, rules, services
from .calendar_store import get_calendar
from .codes import format_code, local_tz, sequence_day
from .errors import InvalidInput, NotAllowedInState
from .models import (
    DEMO_EMAIL_SUFFIX,
    Apology,
    Dossier,
    DossierEvent,
    DossierSequence,
    Rating,
    SupplementRequest,
    Transfer,
)
from .outbox import build_payload
from .workflow import ACTIONS, Status, check_transition

DEMO_DOMAIN = DEMO_EMAIL_SUFFIX.lstrip("@")
DEMO_COMMUNE_GSO = "00070"  # Phường Hoàn Kiếm: where the demo officials work
MONTHS = 24
BATCH = 500

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Thanh", "Hồng", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long", "Mai"]
GIVEN += ["Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]
STREETS = ["Hàng Bạc", "Hàng Gai", "Tràng Tiền", "Lý Thái Tổ", "Đinh Tiên Hoàng", "Hàng Đào"]
STREETS += ["Kim Mã", "Giải Phóng", "Láng", "Nguyễn Trãi", "Cầu Giấy", "Xuân Thủy"]
SUPPLEMENTS = [
    "Bổ sung bản sao chứng thực giấy tờ tùy thân.",
    "Bổ sung bản vẽ mặt bằng có xác nhận.",
    "Bổ sung văn bản ủy quyền có chứng thực.",
]
REASONS = [
    "Cần lấy ý kiến của cơ quan liên quan.",
    "Cần xác minh thực tế tại địa phương.",
]


@dataclass
class Plan:
    received_at: datetime
    procedure: Procedure
    agency: Agency
    channel: str


def _candidates() -> tuple[dict[int, Procedure], dict[int, Agency], list[tuple[int, int]]]:
    procedures = {
        p.pk: p
        for p in Procedure.objects.filter(status=Procedure.Status.PUBLISHED)
        .select_related("field", "successor")
        .prefetch_related("required_documents", "time_limits")
    }
    agencies = {a.pk: a for a in Agency.objects.all()}
    pairs = list(
        Procedure.agencies.through.objects.filter(procedure_id__in=procedures).values_list(
            "procedure_id", "agency_id"
        )
    )
    return procedures, agencies, pairs


class _Stop(Exception):
    """The next step would be in the future: the dossier stays where it is."""


class Sequences:
    """DossierSequence in memory for one load: the next number per agency and receipt day
    (codes.sequence_day), taken in the order dossiers are accepted, as codes.next_sequence
    would; a dropped dossier gives its number back, so numbers stay gapless. The demo loads
    before the portal serves (make run); should a real intake take a number of the same agency
    and day meanwhile (PostgreSQL), the bulk insert fails on the unique code instead of giving
    a code twice, and the whole load rolls back."""

    def __init__(self, first_day: date):
        self.last = {
            (agency_id, day): last
            for agency_id, day, last in DossierSequence.objects.filter(
                day__gte=first_day
            ).values_list("agency_id", "day", "last")
        }
        self.stored = dict(self.last)
        self.taken: list[tuple[tuple[int, date], int]] = []

    def assign(self, *, agency: Agency, received_at: datetime) -> tuple[str, date, int]:
        """codes.assign_code's signature and result, numbered in memory."""
        day = sequence_day(received_at)
        key = (agency.pk, day)
        number = self.last.get(key, 0) + 1
        self.last[key] = number
        self.taken.append((key, number))
        return format_code(agency.identifier_code, day, number), day, number

    def mark(self) -> int:
        return len(self.taken)

    def undo(self, mark: int) -> None:
        """Give back the numbers taken since `mark` (a dossier that was dropped)."""
        while len(self.taken) > mark:
            key, number = self.taken.pop()
            if self.last.get(key) == number:
                self.last[key] = number - 1

    def save(self) -> None:
        rows = [
            DossierSequence(agency_id=agency_id, day=day, last=last)
            for (agency_id, day), last in self.last.items()
            if last != self.stored.get((agency_id, day), 0)
        ]
        DossierSequence.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["agency", "day"],
            update_fields=["last"],
        )


@dataclass
class Played:
    """One dossier and every row its history wrote, not saved yet."""

    dossier: Dossier
    events: list[tuple[DossierEvent, dict]] = field(default_factory=list)
    supplements: list[SupplementRequest] = field(default_factory=list)
    transfers: list[tuple[Transfer, dict]] = field(default_factory=list)
    apology: Apology | None = None
    rating: Rating | None = None


class Loader:
    """One load: the random source, the clock, the calendar (built once: get_calendar asks
    the cache on every call), the agencies dossiers may be transferred to, the sequences."""

    def __init__(
        self, *, rng: random.Random, now: datetime, partners: list[Agency], sequences: Sequences
    ):
        self.rng, self.now, self.partners, self.sequences = rng, now, partners, sequences
        self.calendar = get_calendar()
        self.tz = local_tz()
        self.agencies: dict[int, Agency] = {}
        self.played: Played | None = None

    # --- scheduling ---------------------------------------------------------------------

    def working_moment(self, day: date) -> datetime | None:
        """An office-hours moment on `day`, or on the next working day within a week."""
        for _ in range(7):
            if self.calendar.is_working_day(day):
                minutes = self.rng.choice([self.rng.randint(0, 210), self.rng.randint(300, 525)])
                return datetime.combine(day, time(8, 0), tzinfo=self.tz) + timedelta(
                    minutes=minutes
                )
            day += timedelta(days=1)
        return None

    def office_moment(self, moment: datetime) -> datetime:
        """moment if it falls in office hours on a working day, else the next such morning."""
        local = moment.astimezone(self.tz)
        in_hours = time(8, 0) <= local.time() <= time(16, 45)
        if self.calendar.is_working_day(local.date()) and in_hours:
            return moment
        if local.time() < time(8, 0) and self.calendar.is_working_day(local.date()):
            return datetime.combine(local.date(), time(8, 0), tzinfo=self.tz) + timedelta(
                minutes=self.rng.randint(0, 150)
            )
        return self.next_working(moment, 1, hour=8) + timedelta(minutes=self.rng.randint(0, 150))

    def next_working(self, moment: datetime, days: int = 1, hour: int = 9) -> datetime:
        """`days` working days after moment's date, at `hour`."""
        day = moment.astimezone(self.tz).date()
        while days > 0:
            day += timedelta(days=1)
            if self.calendar.is_working_day(day):
                days -= 1
        return datetime.combine(day, time(hour, 0), tzinfo=self.tz)

    def applicant(self, n: int) -> dict:
        rng = self.rng
        return {
            "name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "id_number": f"001{rng.randint(0, 999_999_999):09d}",
            "phone": f"09{rng.randint(0, 99_999_999):08d}",
            "email": f"congdan{n}@{DEMO_DOMAIN}",
            "address": f"Số {rng.randint(1, 200)} phố {rng.choice(STREETS)}, Hà Nội",
        }

    # --- what to create -----------------------------------------------------------------

    def plans(self, todo: int) -> list[Plan]:
        rng, now = self.rng, self.now
        procedures, agencies, pairs = _candidates()
        self.agencies = agencies
        if not pairs:
            return []
        by_agency: dict[int, list[int]] = {}
        for procedure_id, agency_id in pairs:
            by_agency.setdefault(agency_id, []).append(procedure_id)
        demo_commune = next(
            (a for a in agencies.values() if a.gso_code == DEMO_COMMUNE_GSO and a.pk in by_agency),
            None,
        )
        first_day = (now - timedelta(days=round(MONTHS * 30.44))).astimezone(self.tz).date()
        span = (now.astimezone(self.tz).date() - first_day).days
        plans: list[Plan] = []
        attempts = 0
        while len(plans) < todo and attempts < todo * 20:
            attempts += 1
            received_at = self.working_moment(first_day + timedelta(days=rng.randint(0, span)))
            if received_at is None or received_at >= now:
                continue
            day = received_at.astimezone(self.tz).date()
            # A third of the dossiers at the demo officials' commune, once it exists.
            if demo_commune and demo_commune.is_valid_on(day) and rng.random() < 0.3:
                agency = demo_commune
            else:
                agency = agencies[rng.choice(pairs)[1]]
                if not agency.is_valid_on(day):
                    continue
            procedure = procedures[rng.choice(by_agency[agency.pk])]
            online = procedure.online_mode != Procedure.OnlineMode.NONE and rng.random() < 0.55
            if online:
                channel = rng.choice(["online", "online", "dvcqg"])
            else:
                channel = "post" if rng.random() < 0.06 else "desk"
            plans.append(Plan(received_at, procedure, agency, channel))
        return sorted(plans, key=lambda p: p.received_at)

    # --- playing one dossier ------------------------------------------------------------

    def play(self, plan: Plan, n: int) -> Played:
        """Receive one dossier and move it along a plausible path, never past `now`."""
        rng, now = self.rng, self.now
        applicant = self.applicant(n)
        documents = [
            {"name": d.name, "form": d.form, "copies": d.copies}
            for d in plan.procedure.required_documents.all()
        ]
        at = plan.received_at
        roll = rng.random()
        online = plan.channel in services.ONLINE_CHANNELS
        submitted_at = at
        if online:
            submitted_at = at - timedelta(hours=rng.randint(1, 40))
            # Citizens submit at any hour, but few between midnight and six.
            while submitted_at.astimezone(self.tz).hour < 6:
                submitted_at -= timedelta(hours=1)
            if not plan.agency.is_valid_on(submitted_at.astimezone(self.tz).date()):
                submitted_at = at  # the unit opened that day
        # The intake checks of services._new_dossier (channel, unit in existence, procedure
        # published and done by this agency, applicant data), on the unsaved dossier.
        dossier = services._new_dossier(
            procedure=plan.procedure,
            agency=plan.agency,
            channel=plan.channel,
            applicant=applicant,
            documents=documents,
            status=Status.SUBMITTED,
            submitted_at=submitted_at,
            actor=None,
        )
        dossier.sync_state, dossier.synced_at = Dossier.SyncState.NOT_REQUIRED, None
        self.played = Played(dossier)
        if roll < 0.005 and not online:
            self.intake("refuse_intake", at, reason="Hồ sơ không thuộc thẩm quyền giải quyết.")
            return self.played
        if online:
            lapse = rules.procedure_lapse(plan.procedure, rules.local_date(submitted_at))
            if lapse:
                raise NotAllowedInState(lapse)
            self.record("submit_online", submitted_at, "", plan.agency.pk)
            # Yesterday's online submissions are partly still waiting at the desk.
            if now - at < timedelta(days=2) and rng.random() < 0.5:
                return self.played
            if roll < 0.03:
                self.step("guide_incomplete", at, content=rng.choice(SUPPLEMENTS))
                at = self.next_working(at, rng.randint(1, 4))
                if at > now:
                    return self.played
            self.step("accept", at)
        elif roll < 0.025:
            self.intake("guide_incomplete", at, content=rng.choice(SUPPLEMENTS))
            at = self.next_working(at, rng.randint(1, 3), hour=rng.randint(8, 14))
            if at > now:
                return self.played
            self.step("accept", at)
        else:
            self.receive(at)
        with contextlib.suppress(_Stop):
            self.lifecycle(plan)
        return self.played

    def receive(self, at: datetime) -> None:
        """services.dossier_receive: accepted at once (form 01)."""
        dossier = self.played.dossier
        data = lifecycle.accept(dossier, at=at, assign=self.sequences.assign)
        dossier.status = Status.RECEIVED
        self.record("receive", at, "", dossier.agency_id, data=data)

    def intake(self, action: str, at: datetime, **params) -> None:
        """services._intake_refusal: form 02 or 03 at the desk, no code."""
        dossier = self.played.dossier
        data = self.handler(action)(dossier, actor=None, at=at, **params)
        dossier.status = ACTIONS[action].target
        self.record(action, at, "", dossier.agency_id, note=data.pop("note", ""), data=data)

    def step(self, action: str, moment: datetime, note: str = "", **params) -> datetime:
        """services.dossier_transition on the dossier in memory."""
        if moment > self.now:
            raise _Stop
        dossier = self.played.dossier
        act = check_transition(action, dossier.status)
        if action == "transfer_back":
            # rules.acting_agencies' first choice: the agency holding the dossier.
            agency_id = dossier.current_agency_id
        else:
            agency_id = rules.acting_agencies(act, dossier)[0]
        from_status, due_before = dossier.status, dossier.due_at
        data = self.handler(action)(dossier, actor=None, at=moment, **params)
        note = "\n".join(n for n in (data.pop("note", ""), note.strip()) if n)
        if act.target is not None:
            dossier.status = act.target
        self.record(action, moment, from_status, agency_id, note, due_before, data)
        return moment

    def record(self, action, at, from_status, agency_id, note="", due_before=None, data=None):
        """services._record: the history row and its outbox payload, as of now."""
        dossier = self.played.dossier
        event = DossierEvent(
            dossier=dossier,
            at=at,
            actor=None,
            agency_id=agency_id,
            action=action,
            from_status=from_status,
            to_status=dossier.status,
            note=note,
            due_before=due_before,
            due_after=dossier.due_at,
            data=data or {},
        )
        self.played.events.append((event, build_payload(dossier, event)))

    def handler(self, action: str):
        """The lifecycle handler, or this loader's version of it where the real one reads or
        writes other rows (supplements, transfers, the apology) that exist here in memory."""
        return getattr(self, f"_{action}", None) or lifecycle.HANDLERS[action]

    # --- the handlers that touch other rows, on the rows in memory ------------------------

    def _accept(self, dossier: Dossier, *, actor, at: datetime) -> dict:
        data = lifecycle.accept(dossier, at=at, assign=self.sequences.assign)
        for request in self.played.supplements:  # the guidance given at intake is answered
            if request.at_intake and request.received_at is None:
                request.received_at = at
        return data

    def _guide_incomplete(self, dossier: Dossier, *, actor, at: datetime, content: str) -> dict:
        self.played.supplements.append(
            SupplementRequest(dossier=dossier, requested_at=at, content=content, at_intake=True)
        )
        return {"note": content}

    def _request_supplement(self, dossier: Dossier, *, actor, at: datetime, content: str):
        if any(not s.at_intake for s in self.played.supplements):
            raise NotAllowedInState("once")  # rules.supplement_refusal: only once
        start = dossier.clock_started_at or dossier.received_at
        elapsed = clock.working_days_since(start, at)
        if elapsed > dossier.procedure.supplement_request_days:
            raise NotAllowedInState("late")  # rules.supplement_refusal: the window
        self.played.supplements.append(
            SupplementRequest(dossier=dossier, requested_at=at, content=content)
        )
        rule = settings.SUPPLEMENT_CLOCK_RULE
        if rule == "pause":
            dossier.paused_at = at
        return {"note": content, "rule": rule, "working_days_after_receipt": elapsed}

    def _receive_supplement(self, dossier: Dossier, *, actor, at: datetime) -> dict:
        open_requests = [
            s for s in self.played.supplements if not s.at_intake and not s.received_at
        ]
        if open_requests:
            open_requests[-1].received_at = at
        channel = dossier.channel
        if settings.SUPPLEMENT_CLOCK_RULE == "pause" and dossier.paused_at is not None:
            due = clock.shift_for_pause(
                agency=dossier.current_agency,
                due_at=dossier.due_at,
                unit=dossier.limit_unit,
                paused_at=dossier.paused_at,
                resumed_at=at,
            )
            dossier.paused_at, rule = None, "pause"
        else:
            due = clock.compute(
                agency=dossier.agency,
                start=at,
                value=dossier.limit_value,
                unit=dossier.limit_unit,
                apply_cutoff=rules.cutoff_applies(channel),
            )
            dossier.clock_started_at, rule = due.clock_started_at, "restart"
        dossier.due_at, dossier.due_explanation = due.due_at, {**due.explanation, "rule": rule}
        return {"rule": rule, "channel": channel}

    def _transfer(self, dossier: Dossier, *, actor, at, to_agency_id, limit_value, limit_unit):
        to_agency = self.agencies[to_agency_id]
        if (
            not to_agency.is_valid_on(rules.local_date(at))
            or to_agency_id == dossier.current_agency_id
        ):
            raise NotAllowedInState("partner")
        due = clock.compute(agency=to_agency, start=at, value=limit_value, unit=limit_unit)
        transfer = Transfer(
            dossier=dossier,
            from_agency_id=dossier.current_agency_id,
            to_agency=to_agency,
            sent_at=at,
            limit_value=limit_value,
            limit_unit=limit_unit,
            due_at=due.due_at,
        )
        dossier.current_agency = to_agency
        data = {
            "transfer_id": None,  # set once the transfer row has its id
            "to_agency": to_agency.identifier_code,
            "limit": f"{limit_value} {limit_unit}",
            "transfer_due_at": due.due_at.isoformat(),
            "explanation": due.explanation,
        }
        self.played.transfers.append((transfer, data))
        return data

    def _transfer_back(self, dossier: Dossier, *, actor, at: datetime) -> dict:
        transfer, _sent = self.played.transfers[-1]
        transfer.returned_at = at
        transfer.timeliness = rules.timeliness(at, transfer.due_at)
        dossier.current_agency = self.agencies[transfer.from_agency_id]
        data = {"transfer_id": None, "transfer_timeliness": transfer.timeliness}
        self.played.transfers.append((transfer, data))
        return data

    def _apologize(self, dossier: Dossier, *, actor, at: datetime, reason: str, new_due_at):
        refusal = rules.apology_refusal(dossier, at)
        if refusal:
            raise NotAllowedInState(refusal)
        new_due_at = clock.end_of_office_day(new_due_at, dossier.agency)
        refusal = rules.new_due_refusal(dossier, new_due_at)
        if refusal:
            raise InvalidInput(refusal)
        apology = Apology(
            dossier=dossier,
            created_at=at,
            reason=reason,
            old_due_at=dossier.due_at,
            new_due_at=new_due_at,
        )
        self.played.apology = apology
        dossier._state.fields_cache["apology"] = apology  # what rules.apology_refusal reads
        dossier.due_explanation = {
            "rule": "apology",
            "old_due_at": dossier.due_at.isoformat(),
            "new_due_at": new_due_at.isoformat(),
            "previous": dossier.due_explanation,
        }
        dossier.due_at, dossier.extended = new_due_at, True
        return {"note": reason, "new_due_at": new_due_at.isoformat()}

    # --- the path after intake ----------------------------------------------------------

    def lifecycle(self, plan: Plan) -> None:
        rng, step, next_working, office = self.rng, self.step, self.next_working, self.office_moment
        dossier = self.played.dossier
        at = dossier.received_at
        fate = rng.random()
        if fate < 0.01:
            step("refuse", next_working(at, rng.randint(1, 4)), reason=rng.choice(REASONS))
            return
        if fate < 0.017:
            step("withdraw", next_working(at, rng.randint(1, 3)), note="Công dân xin rút hồ sơ.")
            return
        at = step("start_processing", office(at + timedelta(minutes=rng.randint(20, 240))))
        if rng.random() < 0.05:
            at = step("request_supplement", next_working(at, 1), content=rng.choice(SUPPLEMENTS))
            at = step("receive_supplement", next_working(at, rng.randint(1, 8), hour=10))
        today = at.astimezone(self.tz).date()
        partners = [p for p in self.partners if p.pk != plan.agency.pk and p.is_valid_on(today)]
        long_enough = dossier.limit_unit != "working_hours" and dossier.limit_value >= 5
        if partners and long_enough and rng.random() < 0.05:
            at = step(
                "transfer",
                office(at + timedelta(hours=1)),
                to_agency_id=rng.choice(partners).pk,
                limit_value=rng.choice([2, 3]),
                limit_unit="working_days",
            )
            back = next_working(at, rng.choice([1, 2, 2, 3, 4]), hour=rng.randint(8, 16))
            at = step("transfer_back", back)
        if plan.procedure.fee:
            at = step("request_fee", office(at + timedelta(hours=1)), fee_amount=plan.procedure.fee)
            paid = office(at + timedelta(minutes=rng.randint(20, 150)))
            at = step("record_fee_paid", paid)
        if rng.random() < 0.012:
            at = self.maybe_apologize(at)
        due = dossier.due_at
        # A few recent dossiers are still open past their due time: overdue on the worklist.
        if due < self.now < due + timedelta(days=30) and rng.random() < 0.2:
            return
        at = step("mark_result_ready", self.ready_time(at, due))
        # Results are handed over at the desk, in office hours (not at 00:33 or 03:16).
        at = step("return_result", office(at + timedelta(hours=rng.randint(1, 60))))
        if rng.random() < 0.35 and at + timedelta(hours=2) <= self.now:
            self.rate(at)

    def maybe_apologize(self, at: datetime) -> datetime:
        """Form 04 two working days or more before the appointment, when the rules allow it;
        the new date a few working days later, within rules.new_due_refusal's bound."""
        dossier, rng = self.played.dossier, self.rng
        moment = max(at, self.office_moment(dossier.due_at - timedelta(days=4)))
        if moment > self.now or rules.apology_refusal(dossier, moment):
            return at
        new_day = self.next_working(dossier.due_at, rng.randint(1, 3)).date()
        if rules.new_due_refusal(dossier, clock.end_of_office_day(new_day, dossier.agency)):
            new_day = self.next_working(dossier.due_at, 1).date()
        return self.step("apologize", moment, reason=rng.choice(REASONS), new_due_at=new_day)

    def rate(self, returned_at: datetime) -> None:
        """rating.dossier_rate: the applicant's one rating of a returned dossier."""
        rng, dossier = self.rng, self.played.dossier
        if dossier.status != Status.RETURNED:
            raise NotAllowedInState("not returned")
        base = rng.choice([5, 5, 5, 4, 4, 4, 3, 2])
        levels = {
            name: max(1, min(5, base + rng.choice([0, 0, 0, -1, 1])))
            for name in services.RATING_FIELDS
        }
        rated_at = min(self.now, returned_at + timedelta(hours=rng.randint(2, 48)))
        self.played.rating = Rating(dossier=dossier, created_at=rated_at, **levels)
        self.record(
            "rate",
            rated_at,
            dossier.status,
            dossier.agency_id,
            due_before=dossier.due_at,
            data={"levels": levels},
        )

    def ready_time(self, at: datetime, due: datetime) -> datetime:
        """About 1 % late, a quarter on the due date, the rest early (DOMAIN §2: ≥ 99 %);
        always in office hours."""
        rng = self.rng
        outcome = rng.random()
        local_due = due.astimezone(self.tz)
        if outcome < 0.009:
            return self.next_working(due, rng.randint(1, 4), hour=rng.randint(8, 16))
        on_due_day = self.office_moment(
            max(at + timedelta(minutes=30), local_due.replace(hour=rng.randint(8, 15)))
        )
        if (
            outcome < 0.27
            or local_due.date() <= (at + timedelta(days=1)).astimezone(self.tz).date()
        ):
            return on_due_day
        earliest, latest = at + timedelta(hours=2), due - timedelta(days=1)
        moment = self.office_moment(earliest + (latest - earliest) * rng.random())
        return moment if moment <= latest else on_due_day
