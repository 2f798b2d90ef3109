"""Closing a month: its figures are published and frozen; later changes are restatements.

Published figures are data with a date, not a view over today's rows (HOUSE_STYLE,
"Published numbers"; DOMAIN §7). Closing month M copies the live roll-up rows of M (and of
every earlier month not yet closed: months close in order) into published rows, which the
pages, downloads and API read from then on. The recomputes keep rewriting live rows only;
after each one, any figure of a closed month whose live value differs from the last value
shown is recorded as a Restatement (which figure, old and new value, the dossier and the
action that caused it, when), and shown beside the published figure.

Stocks of a past month (open, overdue, synced) are judged as they stood at its end, from
the history (indicators.sql / services._as_of), so ordinary work after the month's end does
not restate it; corrections of past columns (a receipt time, a channel, an agency) do.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dossiers.errors import InvalidInput

from . import pagecache
from .models import (
    AgencyMonthStat,
    CityMonthStat,
    FieldMonthStat,
    MonthClose,
    MonthlyStat,
    ProcedureMonthStat,
    Restatement,
)
from .periods import add_months, current_month, month_bounds, months_between
from .rollups import ALL_ROLLUPS

CACHE_KEY = "indicators:closed-through"
COUNTS = MonthlyStat.COUNT_FIELDS
# Restatements are recorded for the figures the disclosure publishes.
RESTATED = (
    (Restatement.Dimension.CITY, CityMonthStat, None),
    (Restatement.Dimension.AGENCY, AgencyMonthStat, "agency_id"),
    (Restatement.Dimension.FIELD, FieldMonthStat, "field_id"),
)


def closed_through() -> date | None:
    """The last closed month, or None (cached: every dashboard query asks)."""
    value = cache.get(CACHE_KEY)
    if value is None:
        value = MonthClose.objects.aggregate(m=Max("month"))["m"] or "none"
        cache.set(CACHE_KEY, value, 300)
    return None if value == "none" else value


def is_closed(month: date) -> bool:
    last = closed_through()
    return last is not None and month <= last


def _publish(month: date) -> None:
    cols = ", ".join(MonthlyStat.ALL_COUNTS)
    for model in ALL_ROLLUPS:
        key = {
            AgencyMonthStat: "agency_id, ",
            FieldMonthStat: "field_id, ",
            ProcedureMonthStat: "procedure_id, ",
        }.get(model, "")
        table = model._meta.db_table
        model.objects.filter(month=month, published=True).delete()
        with connection.cursor() as cur:
            cur.execute(
                f"""INSERT INTO {table} ({key}month, published, {cols}, computed_at)
                SELECT {key}month, %s, {cols}, computed_at FROM {table}
                WHERE month = %s AND published = %s""",  # noqa: S608 - names from models
                [True, month, False],
            )


def month_close(*, month: date, user=None, automatic: bool = False) -> list[date]:
    """Close a month (and every earlier open one); returns the months closed.

    Side effects: published roll-up rows and a MonthClose row per month, in one
    transaction, under the recompute lock so no recompute writes half-way through.
    """
    from .services import lock_statistics

    month = date(month.year, month.month, 1)
    if month >= current_month():
        raise InvalidInput("Chỉ khóa sổ được tháng đã kết thúc.")
    with transaction.atomic():
        lock_statistics()
        last = MonthClose.objects.aggregate(m=Max("month"))["m"]
        if last is not None and month <= last:
            return []
        if last is not None:
            first = add_months(last, 1)
        else:
            earliest = (
                CityMonthStat.objects.filter(published=False)
                .order_by("month")
                .values_list("month", flat=True)
                .first()
            )
            first = min(earliest or month, month)
        now = timezone.now()
        months = months_between(first, month)
        for m in months:
            _publish(m)
            MonthClose.objects.create(month=m, closed_at=now, closed_by=user, automatic=automatic)
        transaction.on_commit(lambda: cache.delete(CACHE_KEY))
        pagecache.bump()
    cache.delete(CACHE_KEY)
    return months


def close_due_months(*, now=None) -> list[date]:
    """Close the last month once STATS_CLOSE_AFTER_WORKING_DAYS working days have passed."""
    from dossiers.clock import working_days_since

    now = now or timezone.now()
    last_month = add_months(current_month(), -1)
    if is_closed(last_month):
        return []
    _, end = month_bounds(last_month)
    waited = working_days_since(end - timedelta(seconds=1), now)
    if waited < settings.STATS_CLOSE_AFTER_WORKING_DAYS:
        return []
    return month_close(month=last_month, automatic=True)


def record_restatements(
    months, *, dossier_id: int | None = None, action: str = "", event_id: int | None = None
) -> int:
    """Compare live and published figures of the closed months given; record differences.

    The old value of a restatement is the last value shown (the published one, or the last
    restatement's new value), so a figure restated twice has two rows. Returns rows written.
    """
    last = closed_through()
    months = sorted(m for m in set(months) if last is not None and m <= last)
    if not months:
        return 0
    now = timezone.now()
    new_rows = []
    for month in months:
        shown: dict[tuple, int] = {}
        for r in Restatement.objects.filter(month=month).order_by("recorded_at", "id"):
            shown[(r.dimension, r.key, r.figure)] = r.new_value
        for dimension, model, key in RESTATED:
            fields = [key] if key else []
            rows = model.objects.filter(month=month).values("published", *fields, *COUNTS)
            live: dict[int, dict] = {}
            published: dict[int, dict] = {}
            for r in rows:
                (published if r["published"] else live)[r[key] if key else 0] = r
            for k in set(live) | set(published):
                for figure in COUNTS:
                    new = (live.get(k) or {}).get(figure, 0)
                    old = shown.get((dimension, k, figure), (published.get(k) or {}).get(figure, 0))
                    if new != old:
                        new_rows.append(
                            Restatement(
                                month=month,
                                dimension=dimension,
                                key=k,
                                figure=figure,
                                old_value=old,
                                new_value=new,
                                dossier_id=dossier_id,
                                action=action[:64],
                                event_id=event_id,
                                recorded_at=now,
                            )
                        )
    Restatement.objects.bulk_create(new_rows)
    if new_rows:
        pagecache.bump()
    return len(new_rows)


def restatements_for(month: date, *, dimension=None) -> list[Restatement]:
    qs = Restatement.objects.filter(month=month).select_related("dossier")
    if dimension is not None:
        qs = qs.filter(dimension=dimension)
    return list(qs)
