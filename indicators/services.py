"""Writes of the indicators app: (re)computing the statistics tables.

Which month a dossier counts in (the definitions every page repeats):
- **received** in the month of `received_at` (Hanoi time), by channel; dossiers never
  accepted (submitted, incomplete, refused at intake) are not counted at all;
- **settled** (result ready or returned) in the month of `result_ready_at`, by its
  timeliness (early / on time / late, Circular 01/2018 indicator 1); **refused** and
  **withdrawn** in the month of `closed_at`; these three end a dossier's open life;
- **carried over** into a month: accepted before its first instant and not ended before it;
- **open not yet due / open overdue**: accepted and not ended by the month's end (for the
  current month: not ended yet); overdue when `due_at` (the appointment, or the single new
  date of an apology) is before the *period end*: the month's end for a past month, **now**
  for the current month;
- **synced**: received in the month and now synced to DVCQG;
- **ratings**: in the month the rating was given, by its overall level.

Every recompute deletes and rewrites its cells in one transaction, so it is idempotent and a
task killed halfway leaves the previous figures. On PostgreSQL a full recompute is one
INSERT … SELECT … GROUP BY over the dossier table (indicators.sql); the incremental path and
SQLite use the ORM per month (a handful of grouped queries, never a loop over dossiers).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from dossiers import figures, rules
from dossiers.models import Dossier, DossierEvent, DossierFile, OutboxMessage, Rating, Transfer
from dossiers.workflow import NOT_ACCEPTED_STATUSES, OPEN_STATUSES, SETTLED_STATUSES, Status

from . import closing, rollups, sql
from .models import MonthlyStat, StatsWatermark, TransferMonthlyStat
from .periods import (
    add_months,
    current_month,
    local_tz,
    month_bounds,
    month_of,
    months_between,
)

log = logging.getLogger(__name__)

# Advisory-lock keys (PostgreSQL): a full recompute excludes incremental ones.
LOCK_ALL = 72_100_001
LOCK_CELLS = 72_100  # two-key form: (LOCK_CELLS, agency id)
SWEEP_OVERLAP = timedelta(minutes=10)
SWEEP_MAX_CELLS = 2000

Cell = tuple[int, int, int]  # agency, field, procedure


def _lock(*, exclusive: bool) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers already
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cur:
        cur.execute(f"SELECT {fn}(%s)", [LOCK_ALL])  # noqa: S608 - fn is one of two literals


def lock_statistics() -> None:
    """Exclude every recompute until the transaction ends (closing a month takes it)."""
    _lock(exclusive=True)


def _lock_agencies(agency_ids) -> None:
    """Serialise incremental recomputes of the same agency's cells (PostgreSQL).

    Two refreshes of one cell would both delete and insert it; the second would hit the
    unique constraint. Locks are taken in id order so two tasks cannot deadlock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for agency_id in sorted(set(agency_ids)):
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CELLS, agency_id])


def _accepted_dossiers():
    """Dossiers that were accepted, with end_at: when their open life ended (or None)."""
    return (
        Dossier.objects.filter(received_at__isnull=False)
        .exclude(status__in=NOT_ACCEPTED_STATUSES)
        .annotate(
            end_at=Case(
                When(status__in=OPEN_STATUSES, then=Value(None, output_field=DateTimeField())),
                default=Coalesce("result_ready_at", "closed_at"),
                output_field=DateTimeField(),
            )
        )
    )


def _as_of(asof, *, running: bool):
    """Annotations: the dossier's status and due time as they stood at `asof`.

    From the last history row before `asof` when the dossier changed since; otherwise
    (and always for the running month, whose `asof` is now) today's columns are that
    state (indicators.sql does the same in SQL).
    """
    if running:
        return {"status_e": F("status"), "due_e": F("due_at")}
    last = DossierEvent.objects.filter(dossier=OuterRef("pk"), at__lt=asof).order_by("-at", "-id")
    changed = Q(updated_at__gte=asof) & Exists(last)
    return {
        "status_e": Case(
            When(changed, then=Subquery(last.values("to_status")[:1])),
            default=F("status"),
            output_field=CharField(),
        ),
        "due_e": Case(
            When(changed, then=Coalesce(Subquery(last.values("due_after")[:1]), F("due_at"))),
            default=F("due_at"),
            output_field=DateTimeField(),
        ),
    }


