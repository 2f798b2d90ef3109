"""Reads of the indicators app. They read the statistics tables only, never dossiers.

Period totals: flows (received, settled, refused, withdrawn, synced, ratings) are summed
over the months; stocks are taken at the edges: carried over = the first month's,
open / overdue = the last month's (the period end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.access import scope_for
from procedures.models import Agency, Procedure

from .models import (
    AgencyMonthStat,
    CityMonthStat,
    FieldMonthStat,
    MonthlyStat,
    ProcedureMonthStat,
    Target,
    TrainingRosterEntry,
    TransferMonthlyStat,
)
from .periods import months_between

FLOWS = (
    "received",
    "received_desk",
    "received_post",
    "received_online",
    "received_dvcqg",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "refused",
    "withdrawn",
    "synced",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
)
# Levels from the top down, for grouped tables.
LEVEL_ORDER = {"city": 0, "service_center": 1, "department": 2, "district": 3, "commune": 4}
# Below this many settled dossiers in the period an agency is listed but not ranked.
RANKING_MIN_SETTLED = 30


def rate(num: int, den: int) -> Decimal | None:
    """A percentage with two decimals, or None when there is nothing to divide by."""
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"))


@dataclass
class Totals:
    received: int = 0
    received_desk: int = 0
    received_post: int = 0
    received_online: int = 0
    received_dvcqg: int = 0
    carried_over: int = 0
    settled_early: int = 0
    settled_on_time: int = 0
    settled_late: int = 0
    refused: int = 0
    withdrawn: int = 0
    open_not_due: int = 0
    open_overdue: int = 0
    synced: int = 0
    rating_1: int = 0
    rating_2: int = 0
    rating_3: int = 0
    rating_4: int = 0
    rating_5: int = 0
    label: str = ""
    key: object = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict, **kw) -> Totals:
        names = cls.__dataclass_fields__
        return cls(**{k: (v or 0) for k, v in row.items() if k in names}, **kw)

    @property
    def settled(self) -> int:
        return self.settled_early + self.settled_on_time + self.settled_late

    @property
    def on_time(self) -> int:
        return self.settled_early + self.settled_on_time

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.settled)

    @property
    def received_online_all(self) -> int:
        return self.received_online + self.received_dvcqg

    @property
    def online_rate(self):
        return rate(self.received_online_all, self.received)

    @property
    def rated(self) -> int:
        return sum(getattr(self, f"rating_{k}") for k in range(1, 6))

    @property
    def satisfied(self) -> int:
        return self.rating_4 + self.rating_5

    @property
    def satisfaction_rate(self):
        return rate(self.satisfied, self.rated)

    @property
    def sync_rate(self):
        return rate(self.synced, self.received)

    @property
    def open_total(self) -> int:
        return self.open_not_due + self.open_overdue

    @property
    def not_overdue_rate(self):
        return rate(self.open_not_due, self.open_total)


def _sums(first: date, last: date) -> dict:
    agg = {k: Sum(k) for k in FLOWS}
    agg["carried_over"] = Sum("carried_over", filter=Q(month=first))
    agg["open_not_due"] = Sum("open_not_due", filter=Q(month=last))
    agg["open_overdue"] = Sum("open_overdue", filter=Q(month=last))
    return agg


def closed_through() -> date | None:
    """The last closed month (months close in order), or None; see indicators.closing."""
    from .closing import closed_through as _closed

    return _closed()


def _frozen(qs, model):
    """Published rows for closed months, live rows for the others (roll-ups only)."""
    if model is MonthlyStat:
        return qs
    last_closed = closed_through()
    if last_closed is None:
        return qs.filter(published=False)
    return qs.filter(
        Q(month__lte=last_closed, published=True) | Q(month__gt=last_closed, published=False)
    )


def _source(agency_ids=None, procedure_id=None):
    """The smallest table that answers: a roll-up, or the finest cells of one key.

    The finest cells are read only when both an agency set and a procedure are given, or
    for one agency's procedures: both filtered by an index to a few hundred rows.
    """
    if agency_ids is not None and procedure_id is not None:
        qs = MonthlyStat.objects.filter(agency_id__in=agency_ids, procedure_id=procedure_id)
        return qs, MonthlyStat
    if procedure_id is not None:
        return ProcedureMonthStat.objects.filter(procedure_id=procedure_id), ProcedureMonthStat
    if agency_ids is not None:
        return AgencyMonthStat.objects.filter(agency_id__in=agency_ids), AgencyMonthStat
    return CityMonthStat.objects.all(), CityMonthStat


def _stats(first: date, last: date, agency_ids=None, procedure_id=None):
    qs, model = _source(agency_ids, procedure_id)
    return _frozen(qs.filter(month__gte=first, month__lte=last), model)


def _agency_stats(first: date, last: date, agency_ids=None, procedure_id=None):
    """Rows keyed by agency: the agency roll-up, or the finest cells of one procedure."""
    if procedure_id is not None:
        qs = MonthlyStat.objects.filter(procedure_id=procedure_id)
        if agency_ids is not None:
            qs = qs.filter(agency_id__in=agency_ids)
        return qs.filter(month__gte=first, month__lte=last)
    qs = AgencyMonthStat.objects.filter(month__gte=first, month__lte=last)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return _frozen(qs, AgencyMonthStat)


def period_totals(*, first: date, last: date, agency_ids=None, procedure_id=None) -> Totals:
    """City (or scoped) totals of a period: one aggregate query over a roll-up."""
    row = _stats(first, last, agency_ids, procedure_id).aggregate(**_sums(first, last))
    return Totals.from_row(row)


def online_counts(*, first: date, last: date, agency_ids=None) -> dict[str, int]:
    """The Decision 766 online counts of a period (dossiers.figures), from a roll-up.

    Live rows even for a closed month: these counts are not published in the disclosure
    and follow the dossiers received in the period (a result or a payment comes later).
    """
    if agency_ids is None:
        qs = CityMonthStat.objects.all()
    else:
        qs = AgencyMonthStat.objects.filter(agency_id__in=agency_ids)
    row = qs.filter(published=False, month__gte=first, month__lte=last).aggregate(
        **{k: Sum(k) for k in MonthlyStat.ONLINE_FIELDS}
    )
    return {k: v or 0 for k, v in row.items()}


def by_agency(*, first: date, last: date, agency_ids=None, procedure_id=None) -> list[Totals]:
    """One Totals per agency with activity in the period, by level then name."""
    rows = (
        _agency_stats(first, last, agency_ids, procedure_id)
        .values("agency_id", "agency__name", "agency__level")
        .annotate(**_sums(first, last))
        .order_by("agency__level", "agency__name")
    )
    levels = dict(Agency.Level.choices)
    rows = sorted(rows, key=lambda r: (LEVEL_ORDER.get(r["agency__level"], 9), r["agency__name"]))
    return [
        Totals.from_row(
            r,
            label=r["agency__name"],
            key=r["agency_id"],
            extra={"level": r["agency__level"], "level_label": levels.get(r["agency__level"])},
        )
        for r in rows
    ]


def by_field(*, first: date, last: date, agency_ids=None) -> list[Totals]:
    """One Totals per lĩnh vực (field) with activity in the period, by name.

    City-wide from the field roll-up; for a set of agencies from their finest cells.
    """
    if agency_ids is None:
        qs = _frozen(
            FieldMonthStat.objects.filter(month__gte=first, month__lte=last), FieldMonthStat
        )
    else:
        qs = MonthlyStat.objects.filter(agency_id__in=agency_ids, month__gte=first, month__lte=last)
    rows = (
        qs.values("field_id", "field__name", "field__code")
        .annotate(**_sums(first, last))
        .order_by("field__name")
    )
    return [
        Totals.from_row(
            r, label=r["field__name"], key=r["field_id"], extra={"code": r["field__code"]}
        )
        for r in rows
    ]


def by_level(*, first: date, last: date, agency_ids=None) -> list[Totals]:
    levels = dict(Agency.Level.choices)
    rows = (
        _agency_stats(first, last, agency_ids)
        .values("agency__level")
        .annotate(**_sums(first, last))
        .order_by("agency__level")
    )
    return [
        Totals.from_row(r, label=str(levels.get(r["agency__level"], "")), key=r["agency__level"])
        for r in sorted(rows, key=lambda r: LEVEL_ORDER.get(r["agency__level"], 9))
    ]


def by_procedure(*, first: date, last: date, agency_ids=None, limit=20) -> list[Totals]:
    if agency_ids is None:
        qs = _frozen(
            ProcedureMonthStat.objects.filter(month__gte=first, month__lte=last),
            ProcedureMonthStat,
        )
    else:
        qs = MonthlyStat.objects.filter(agency_id__in=agency_ids, month__gte=first, month__lte=last)
    # The busiest first by one sum without the names, then every sum of those only: the
    # city-wide year is ≈ 2,000 procedures × 12 months of roll-up rows.
    top = (
        qs.values("procedure_id")
        .annotate(n=Sum("received"))
        .order_by("-n", "procedure_id")
        .values_list("procedure_id", flat=True)[:limit]
    )
    rows = (
        qs.filter(procedure_id__in=top)  # a subquery: one statement
        .values("procedure_id", "procedure__national_code", "procedure__name")
        .annotate(**_sums(first, last))
        .order_by("-received", "procedure_id")
    )
    return [
        Totals.from_row(
            r,
            label=f"{r['procedure__national_code']} – {r['procedure__name']}",
            key=r["procedure_id"],
        )
        for r in rows
    ]


def monthly_trend(*, first: date, last: date, agency_ids=None, procedure_id=None) -> list[Totals]:
    """One Totals per month of the period (months without data are zero)."""
    rows = (
        _stats(first, last, agency_ids, procedure_id)
        .values("month")
        .annotate(**{k: Sum(k) for k in (*FLOWS, "carried_over", "open_not_due", "open_overdue")})
        .order_by("month")
    )
    got = {r["month"]: r for r in rows}
    return [
        Totals.from_row(got.get(m, {}), label=f"{m:%m/%Y}", key=m)
        for m in months_between(first, last)
    ]


def yearly_trend(*, agency_ids=None, procedure_id=None) -> list[Totals]:
    """Flows per calendar year over every year in the table (stocks are not summed)."""
    qs, model = _source(agency_ids, procedure_id)
    rows = (
        _frozen(qs, model)
        .annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(**{k: Sum(k) for k in FLOWS})
        .order_by("year")
    )
    return [Totals.from_row(r, label=str(r["year"]), key=r["year"]) for r in rows]


def ranking(
    rows: list[Totals], *, min_settled: int = RANKING_MIN_SETTLED
) -> tuple[list[Totals], list[Totals]]:
    """(ranked, too small): by on-time rate, then volume; small agencies are not ranked."""
    ranked = [r for r in rows if r.settled >= min_settled]
    small = [r for r in rows if r.settled < min_settled]
    ranked.sort(key=lambda r: (-(r.on_time_rate or 0), -r.settled, r.label))
    return ranked, small


def transfer_totals(*, first: date, last: date, agency_ids=None) -> dict[int, dict]:
    qs = TransferMonthlyStat.objects.filter(month__gte=first, month__lte=last)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    rows = qs.values("agency_id").annotate(e=Sum("early"), o=Sum("on_time"), la=Sum("late"))
    return {r["agency_id"]: {"early": r["e"], "on_time": r["o"], "late": r["la"]} for r in rows}


@dataclass
class Coverage:
    """DVCQG coverage as the 2021 plan defines it (target: 30 %), as of a date.

    Denominator: procedures offered at online level 3/4 (partial or full online) on that
    date; numerator: those of them integrated with DVCQG by that date (DOMAIN §2, §7).
    """

    total: int
    full: int
    partial: int
    online_integrated: int
    as_of: date | None = None

    @property
    def online(self) -> int:
        return self.full + self.partial

    @property
    def integration_rate(self):
        return rate(self.online_integrated, self.online)

    @property
    def online_rate(self):
        return rate(self.online, self.total)


def procedure_coverage(*, agency_id: int | None = None, as_of: date | None = None) -> Coverage:
    """From the catalogue (not dossiers), as of a date (default: today); one query.

    A procedure counts as online from `online_mode_since` and as integrated from
    `dvcqg_integrated_on`. For a past date a procedure without that date is not counted
    (nothing shows it was online or integrated then); today's flags hold for today.
    """
    today = timezone.localdate()
    as_of = as_of or today
    qs = Procedure.objects.filter(status=Procedure.Status.PUBLISHED)
    if agency_id is not None:
        qs = qs.filter(agencies=agency_id)
    modes = Procedure.OnlineMode
    if as_of >= today:
        since_ok = Q()
        integrated = Q(dvcqg_integrated=True)
    else:
        since_ok = Q(online_mode_since__lte=as_of)
        integrated = Q(dvcqg_integrated=True, dvcqg_integrated_on__lte=as_of)
    online = Q(online_mode__in=[modes.PARTIAL, modes.FULL]) & since_ok
    row = qs.aggregate(
        total=Count("id", distinct=True),
        full=Count("id", filter=Q(online_mode=modes.FULL) & since_ok, distinct=True),
        partial=Count("id", filter=Q(online_mode=modes.PARTIAL) & since_ok, distinct=True),
        online_integrated=Count("id", filter=online & integrated, distinct=True),
    )
    return Coverage(**row, as_of=as_of)


def year_end(year: int) -> date:
    """The date a year's figures are taken at: 31 December, or today for this year."""
    return min(date(year, 12, 31), timezone.localdate())


