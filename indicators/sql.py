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

from dossiers import figures, rules
from dossiers.models import Dossier, DossierEvent, OutboxMessage, Rating
from dossiers.workflow import NOT_ACCEPTED_STATUSES, OPEN_STATUSES, SETTLED_STATUSES

from .models import MonthlyStat
from .periods import month_bounds, month_of

COUNTS = MonthlyStat.ALL_COUNTS


def overdue_condition(status: str, due: str, asof: str) -> str:
    """SQL: a dossier open at `asof` is overdue then, as dossiers.rules defines it (a
    stopped clock, e.g. waiting for the applicant's supplement, is not overdue)."""
    return rules.overdue_if_open_sql(status, due, asof)


def synced_condition(asof: str) -> str:
    """SQL: the dossier's receipt had reached DVCQG by `asof` (as it stood then).

    Today's sync_state alone is not enough: every later action sets it back to pending
    until the next delivery, which would make a past month's figure fall. The receipt had
    reached DVCQG if it is synced now and was last synced before `asof`, or if its
    "create" outbox message was delivered before `asof`: d.create_delivered_at is the first
    such delivery, joined once per dossier (a hash join PostgreSQL can run in parallel,
    where an EXISTS per (dossier, month) row kept the whole aggregate in one process).
    """
    return f"""((d.sync_state = 'synced' AND (d.synced_at IS NULL OR d.synced_at < {asof}))
        OR d.create_delivered_at < {asof})"""


def _create_delivered() -> str:
    return f"""(SELECT dossier_id, MIN(delivered_at) AS create_delivered_at
        FROM {OutboxMessage._meta.db_table} WHERE kind = 'create' AND delivered_at IS NOT NULL
        GROUP BY dossier_id)"""  # noqa: S608 - names from models