def overdue_q(asof) -> Q:
    """Overdue at `asof` over the _as_of annotations (indicators.sql.overdue_condition).

    As dossiers.rules defines it: a stopped clock (waiting for the applicant) is not overdue.
    """
    return rules.overdue_if_open_q(asof, status_field="status_e", due_field="due_e")


def synced_q(asof) -> Q:
    """The receipt had reached DVCQG by `asof` (indicators.sql.synced_condition)."""
    delivered = OutboxMessage.objects.filter(
        dossier=OuterRef("pk"), kind="create", delivered_at__lt=asof
    )
    return Q(sync_state=Dossier.SyncState.SYNCED) & (
        Q(synced_at__isnull=True) | Q(synced_at__lt=asof)
    ) | Q(Exists(delivered))


def _month_rows(month: date, cell_q: Q | None) -> dict[Cell, dict[str, int]]:
    """Counts of every cell of one month (optionally only the cells matching cell_q)."""
    start, end = month_bounds(month)
    asof = min(end, timezone.now())
    in_month = Q(end_at__gte=start, end_at__lt=end)
    # Open at the period end: not ended before the month's end (for the current month that
    # is every dossier not ended yet); stocks are judged as they stood at min(end, now).
    open_at_end = Q(end_at__isnull=True) | Q(end_at__gte=end)
    new = Q(received_at__gte=start)
    overdue = overdue_q(asof)
    qs = (
        _accepted_dossiers()
        .filter(Q(received_at__lt=end) & (Q(end_at__isnull=True) | Q(end_at__gte=start)))
        .annotate(**_as_of(asof, running=end > timezone.now()))
    )
    if cell_q is not None:
        qs = qs.filter(cell_q)
    settled = in_month & Q(status__in=SETTLED_STATUSES)
    rows = qs.values("agency_id", "field_id", "procedure_id").annotate(
        received=Count("id", filter=new),
        received_desk=Count("id", filter=new & Q(channel="desk")),
        received_post=Count("id", filter=new & Q(channel="post")),
        received_online=Count("id", filter=new & Q(channel="online")),
        received_dvcqg=Count("id", filter=new & Q(channel="dvcqg")),
        carried_over=Count("id", filter=Q(received_at__lt=start)),
        settled_early=Count("id", filter=settled & Q(timeliness="early")),
        settled_on_time=Count("id", filter=settled & Q(timeliness="on_time")),
        settled_late=Count("id", filter=settled & Q(timeliness="late")),
        refused=Count("id", filter=in_month & Q(status=Status.REFUSED)),
        withdrawn=Count("id", filter=in_month & Q(status=Status.WITHDRAWN)),
        # No due time (or no overdue) is "open, still in time", as indicators.sql counts it.
        open_not_due=Count("id", filter=open_at_end & (Q(due_e__isnull=True) | ~overdue)),
        open_overdue=Count("id", filter=open_at_end & overdue),
        synced=Count("id", filter=new & synced_q(asof)),
    )
    out: dict[Cell, dict[str, int]] = {}
    for r in rows:
        key = (r.pop("agency_id"), r.pop("field_id"), r.pop("procedure_id"))
        out[key] = r
    ratings = Rating.objects.filter(created_at__gte=start, created_at__lt=end)
    if cell_q is not None:
        ratings = ratings.filter(
            dossier__in=Dossier.objects.filter(cell_q).values("id"),
        )
    for r in ratings.values(
        "dossier__agency_id", "dossier__field_id", "dossier__procedure_id"
    ).annotate(**{f"rating_{k}": Count("id", filter=Q(overall=k)) for k in range(1, 6)}):
        key = (
            r.pop("dossier__agency_id"),
            r.pop("dossier__field_id"),
            r.pop("dossier__procedure_id"),
        )
        out.setdefault(key, {}).update(r)
    # The 766 online counts: every dossier received in the month (dossiers.figures).
    for r in figures.online_cells(start=start, end=end, cell_q=cell_q):
        key = (r.pop("agency_id"), r.pop("field_id"), r.pop("procedure_id"))
        out.setdefault(key, {}).update(r)
    return out