def commune_training(*, as_of: date | None = None, agency_id: int | None = None):
    """(trained, to be trained) commune officials, from the imported roster (2021 plan: 100 %).

    Trained: a roster entry with a training date on or before `as_of` (default: today).
    """
    as_of = as_of or timezone.localdate()
    qs = TrainingRosterEntry.objects.all()
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    row = qs.aggregate(total=Count("id"), trained=Count("id", filter=Q(trained_on__lte=as_of)))
    return row["trained"], row["total"]


def commune_training_by_commune(*, as_of: date | None = None) -> list[dict]:
    """Per commune on the roster: name, trained, total, rate; the lowest rates first."""
    as_of = as_of or timezone.localdate()
    rows = (
        TrainingRosterEntry.objects.values("agency_id", "agency__name")
        .annotate(total=Count("id"), trained=Count("id", filter=Q(trained_on__lte=as_of)))
        .order_by("agency__name")
    )
    out = [{**r, "rate": rate(r["trained"], r["total"])} for r in rows]
    return sorted(out, key=lambda r: (r["rate"] or 0, r["agency__name"]))


@dataclass
class Progress:
    target: Target
    actual: Decimal | None
    numerator: int
    denominator: int
    denominator_label: str

    @property
    def met(self) -> bool | None:
        return None if self.actual is None else self.actual >= self.target.value


