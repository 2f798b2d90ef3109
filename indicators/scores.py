"""Evaluation scores computed from the statistics tables.

Circular 01/2018/TT-VPCP (art. 32–33) scores each settled dossier on nine indicators worth
0, 1 or 2 points and bands an agency by its average total over 18: ≥ 15 excellent,
12–15 good, 9–12 fair, 6–9 average, < 6 weak. Our data supports three of the nine:

1. time vs limit of the dossier (indicator 1): early 2, on time 1, late 0;
2. time vs sub-deadline of each agency in inter-agency flows (form 05 / Transfer);
3. online-service progress: share of dossiers received online, ≥ 50 % → 2, ≥ 20 % → 1,
   else 0 [our thresholds, unconfirmed: the circular scores the online level per dossier].

Scaling: the score shown is the mean of the indicators we can compute (each 0–2),
multiplied by 9, so it lands on the circular's 0–18 scale and its bands apply unchanged.
It is labelled as a partial evaluation wherever it is shown.

Decision 766/QĐ-TTg (2022) scorecard: groups, weights and sub-indicators are data
(ScoreGroup / ScoreIndicator); a sub-indicator with a metric earns its points scaled by
min(rate / full_at, 1); one without is shown as "chưa tính được".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .models import ScoreGroup
from .selectors import Coverage, Totals, rate

BANDS = [
    (Decimal(15), _("Xuất sắc")),
    (Decimal(12), _("Tốt")),
    (Decimal(9), _("Khá")),
    (Decimal(6), _("Trung bình")),
    (Decimal(0), _("Yếu")),
]
ONLINE_FULL, ONLINE_HALF = Decimal(50), Decimal(20)
TWO = Decimal("0.01")


@dataclass
class Circular01:
    time_points: Decimal | None
    transfer_points: Decimal | None
    online_points: Decimal | None

    @property
    def parts(self) -> list[Decimal]:
        return [
            p for p in (self.time_points, self.transfer_points, self.online_points) if p is not None
        ]

    @property
    def score(self) -> Decimal | None:
        if not self.parts:
            return None
        return (sum(self.parts) / len(self.parts) * 9).quantize(TWO)

    @property
    def band(self):
        if self.score is None:
            return None
        return next(label for floor, label in BANDS if self.score >= floor)


def _mean_points(early: int, on_time: int, late: int) -> Decimal | None:
    n = early + on_time + late
    if not n:
        return None
    return (Decimal(2 * early + on_time) / n).quantize(TWO)


def circular01(totals: Totals, transfers: dict | None) -> Circular01:
    online = totals.online_rate
    if online is None:
        online_points = None
    else:
        online_points = Decimal(2 if online >= ONLINE_FULL else 1 if online >= ONLINE_HALF else 0)
    transfer_points = _mean_points(**transfers) if transfers else None
    return Circular01(
        time_points=_mean_points(totals.settled_early, totals.settled_on_time, totals.settled_late),
        transfer_points=transfer_points,
        online_points=online_points,
    )


def metrics(totals: Totals, coverage: Coverage) -> dict[str, tuple[Decimal | None, str]]:
    """Each computable metric: (rate in %, its numerator/denominator in words)."""

    def basis(num, den, unit):
        return gettext("%(n)s/%(d)s %(unit)s") % {"n": num, "d": den, "unit": unit}

    return {
        "on_time_rate": (
            totals.on_time_rate,
            basis(totals.on_time, totals.settled, gettext("hồ sơ đã giải quyết")),
        ),
        "not_overdue_rate": (
            totals.not_overdue_rate,
            basis(totals.open_not_due, totals.open_total, gettext("hồ sơ đang giải quyết")),
        ),
        "online_rate": (
            totals.online_rate,
            basis(totals.received_online_all, totals.received, gettext("hồ sơ tiếp nhận")),
        ),
        "satisfaction_rate": (
            totals.satisfaction_rate,
            basis(totals.satisfied, totals.rated, gettext("lượt đánh giá")),
        ),
        "dvcqg_sync_rate": (
            totals.sync_rate,
            basis(totals.synced, totals.received, gettext("hồ sơ tiếp nhận")),
        ),
        "online_procedure_rate": (
            rate(coverage.online, coverage.total),
            basis(coverage.online, coverage.total, pgettext("số lượng", "thủ tục")),
        ),
    }


@dataclass
class ScoreLine:
    name: str
    max_points: Decimal
    points: Decimal | None  # None: chưa tính được
    basis: str = ""


@dataclass
class ScoreGroupResult:
    name: str
    weight: Decimal
    lines: list[ScoreLine]

    @property
    def points(self) -> Decimal:
        return sum((line.points or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def computable_max(self) -> Decimal:
        return sum((line.max_points for line in self.lines if line.points is not None), Decimal(0))


@dataclass
class Scorecard:
    groups: list[ScoreGroupResult]

    @property
    def points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def computable_max(self) -> Decimal:
        return sum((g.computable_max for g in self.groups), Decimal(0))

    @property
    def weight(self) -> Decimal:
        return sum((g.weight for g in self.groups), Decimal(0))


def decision766(totals: Totals, coverage: Coverage, online: dict | None = None) -> Scorecard:
    """The scorecard of a scope and period (two queries: groups with their indicators).

    `online`: dossiers.figures.online_metrics of the same scope and period, keyed by
    sub-indicator code (digitisation and online payment, issue 13).
    """
    values = {**metrics(totals, coverage), **(online or {})}
    out = []
    for group in ScoreGroup.objects.prefetch_related("indicators"):
        lines = []
        for ind in group.indicators.all():
            value, basis = values.get(ind.metric or ind.code, (None, ""))
            if value is None:
                lines.append(ScoreLine(gettext(ind.name), ind.points, None, basis))
                continue
            share = min(value / ind.full_at, Decimal(1)) if ind.full_at else Decimal(1)
            lines.append(
                ScoreLine(gettext(ind.name), ind.points, (ind.points * share).quantize(TWO), basis)
            )
        out.append(ScoreGroupResult(gettext(group.name), group.weight, lines))
    return Scorecard(out)