def _write_month(month: date, rows: dict[Cell, dict[str, int]]) -> int:
    objs = []
    for (agency_id, field_id, procedure_id), counts in rows.items():
        if not any(counts.values()):
            continue
        objs.append(
            MonthlyStat(
                agency_id=agency_id,
                field_id=field_id,
                procedure_id=procedure_id,
                month=month,
                **counts,
            )
        )
    MonthlyStat.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def _clamp(first: date, last: date) -> tuple[date, date]:
    # Months after the current one have no events yet: never store them.
    return first, min(last, current_month())


FIRST_MONTH = date(2021, 1, 1)  # the 2021–2025 plan: no statistics before it


def stats_full_recompute(
    *,
    year: int | None = None,
    first: date | None = None,
    last: date | None = None,
    everything: bool = False,
    progress=None,
) -> int:
    """Rebuild every cell of a year, a month range or everything; returns cells written.

    Side effects: rewrites MonthlyStat, TransferMonthlyStat and the live roll-up rows of
    the period in one transaction (idempotent; readers keep the old rows until it
    commits), then records restatements of closed months. `progress(step, seconds)` is
    called after each step (the management command prints it).
    """
    if everything:
        first, last = FIRST_MONTH, current_month()
    elif year is not None:
        first, last = date(year, 1, 1), date(year, 12, 1)
    if first is None or last is None:
        first = last = current_month()
    first, last = _clamp(first, last)
    if first > last:
        return 0
    months = months_between(first, last)
    step = _Stopwatch(progress)
    with transaction.atomic():
        _lock(exclusive=True)
        cleared = _clear_cells(first, last)
        step(cleared)
        if connection.vendor == "postgresql":
            written = sql.full_recompute(
                first, last, timezone.now(), step=step, empty=cleared == "truncate"
            )
        else:
            written = sum(_write_month(m, _month_rows(m, None)) for m in months)
        step(f"cells ({written})")
        _transfer_recompute(first, last, agency_ids=None)
        step("transfers")
        rollups.rebuild_months(months)
        step("roll-ups")
        restated = closing.record_restatements(months, action="recompute")
        step(f"restatements ({restated})")
    step("commit")
    log.info("indicators: full recompute %s..%s wrote %s cells", first, last, written)
    return written


class _Stopwatch:
    def __init__(self, progress):
        self.progress = progress
        self.t = time.monotonic()

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        if self.progress:
            self.progress(name, now - self.t)
        self.t = now


def _clear_cells(first: date, last: date) -> str:
    """Delete the period's cells; TRUNCATE when the period holds every cell (PostgreSQL).

    TRUNCATE writes no dead tuples for the next insert to step over, so a full rebuild
    runs on an empty, compact table. Only the roll-ups are read by pages meanwhile.
    """
    outside = MonthlyStat.objects.exclude(month__gte=first, month__lte=last).exists()
    if connection.vendor == "postgresql" and not outside:
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {MonthlyStat._meta.db_table}")  # noqa: S608 - model name
        return "truncate"
    MonthlyStat.objects.filter(month__gte=first, month__lte=last).delete()
    return "delete"


def _transfer_recompute(first: date, last: date, *, agency_ids) -> None:
    """Rebuild hand-off timeliness cells (per receiving agency of the transfer and month)."""
    start, _ = month_bounds(first)
    _, end = month_bounds(last)
    old = TransferMonthlyStat.objects.filter(month__gte=first, month__lte=last)
    qs = Transfer.objects.filter(returned_at__gte=start, returned_at__lt=end)
    if agency_ids is not None:
        old = old.filter(agency_id__in=agency_ids)
        qs = qs.filter(to_agency_id__in=agency_ids)
    old.delete()
    # One grouped query; months are truncated in Hanoi time (TruncMonth with the zone).
    objs = []
    rows = (
        qs.annotate(m=TruncMonth("returned_at", tzinfo=local_tz()))
        .values("to_agency_id", "m")
        .annotate(
            early=Count("id", filter=Q(timeliness="early")),
            on_time=Count("id", filter=Q(timeliness="on_time")),
            late=Count("id", filter=Q(timeliness="late")),
        )
        .order_by()
    )
    for r in rows:
        if r["early"] or r["on_time"] or r["late"]:
            objs.append(
                TransferMonthlyStat(
                    agency_id=r["to_agency_id"],
                    month=month_of(r["m"]),
                    early=r["early"],
                    on_time=r["on_time"],
                    late=r["late"],
                )
            )
    TransferMonthlyStat.objects.bulk_create(objs)


