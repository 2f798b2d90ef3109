"""Demo dossiers over the last 24 months, computed in memory and written in bulk.

Each dossier is played in memory through the rules the services apply: the same checks at
intake (services._new_dossier, lifecycle.check_receivable), the same acceptance
(lifecycle.accept: limit, code format, due time from the deadline engine), the workflow map
(workflow.check_transition) for every step, the lifecycle handlers where they only change
the dossier, and the rules of dossiers.rules (timeliness, the apology window and bound, the
supplement window) where a handler would read or write other rows. Codes are numbered from an
in-memory copy of DossierSequence, gapless per agency and day, and the sequence rows are
written back with the dossiers. History rows and their outbox rows (state as it stood after
each event) are kept in memory and everything is written with bulk inserts in one
transaction: about 1,500 dossiers in seconds instead of minutes through the ORM one statement
at a time (issue 14). tests/dossiers/test_demo_load.py checks the loaded data against the
rules.

The mix follows the 2021 plan's world (DOMAIN §2, §8): about 96 % settled, about 1 % late,
with supplements, apologies (form 04), transfers, fees, refusals, withdrawals and ratings,
and a few recent dossiers still open (some overdue). Times of day are office hours for what
officials do (receipt, result, return); citizens submit online and rate at any hour.

Idempotent by top-up: demo dossiers carry applicant e-mails @vidu.invalid; with N already
there, `count=N` creates nothing and `count=N+k` creates k more. No messages are sent and no
after-commit kicks run; the outbox rows of this past are demo rows that are never sent
(OutboxMessage.demo), and the monthly statistics are recomputed once at the end.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from procedures.models import Agency

from .codes import local_tz
from .demo_play import BATCH, DEMO_COMMUNE_GSO, DEMO_DOMAIN, MONTHS, Loader, Played, Sequences
from .errors import DomainError
from .models import (
    DEMO_EMAIL_SUFFIX,
    Apology,
    Dossier,
    DossierEvent,
    OutboxMessage,
    Rating,
    SupplementRequest,
    Transfer,
)
from .outbox import outbox_message
from .workflow import Status

__all__ = ["DEMO_COMMUNE_GSO", "DEMO_DOMAIN", "MONTHS", "load_demo_dossiers"]


def load_demo_dossiers(
    *, count: int, stdout=None, seed: int = 2021, now: datetime | None = None
) -> int:
    """Top the demo dossiers up to `count`; returns how many were created. One transaction;
    writes dossiers, history, outbox, supplements, transfers, apologies, ratings, sequences
    and recomputes the monthly statistics; sends nothing."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    now = now or timezone.now()
    existing = Dossier.objects.filter(applicant_email__endswith=f"@{DEMO_DOMAIN}").count()
    todo = count - existing
    if todo <= 0:
        say(f"Hồ sơ minh họa: đã có {existing}, không tạo thêm.")
        return 0
    with transaction.atomic():
        first_day = (now - timedelta(days=round(MONTHS * 30.44) + 7)).astimezone(local_tz()).date()
        loader = Loader(
            rng=random.Random(seed * 100_003 + existing),
            now=now,
            partners=list(Agency.objects.filter(level=Agency.Level.DEPARTMENT)),
            sequences=Sequences(first_day),
        )
        plans = loader.plans(todo)
        if not plans:
            say("Chưa có thủ tục gắn với cơ quan thực hiện: bỏ qua hồ sơ minh họa.")
            return 0
        say(f"Hồ sơ minh họa: tạo {len(plans)} hồ sơ trong {MONTHS} tháng qua…")
        played, skipped = [], 0
        for offset, plan in enumerate(plans):
            mark = loader.sequences.mark()
            try:
                played.append(loader.play(plan, existing + offset + 1))
            except DomainError:  # an unlucky random path: drop that dossier, and its number
                loader.sequences.undo(mark)
                skipped += 1
            if (offset + 1) % BATCH == 0 or offset + 1 == len(plans):
                say(f"  hồ sơ {offset + 1}/{len(plans)}")
        if skipped:
            say(f"  bỏ qua {skipped} hồ sơ có diễn biến không hợp lệ")
        _write(played)
        loader.sequences.save()
        _recompute_statistics(plans[0].received_at, now, say)
    demo = Dossier.objects.filter(applicant_email__endswith=DEMO_EMAIL_SUFFIX)
    settled = demo.filter(status__in=[Status.RESULT_READY, Status.RETURNED]).count()
    say(f"Hồ sơ minh họa: {demo.count()} hồ sơ, {settled} đã có kết quả.")
    return len(played)


def _write(played: list[Played]) -> None:
    """Bulk inserts, parents first so that every row gets its foreign keys and ids."""
    Dossier.objects.bulk_create([p.dossier for p in played], batch_size=BATCH)
    transfers = list({id(t): t for p in played for t, _data in p.transfers}.values())
    Transfer.objects.bulk_create(transfers, batch_size=BATCH)
    for p in played:
        for transfer, data in p.transfers:
            data["transfer_id"] = transfer.pk
    events = [event for p in played for event, _payload in p.events]
    DossierEvent.objects.bulk_create(events, batch_size=BATCH)
    messages = []
    for p in played:
        for event, payload in p.events:
            payload["dossier_id"] = p.dossier.pk
            payload["event"]["id"] = event.pk
            messages.append(outbox_message(event, payload))
    OutboxMessage.objects.bulk_create(messages, batch_size=BATCH)
    SupplementRequest.objects.bulk_create(
        [s for p in played for s in p.supplements], batch_size=BATCH
    )
    Apology.objects.bulk_create([p.apology for p in played if p.apology], batch_size=BATCH)
    Rating.objects.bulk_create([p.rating for p in played if p.rating], batch_size=BATCH)


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