def _main_select() -> str:
    # Month arithmetic on local month starts (timestamps without zone): one date_trunc per
    # dossier and column, then plain comparisons per (dossier, month) row.
    open_end = "(d.em IS NULL OR d.em > g)"
    # Stocks are judged as they stood at the period end pe.e (the month's end, or now for
    # the running month): status and due time from the last history row before it, unless
    # the dossier has not changed since (then today's columns are that state).
    status_e = "COALESCE(NULLIF(h.to_status, ''), d.status)"
    due_e = "COALESCE(h.due_after, d.due_at)"
    overdue = overdue_condition(status_e, due_e, "pe.e")
    exprs = {
        "received": "g = d.rm",
        "received_desk": "g = d.rm AND d.channel = 'desk'",
        "received_post": "g = d.rm AND d.channel = 'post'",
        "received_online": "g = d.rm AND d.channel = 'online'",
        "received_dvcqg": "g = d.rm AND d.channel = 'dvcqg'",
        "carried_over": "g > d.rm",
        "settled_early": "g = d.em AND d.k = 1",
        "settled_on_time": "g = d.em AND d.k = 2",
        "settled_late": "g = d.em AND d.k = 3",
        "refused": "g = d.em AND d.k = 4",
        "withdrawn": "g = d.em AND d.k = 5",
        "open_not_due": f"{open_end} AND NOT COALESCE({overdue}, false)",
        "open_overdue": f"{open_end} AND COALESCE({overdue}, false)",
        "synced": f"g = d.rm AND {synced_condition('pe.e')}",
    }
    cols = ",\n".join(
        f"COUNT(*) FILTER (WHERE {exprs[c]}) AS {c}" if c in exprs else f"0 AS {c}" for c in COUNTS
    )
    return f"""
    SELECT d.agency_id, d.field_id, d.procedure_id, g::date AS month,
    {cols}
    FROM (
        SELECT id, agency_id, field_id, procedure_id, channel, due_at, status, updated_at,
               sync_state, synced_at, create_delivered_at,
               date_trunc('month', received_at AT TIME ZONE %(tz)s) AS rm,
               date_trunc('month', end_at AT TIME ZONE %(tz)s) AS em,
               CASE WHEN status IN %(settled)s THEN
                        CASE timeliness WHEN 'early' THEN 1 WHEN 'on_time' THEN 2
                                        WHEN 'late' THEN 3 ELSE 0 END
                    WHEN status = 'refused' THEN 4
                    WHEN status = 'withdrawn' THEN 5
                    ELSE 0 END AS k
        FROM (
            SELECT *, CASE WHEN status IN %(open)s THEN NULL
                           ELSE COALESCE(result_ready_at, closed_at) END AS end_at
            FROM {Dossier._meta.db_table} dd
            LEFT JOIN {_create_delivered()} oc ON oc.dossier_id = dd.id
            WHERE received_at IS NOT NULL AND received_at < %(range_end)s
              AND status NOT IN %(not_accepted)s
              AND (status IN %(open)s OR COALESCE(result_ready_at, closed_at) IS NULL
                   OR COALESCE(result_ready_at, closed_at) >= %(range_start)s)
        ) x
    ) d
    CROSS JOIN LATERAL generate_series(
        GREATEST(d.rm, %(first)s), LEAST(COALESCE(d.em, %(cur)s), %(last)s), interval '1 month'
    ) AS g
    CROSS JOIN LATERAL (
        SELECT CASE WHEN g >= %(cur)s THEN %(now)s::timestamptz
                    ELSE (g + interval '1 month') AT TIME ZONE %(tz)s END AS e
    ) pe
    LEFT JOIN LATERAL (
        -- Only for a dossier open at a past period end and changed since: the others'
        -- columns are their state then. The guard is a one-time filter per row.
        SELECT ev.to_status, ev.due_after FROM {DossierEvent._meta.db_table} ev
        WHERE g < %(cur)s AND {open_end} AND d.updated_at >= pe.e
          AND ev.dossier_id = d.id AND ev.at < pe.e
        ORDER BY ev.at DESC LIMIT 1
    ) h ON true
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


def _online_select() -> str:
    # The 766 online counts (dossiers.figures): every dossier received in the period, in its
    # receipt month, whatever its status (as figures.online_metrics counts them).
    exprs = figures.online_sql("d")
    cols = ",\n".join(
        f"COUNT(*) FILTER (WHERE {exprs[c]}) AS {c}" if c in exprs else f"0 AS {c}" for c in COUNTS
    )
    return f"""
    SELECT d.agency_id, d.field_id, d.procedure_id,
           date_trunc('month', d.received_at AT TIME ZONE %(tz)s)::date AS month,
    {cols}
    FROM {Dossier._meta.db_table} d
    WHERE d.received_at >= %(range_start)s AND d.received_at < %(range_end)s
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
        "cur": datetime(*month_of(now).timetuple()[:2], 1),
        "open": tuple(str(s) for s in OPEN_STATUSES),
        "settled": tuple(str(s) for s in SETTLED_STATUSES),
        "not_accepted": tuple(str(s) for s in NOT_ACCEPTED_STATUSES),
    }
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTS)
    nonzero = " + ".join(f"SUM({c})" for c in COUNTS)
    table = MonthlyStat._meta.db_table
    with connection.cursor() as cur:
        # JIT compilation costs seconds and buys nothing on this one-pass aggregate; a
        # larger work_mem keeps the grouping in memory. generate_series is estimated at 1000
        # rows per dossier (it gives one or two), which makes the planner sort 100× more rows
        # than exist (or an index scan to avoid that sort): with sorts off it takes a
        # parallel seq scan and hash aggregate. The settings last until the transaction ends.
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL enable_sort = off")
        cur.execute("SET LOCAL enable_incremental_sort = off")
        cur.execute("SET LOCAL work_mem = '512MB'")
        cur.execute("DROP TABLE IF EXISTS indicators_recompute_tmp")
        cur.execute(
            f"""CREATE TEMP TABLE indicators_recompute_tmp ON COMMIT DROP AS
            SELECT agency_id, field_id, procedure_id, month, {sums}
            FROM ({_main_select()} UNION ALL {_rating_select()}
                  UNION ALL {_online_select()}) u
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