def _cells_recompute(
    cells: dict[Cell, set[date]], transfer_cells: dict[int, set[date]], *, cause: dict | None = None
) -> None:
    """Rebuild the given cells × months from the dossiers, in one transaction.

    cause (dossier_id, action, event_id) is recorded on any restatement of a closed month.
    """
    by_month: dict[date, set[Cell]] = defaultdict(set)
    for cell, months in cells.items():
        for m in months:
            if m <= current_month():
                by_month[m].add(cell)
    with transaction.atomic():
        _lock(exclusive=False)
        _lock_agencies([c[0] for c in cells] + list(transfer_cells))
        for month, month_cells in sorted(by_month.items()):
            cell_q = Q()
            for agency_id, field_id, procedure_id in month_cells:
                cell_q |= Q(agency_id=agency_id, field_id=field_id, procedure_id=procedure_id)
            MonthlyStat.objects.filter(month=month).filter(cell_q).delete()
            rows = _month_rows(month, cell_q)
            _write_month(month, {k: v for k, v in rows.items() if k in month_cells})
            rollups.rebuild_keys(
                [month],
                agency_ids={c[0] for c in month_cells},
                field_ids={c[1] for c in month_cells},
                procedure_ids={c[2] for c in month_cells},
            )
        for agency_id, months in transfer_cells.items():
            for m in sorted(months):
                _transfer_recompute(m, m, agency_ids=[agency_id])
        closing.record_restatements(by_month, **(cause or {"action": "refresh"}))


def _dossier_footprint(dossier_ids) -> tuple[dict[Cell, set[date]], dict[int, set[date]]]:
    """The cells and months a change to these dossiers can affect.

    A dossier counts in its receipt month (received, synced), its end month (settled,
    refused, withdrawn), its rating months, and as a stock (carried over, open, overdue) in
    the months between. Stocks of a past month are judged as they stood at its end (from
    the history), so a change now cannot move them: only the receipt and end months (a
    correction of those columns) and the months from the previous one to now are
    recomputed. The previous month is included because a kick may arrive after midnight
    of the first day for a change made before it.
    """
    now_month = current_month()
    cells: dict[Cell, set[date]] = defaultdict(set)
    history = DossierEvent.objects.filter(dossier=OuterRef("pk"))
    for r in (
        _accepted_dossiers()
        .filter(id__in=dossier_ids)
        .annotate(has_history=Exists(history))
        .values(
            "agency_id",
            "field_id",
            "procedure_id",
            "received_at",
            "end_at",
            "updated_at",
            "has_history",
        )
    ):
        cell = (r["agency_id"], r["field_id"], r["procedure_id"])
        first = month_of(r["received_at"])
        since = add_months(month_of(r["updated_at"]), -1)
        if r["end_at"] is not None:
            # An end earlier than the change (a correction) removes the dossier from the
            # stocks of every month after it.
            since = min(since, month_of(r["end_at"]))
        if not r["has_history"]:
            # Without history rows its past stocks are judged on today's columns: any
            # change can move every month since its receipt (imports, tests, old data).
            since = first
        cells[cell].add(first)
        cells[cell].update(months_between(max(first, since), now_month))
    # The 766 online counts take every dossier received in the month, accepted or not.
    for r in Dossier.objects.filter(id__in=dossier_ids, received_at__isnull=False).values(
        "agency_id", "field_id", "procedure_id", "received_at"
    ):
        cells[(r["agency_id"], r["field_id"], r["procedure_id"])].add(month_of(r["received_at"]))
    for r in Rating.objects.filter(dossier_id__in=dossier_ids).values(
        "created_at", "dossier__agency_id", "dossier__field_id", "dossier__procedure_id"
    ):
        cell = (r["dossier__agency_id"], r["dossier__field_id"], r["dossier__procedure_id"])
        cells[cell].add(month_of(r["created_at"]))
    transfer_cells: dict[int, set[date]] = defaultdict(set)
    for r in Transfer.objects.filter(dossier_id__in=dossier_ids, returned_at__isnull=False).values(
        "to_agency_id", "returned_at"
    ):
        transfer_cells[r["to_agency_id"]].add(month_of(r["returned_at"]))
    return cells, transfer_cells


