"""Demo dossiers over the last 24 months, played through the real services.

Every dossier goes through dossier_receive / dossier_transition with explicit times, so codes,
sequences, due times, history and timeliness are exactly what the portal would have
produced. The mix follows the 2021 plan's world (DOMAIN §2, §8): about 96 % settled, about
1 % late, with supplements, apologies (form 04), transfers, fees, refusals, withdrawals and
ratings, and a few recent dossiers still open (some overdue).

Idempotent by top-up: demo dossiers carry applicant e-mails @vidu.invalid; with N already
there, `count=N` creates nothing and `count=N+k` creates k more. Kicks are skipped while
loading (services.bulk_load); the outbox rows of this past are demo rows that are never sent
(OutboxMessage.demo), and the monthly statistics are recomputed once at the end.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from procedures.models import Agency, Procedure

from . import services
from .calendar_store import get_calendar
from .codes import local_tz
from .errors import DomainError
from .models import DEMO_EMAIL_SUFFIX, Dossier, OutboxMessage
from .workflow import Status

DEMO_DOMAIN = DEMO_EMAIL_SUFFIX.lstrip("@")
DEMO_COMMUNE_GSO = "00070"  # Phường Hoàn Kiếm: where the demo officials work
MONTHS = 24
BATCH = 250

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
class _Plan:
    received_at: datetime
    procedure: Procedure
    agency: Agency
    channel: str


def _candidates() -> tuple[dict[int, Procedure], dict[int, Agency], list[tuple[int, int]]]:
    procedures = {
        p.pk: p
        for p in Procedure.objects.filter(status=Procedure.Status.PUBLISHED)
        .select_related("field")
        .prefetch_related("required_documents")
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


class _Loader:
    """One load: the random source, the clock, the calendar (built once: get_calendar asks
    the database on every call) and the agencies dossiers may be transferred to."""

    def __init__(self, *, rng: random.Random, now: datetime, partners: list[Agency]):
        self.rng, self.now, self.partners = rng, now, partners
        self.calendar = get_calendar()
        self.tz = local_tz()

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

    def plans(self, todo: int) -> list[_Plan]:
        rng, now = self.rng, self.now
        procedures, agencies, pairs = _candidates()
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
        plans: list[_Plan] = []
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
            plans.append(_Plan(received_at, procedure, agency, channel))
        return sorted(plans, key=lambda p: p.received_at)

    # --- playing one dossier ------------------------------------------------------------

    def play(self, plan: _Plan, n: int) -> None:
        """Receive one dossier and move it along a plausible path, never past `now`."""
        rng, now = self.rng, self.now
        common = {
            "procedure": plan.procedure,
            "agency": plan.agency,
            "channel": plan.channel,
            "applicant": self.applicant(n),
            "documents": [
                {"name": d.name, "form": d.form, "copies": d.copies}
                for d in plan.procedure.required_documents.all()
            ],
        }
        at = plan.received_at
        roll = rng.random()
        if roll < 0.005:
            services.dossier_refuse_intake(
                actor=None, reason="Hồ sơ không thuộc thẩm quyền giải quyết.", at=at, **common
            )
            return
        if plan.channel in services.ONLINE_CHANNELS:
            submitted_at = at - timedelta(hours=rng.randint(1, 40))
            if not plan.agency.is_valid_on(submitted_at.astimezone(self.tz).date()):
                submitted_at = at  # the unit opened that day
            dossier = services.dossier_submit_online(submitted_at=submitted_at, **common)
            # Yesterday's online submissions are partly still waiting at the desk.
            if now - at < timedelta(days=2) and rng.random() < 0.5:
                return
            if roll < 0.03:
                services.dossier_guide_incomplete(
                    actor=None,
                    missing=rng.choice(SUPPLEMENTS),
                    dossier_id=dossier.pk,
                    at=at,
                    **common,
                )
                at = self.next_working(at, rng.randint(1, 4))
                if at > now:
                    return
            dossier = _step(dossier, "accept", at)
        elif roll < 0.025:
            dossier = services.dossier_guide_incomplete(
                actor=None, missing=rng.choice(SUPPLEMENTS), at=at, **common
            )
            at = self.next_working(at, rng.randint(1, 3), hour=rng.randint(8, 14))
            if at > now:
                return
            dossier = _step(dossier, "accept", at)
        else:
            dossier = services.dossier_receive(actor=None, received_at=at, **common)
        self.dossier = dossier
        with contextlib.suppress(_Stop):
            self.lifecycle(plan)

    def step(self, action: str, moment: datetime, **params) -> datetime:
        if moment > self.now:
            raise _Stop
        self.dossier = _step(self.dossier, action, moment, **params)
        return moment

    def lifecycle(self, plan: _Plan) -> None:
        rng, step, next_working = self.rng, self.step, self.next_working
        at = self.dossier.received_at
        fate = rng.random()
        if fate < 0.01:
            step("refuse", next_working(at, rng.randint(1, 4)), reason=rng.choice(REASONS))
            return
        if fate < 0.017:
            step("withdraw", next_working(at, rng.randint(1, 3)), note="Công dân xin rút hồ sơ.")
            return
        at = step("start_processing", at + timedelta(minutes=rng.randint(20, 240)))
        if rng.random() < 0.05:
            at = step("request_supplement", next_working(at, 1), content=rng.choice(SUPPLEMENTS))
            at = step("receive_supplement", next_working(at, rng.randint(1, 8), hour=10))
        today = at.astimezone(self.tz).date()
        partners = [p for p in self.partners if p.pk != plan.agency.pk and p.is_valid_on(today)]
        long_enough = self.dossier.limit_unit != "working_hours" and self.dossier.limit_value >= 5
        if partners and long_enough and rng.random() < 0.05:
            at = step(
                "transfer",
                at + timedelta(hours=1),
                to_agency_id=rng.choice(partners).pk,
                limit_value=rng.choice([2, 3]),
                limit_unit="working_days",
            )
            back = next_working(at, rng.choice([1, 2, 2, 3, 4]), hour=rng.randint(8, 16))
            at = step("transfer_back", back)
        if plan.procedure.fee:
            at = step("request_fee", at + timedelta(hours=1), fee_amount=plan.procedure.fee)
            at = step("record_fee_paid", at + timedelta(minutes=rng.randint(20, 150)))
        due = self.dossier.due_at
        if rng.random() < 0.012 and due - timedelta(days=2) > at:
            new_day = next_working(due, rng.randint(2, 5)).date()
            at = step(
                "apologize",
                due - timedelta(days=2),
                reason=rng.choice(REASONS),
                new_due_at=new_day,
            )
            due = self.dossier.due_at
        # A few recent dossiers are still open past their due time: overdue on the worklist.
        if due < self.now < due + timedelta(days=30) and rng.random() < 0.2:
            return
        at = step("mark_result_ready", self.ready_time(at, due))
        # Results are handed over at the desk, in office hours (not at 00:33 or 03:16).
        at = step("return_result", self.office_moment(at + timedelta(hours=rng.randint(1, 60))))
        if rng.random() < 0.35 and at + timedelta(hours=2) <= self.now:
            base = rng.choice([5, 5, 5, 4, 4, 4, 3, 2])
            levels = {
                name: max(1, min(5, base + rng.choice([0, 0, 0, -1, 1])))
                for name in services.RATING_FIELDS
            }
            rated_at = min(self.now, at + timedelta(hours=rng.randint(2, 48)))
            services.dossier_rate(dossier_id=self.dossier.pk, levels=levels, at=rated_at)

    def ready_time(self, at: datetime, due: datetime) -> datetime:
        """About 1 % late, a quarter on the due date, the rest early (DOMAIN §2: ≥ 99 %)."""
        rng = self.rng
        outcome = rng.random()
        local_due = due.astimezone(self.tz)
        if outcome < 0.009:
            return self.next_working(due, rng.randint(1, 4), hour=rng.randint(8, 16))
        if (
            outcome < 0.27
            or local_due.date() <= (at + timedelta(days=1)).astimezone(self.tz).date()
        ):
            return max(at + timedelta(minutes=30), local_due.replace(hour=rng.randint(8, 15)))
        earliest, latest = at + timedelta(hours=2), due - timedelta(days=1)
        moment = earliest + (latest - earliest) * rng.random()
        in_hours = self.office_moment(moment)
        return in_hours if in_hours <= latest else moment


def _step(dossier: Dossier, action: str, at: datetime, **params) -> Dossier:
    return services.dossier_transition(
        actor=None, dossier_id=dossier.pk, action=action, at=at, **params
    )


def load_demo_dossiers(
    *, count: int, stdout=None, seed: int = 2021, now: datetime | None = None
) -> int:
    """Top the demo dossiers up to `count`; returns how many were created."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    now = now or timezone.now()
    existing = Dossier.objects.filter(applicant_email__endswith=f"@{DEMO_DOMAIN}").count()
    todo = count - existing
    if todo <= 0:
        say(f"Hồ sơ minh họa: đã có {existing}, không tạo thêm.")
        return 0
    partners = list(Agency.objects.filter(level=Agency.Level.DEPARTMENT))
    loader = _Loader(rng=random.Random(seed * 100_003 + existing), now=now, partners=partners)
    plans = loader.plans(todo)
    if not plans:
        say("Chưa có thủ tục gắn với cơ quan thực hiện: bỏ qua hồ sơ minh họa.")
        return 0
    say(f"Hồ sơ minh họa: tạo {len(plans)} hồ sơ trong {MONTHS} tháng qua…")
    skipped = 0
    # One transaction for the whole load (all or nothing, one commit); each dossier in its
    # own savepoint so that a refused random path drops that dossier only.
    with services.bulk_load(), transaction.atomic():
        for start in range(0, len(plans), BATCH):
            for offset, plan in enumerate(plans[start : start + BATCH]):
                try:
                    with transaction.atomic():
                        loader.play(plan, existing + start + offset + 1)
                except DomainError:  # an unlucky random path: drop that dossier
                    skipped += 1
            say(f"  hồ sơ {min(start + BATCH, len(plans))}/{len(plans)}")
    if skipped:
        say(f"  bỏ qua {skipped} hồ sơ có diễn biến không hợp lệ")
    # This past never happened at DVCQG: its outbox rows are demo data, never sent (outbox_add
    # marks them so; this covers rows written before that) and never shown as delivered.
    demo = Dossier.objects.filter(applicant_email__endswith=DEMO_EMAIL_SUFFIX)
    OutboxMessage.objects.filter(dossier__in=demo, delivered_at__isnull=True, demo=False).update(
        demo=True
    )
    demo.update(sync_state=Dossier.SyncState.NOT_REQUIRED, synced_at=None)
    _recompute_statistics(plans[0].received_at, now, say)
    settled = demo.filter(status__in=[Status.RESULT_READY, Status.RETURNED]).count()
    say(f"Hồ sơ minh họa: {demo.count()} hồ sơ, {settled} đã có kết quả.")
    return len(plans) - skipped


def _recompute_statistics(first: datetime, now: datetime, say) -> None:
    try:
        from indicators.services import stats_full_recompute
    except ImportError:  # the indicators app is optional for the demo
        return
    tz = local_tz()
    first_month = first.astimezone(tz).date().replace(day=1)
    last_month = now.astimezone(tz).date().replace(day=1)
    written = stats_full_recompute(first=first_month, last=last_month)
    say(f"Thống kê: tính lại {written} ô số liệu.")