def targets_for(year: int, *, agency_id: int | None = None) -> list[Target]:
    """The target of each metric in force in a year (the latest that started by then).

    For an agency, its own target of a metric replaces the city-wide one.
    """
    chosen: dict[str, Target] = {}
    qs = Target.objects.filter(year_from__lte=year).filter(
        Q(agency__isnull=True) | Q(agency_id=agency_id)
    )
    # City-wide first, then the agency's own, each by start year: the last one wins.
    for t in sorted(qs, key=lambda t: (t.agency_id is not None, t.year_from)):
        if t.year_to is None or t.year_to >= year:
            chosen[t.metric] = t
    return sorted(chosen.values(), key=lambda t: t.metric)


def targets_progress(
    year: int, totals: Totals, coverage: Coverage, *, agency_id: int | None = None
) -> list[Progress]:
    """Each target in force in the year against that year's value (coverage as of its end)."""
    trained, officials = commune_training(as_of=year_end(year), agency_id=agency_id)
    M = Target.Metric
    values = {
        M.SATISFACTION: (totals.satisfied, totals.rated, _("lượt đánh giá")),
        M.ON_TIME: (totals.on_time, totals.settled, _("hồ sơ đã giải quyết")),
        M.DVCQG_INTEGRATION: (
            coverage.online_integrated,
            coverage.online,
            _("thủ tục trực tuyến mức độ 3, 4"),
        ),
        M.COMMUNE_TRAINED: (trained, officials, _("cán bộ cấp xã")),
        M.ONLINE_RATE: (totals.received_online_all, totals.received, _("hồ sơ tiếp nhận")),
        M.DVCQG_SYNC: (totals.synced, totals.received, _("hồ sơ tiếp nhận")),
    }
    out = []
    for t in targets_for(year, agency_id=agency_id):
        num, den, label = values[t.metric]
        out.append(Progress(t, rate(num, den), num, den, label))
    return out


def dashboard_scope(user):
    """Agency ids an official's dashboards cover (None = the whole city).

    Inspectors and superusers see every agency; an agency official sees the city overview
    (totals, ranking: the same figures the public disclosure publishes) and the detail of
    their own agencies. Users with no role get 403.
    """
    scope = scope_for(user)
    if not scope.is_official and not (user.is_authenticated and user.is_staff):
        raise PermissionDenied
    if scope.all_agencies or user.is_superuser:
        return None
    return scope.agency_ids or frozenset()