def stats_refresh_dossier(*, dossier_id: int) -> None:
    """Recompute the cells and months a change to one dossier can affect (see footprint).

    Side effects: rewrites those MonthlyStat / TransferMonthlyStat rows in one transaction.
    A dossier whose agency or procedure changed leaves its old cells to the nightly full
    recompute.
    """
    cells, transfer_cells = _dossier_footprint([dossier_id])
    if cells or transfer_cells:
        event = (
            DossierEvent.objects.filter(dossier_id=dossier_id)
            .order_by("-at", "-id")
            .values("id", "action")
            .first()
        )
        cause = {"dossier_id": dossier_id, "action": "", "event_id": None}
        if event:
            cause.update(action=event["action"], event_id=event["id"])
        _cells_recompute(cells, transfer_cells, cause=cause)


def stats_recompute_recent() -> int:
    """Recompute the current and previous month (overdue counts move with the clock)."""
    now_month = current_month()
    return stats_full_recompute(first=add_months(now_month, -1), last=now_month)


def stats_sweep_changes() -> int:
    """Catch dossier changes whose after-commit kick was lost; returns dossiers swept.

    Reads dossiers updated since the watermark (minus an overlap, because a transaction can
    commit after a later one: re-reading is harmless, the recompute is idempotent) and new
    ratings, transfers and files, then recomputes their cells and moves the watermark.
    Side effects: MonthlyStat rows, the "dossiers" StatsWatermark row.
    """
    wm, _ = StatsWatermark.objects.get_or_create(name="dossiers")
    since = (wm.updated_at - SWEEP_OVERLAP) if wm.updated_at else None
    changed = Dossier.objects.all()
    if since is not None:
        changed = changed.filter(updated_at__gte=since)
    latest = changed.order_by("-updated_at").values_list("updated_at", flat=True).first()
    rating_ids = Rating.objects.filter(id__gt=wm.rating_id)
    transfer_ids = Transfer.objects.filter(id__gt=wm.transfer_id)
    max_rating = rating_ids.order_by("-id").values_list("id", flat=True).first()
    max_transfer = transfer_ids.order_by("-id").values_list("id", flat=True).first()
    file_ids = DossierFile.objects.filter(id__gt=wm.file_id)
    max_file = file_ids.order_by("-id").values_list("id", flat=True).first()
    ids = (
        changed.values("id")
        .union(rating_ids.values("dossier_id"))
        .union(transfer_ids.values("dossier_id"))
        .union(file_ids.values("dossier_id"))
    )
    dossier_ids = [r["id"] for r in ids]
    if dossier_ids:
        cells, transfer_cells = _dossier_footprint(dossier_ids)
        if sum(len(m) for m in cells.values()) > SWEEP_MAX_CELLS:
            # Mass change (import, migration): one full recompute per year is cheaper.
            years = sorted({m.year for months in cells.values() for m in months})
            for y in years:
                stats_full_recompute(year=y)
        else:
            _cells_recompute(cells, transfer_cells)
    StatsWatermark.objects.filter(pk=wm.pk).update(
        updated_at=latest or wm.updated_at,
        rating_id=max_rating or wm.rating_id,
        transfer_id=max_transfer or wm.transfer_id,
        file_id=max_file or wm.file_id,
    )
    return len(dossier_ids)
