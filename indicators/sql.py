"""The PostgreSQL full recompute: one INSERT … SELECT … GROUP BY over the dossier table.

Each accepted dossier is expanded by a LATERAL generate_series into the months it is
relevant to (from its receipt month to the month its open life ended, clipped to the
period), so most dossiers give one or two rows; the counts are FILTER clauses on those rows.
The definitions are those of indicators.services (the ORM path), and the randomised test
checks that both agree cell by cell.

The aggregate runs as CREATE TEMP TABLE … AS SELECT, which PostgreSQL may run with parallel
workers (INSERT … SELECT never is), then the rows are copied into the statistics table.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import connection

from dossiers.models import Dossier, Rating
from dossiers.workflow import NOT_ACCEPTED_STATUSES, OPEN_STATUSES, SETTLED_STATUSES

from .models import MonthlyStat
from .periods import month_bounds

COUNTS = MonthlyStat.COUNT_FIELDS


def _main_select() -> str:
    new = "d.received_at >= m.s"
    in_month = "d.end_at >= m.s AND d.end_at < m.e"
    open_end = "(d.end_at IS NULL OR d.end_at >= m.e)"
    exprs = {
        "received": new,
        "received_desk": f"{new} AND d.channel = 'desk'",
        "received_post": f"{new} AND d.channel = 'post'",
        "received_online": f"{new} AND d.channel = 'online'",
        "received_dvcqg": f"{new} AND d.channel = 'dvcqg'",
        "carried_over": "d.received_at < m.s",
        "settled_early": f"{in_month} AND d.status IN %(settled)s AND d.timeliness = 'early'",
        "settled_on_time": f"{in_month} AND d.status IN %(settled)s AND d.timeliness = 'on_time'",
        "settled_late": f"{in_month} AND d.status IN %(settled)s AND d.timeliness = 'late'",
        "refused": f"{in_month} AND d.status = 'refused'",
        "withdrawn": f"{in_month} AND d.status = 'withdrawn'",
        "open_not_due": f"{open_end} AND (d.due_at IS NULL OR d.due_at >= m.asof)",
        "open_overdue": f"{open_end} AND d.due_at < m.asof",
        "synced": f"{new} AND d.sync_state = 'synced'",
    }
    cols = ",\n".join(
        f"COUNT(*) FILTER (WHERE {exprs[c]}) AS {c}" if c in exprs else f"0 AS {c}" for c in COUNTS
    )
    return f"""
    SELECT d.agency_id, d.field_id, d.procedure_id, m.g::date AS month,
    {cols}
    FROM (
        SELECT agency_id, field_id, procedure_id, channel, status, received_at, due_at,
               timeliness, sync_state,
               CASE WHEN status IN %(open)s THEN NULL
                    ELSE COALESCE(result_ready_at, closed_at) END AS end_at
        FROM {Dossier._meta.db_table}
        WHERE received_at IS NOT NULL AND received_at < %(range_end)s
          AND status NOT IN %(not_accepted)s
          AND (status IN %(open)s OR COALESCE(result_ready_at, closed_at) IS NULL
               OR COALESCE(result_ready_at, closed_at) >= %(range_start)s)
    ) d
    CROSS JOIN LATERAL (
        SELECT g,
               g AT TIME ZONE %(tz)s AS s,
               (g + interval '1 month') AT TIME ZONE %(tz)s AS e,
               LEAST((g + interval '1 month') AT TIME ZONE %(tz)s, %(now)s) AS asof
        FROM generate_series(
            GREATEST(date_trunc('month', d.received_at AT TIME ZONE %(tz)s), %(first)s),
            LEAST(date_trunc('month', COALESCE(d.end_at, %(now)s) AT TIME ZONE %(tz)s),
                  %(last)s),
            interval '1 month') AS g
    ) m
    GROUP BY 1, 2, 3, 4
    """  # noqa: S608 - table names from models, values are parameters


def _rating_select() -> str:
    cols = ",\n".join(
        f"COUNT(*) FILTER (WHERE r.overall = {c[-1]}) AS {c}"
        if c.startswith("rating_")
        else f"0 AS {c}"
        for c in COUNTS
    )
    return f"""
    SELECT dd.agency_id, dd.field_id, dd.procedure_id,
           date_trunc('month', r.created_at AT TIME ZONE %(tz)s)::date AS month,
    {cols}
    FROM {Rating._meta.db_table} r JOIN {Dossier._meta.db_table} dd ON dd.id = r.dossier_id
    WHERE r.created_at >= %(range_start)s AND r.created_at < %(range_end)s
    GROUP BY 1, 2, 3, 4
    """  # noqa: S608


def full_recompute(first: date, last: date, now: datetime) -> int:
    """Insert every non-empty cell of months first..last; the caller deleted them first."""
    range_start, _ = month_bounds(first)
    _, range_end = month_bounds(last)
    params = {
        "tz": settings.TIME_ZONE,
        "first": datetime(first.year, first.month, 1),
        "last": datetime(last.year, last.month, 1),
        "range_start": range_start,
        "range_end": range_end,
        "now": now,
        "open": tuple(str(s) for s in OPEN_STATUSES),
        "settled": tuple(str(s) for s in SETTLED_STATUSES),
        "not_accepted": tuple(str(s) for s in NOT_ACCEPTED_STATUSES),
    }
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTS)
    nonzero = " + ".join(f"SUM({c})" for c in COUNTS)
    table = MonthlyStat._meta.db_table
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS indicators_recompute_tmp")
        cur.execute(
            f"""CREATE TEMP TABLE indicators_recompute_tmp ON COMMIT DROP AS
            SELECT agency_id, field_id, procedure_id, month, {sums}
            FROM ({_main_select()} UNION ALL {_rating_select()}) u
            GROUP BY 1, 2, 3, 4
            HAVING {nonzero} > 0""",  # noqa: S608
            params,
        )
        cur.execute(
            f"""INSERT INTO {table} (agency_id, field_id, procedure_id, month,
                {", ".join(COUNTS)}, computed_at)
            SELECT *, now() FROM indicators_recompute_tmp"""  # noqa: S608
        )
        written = cur.rowcount
        cur.execute("DROP TABLE indicators_recompute_tmp")
    return written
