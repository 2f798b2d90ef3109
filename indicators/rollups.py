"""Roll-ups: the statistics at (agency, month), (field, month), (procedure, month) and
(city, month), summed from the finest cells (MonthlyStat).

Every page, download and API figure reads these tables (a few hundred rows a month,
whatever the number of dossiers), never the finest cells of a whole city-year. They are
written by the same code paths that write the finest cells: the full recompute rebuilds the
roll-ups of its months, an incremental refresh rebuilds only the roll-up rows of the keys
and months it touched. Only live rows (published = False) are written here; published rows
are the frozen snapshot of a closed month (indicators.closing).

The SQL is plain INSERT … SELECT … GROUP BY, valid on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.utils import timezone

from . import pagecache
from .models import (
    AgencyMonthStat,
    CityMonthStat,
    FieldMonthStat,
    MonthlyStat,
    ProcedureMonthStat,
)

COUNTS = MonthlyStat.ALL_COUNTS  # the online counts roll up too
# (roll-up model, its key column in MonthlyStat and in the roll-up)
KEYED = (
    (AgencyMonthStat, "agency_id"),
    (FieldMonthStat, "field_id"),
    (ProcedureMonthStat, "procedure_id"),
)
ALL_ROLLUPS = (AgencyMonthStat, FieldMonthStat, ProcedureMonthStat, CityMonthStat)


def _in(column: str, values: Iterable) -> tuple[str, list]:
    values = list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _insert(target, key: str | None, source: str, where: list[tuple[str, list]]) -> None:
    sums = ", ".join(f"SUM({c})" for c in COUNTS)
    cols = ", ".join(COUNTS)
    key_col = f"{key}, " if key else ""
    conds = " AND ".join(w for w, _ in where) or "1 = 1"
    params: list = [timezone.now()]
    for _, p in where:
        params.extend(p)
    sql = f"""
        INSERT INTO {target._meta.db_table} ({key_col}month, published, {cols}, computed_at)
        SELECT {key_col}month, %s, {sums}, %s FROM {source}
        WHERE {conds}
        GROUP BY {key_col}month
    """  # noqa: S608 - table and column names come from models, values are parameters
    with connection.cursor() as cur:
        cur.execute(sql, [False, *params])


def rebuild_months(months: Iterable[date]) -> None:
    """Rebuild every live roll-up row of the given months from the finest cells."""
    months = sorted(set(months))
    if not months:
        return
    month_in = _in("month", months)
    for model, key in KEYED:
        model.objects.filter(published=False, month__in=months).delete()
        _insert(model, key, MonthlyStat._meta.db_table, [month_in])
    _rebuild_city(months)


def rebuild_keys(months: Iterable[date], *, agency_ids=(), field_ids=(), procedure_ids=()) -> None:
    """Rebuild only the live roll-up rows of these keys in these months (incremental)."""
    months = sorted(set(months))
    if not months:
        return
    month_in = _in("month", months)
    for (model, key), ids in zip(KEYED, (agency_ids, field_ids, procedure_ids), strict=True):
        ids = sorted(set(ids))
        if not ids:
            continue
        model.objects.filter(published=False, month__in=months, **{f"{key}__in": ids}).delete()
        _insert(model, key, MonthlyStat._meta.db_table, [month_in, _in(key, ids)])
    _rebuild_city(months)


def _rebuild_city(months: list[date]) -> None:
    # The city is the sum of its agencies: ≈ 200 rows a month instead of every cell.
    pagecache.bump()  # every rebuild ends here: cached page fragments are stale
    CityMonthStat.objects.filter(published=False, month__in=months).delete()
    _insert(
        CityMonthStat,
        None,
        AgencyMonthStat._meta.db_table,
        [("published = %s", [False]), _in("month", months)],
    )
