"""The PostgreSQL full recompute: one grouped pass over the dossier table.

Each accepted dossier is expanded by a LATERAL generate_series into the months it is
relevant to (from its receipt month to the month its open life ended, clipped to the
period), so most dossiers give one or two rows; the counts are FILTER clauses on those rows.
The 766 online counts ride on the same pass (a dossier never accepted gives only its
receipt-month row); the ratings are grouped apart and joined beside the dossier counts.
The definitions are those of indicators.services (the ORM path), and the randomised test
checks that both agree cell by cell.

Steps (the command prints each): the dossier aggregate as CREATE TEMP TABLE … AS SELECT
(PostgreSQL may run its per-dossier part in parallel workers; INSERT … SELECT never is), the
rating aggregate, one INSERT of the merged cells, and, when the whole table was truncated,
the secondary indexes built again after that insert instead of maintained row by row.
Measured on the 5-million-dossier bench copy (quiet machine, load ≈ 1): 22 s in all, was
70 s.
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


def synced_condition(asof: str, d: str = "d") -> str:
    """SQL: the dossier's receipt had reached DVCQG by `asof` (as it stood then).

    Today's sync_state alone is not enough: every later action sets it back to pending
    until the next delivery, which would make a past month's figure fall. The receipt had
    reached DVCQG if it is synced now and was last synced before `asof`, or if its
    "create" outbox message was delivered before `asof`: d.create_delivered_at is the first
    such delivery, joined once per dossier (a hash join PostgreSQL can run in parallel,
    where an EXISTS per (dossier, month) row kept the whole aggregate in one process).
    """
    return f"""(({d}.sync_state = 'synced' AND ({d}.synced_at IS NULL OR {d}.synced_at < {asof}))
        OR {d}.create_delivered_at < {asof})"""


def _create_delivered() -> str:
    return f"""(SELECT dossier_id, MIN(delivered_at) AS create_delivered_at
        FROM {OutboxMessage._meta.db_table} WHERE kind = 'create' AND delivered_at IS NOT NULL
        GROUP BY dossier_id)"""  # noqa: S608 - names from models


def _main_select() -> str:
    """One pass over the dossier table: the month-expanded counts and the 766 online counts.

    Per dossier (once): its receipt month rm, the month its open life ended em, how it ended
    k, whether it was accepted, whether its receipt had reached DVCQG by the end of rm, and
    the online flags. Per (dossier, month) row (once, in a subquery kept apart by OFFSET 0 so
    the expressions are not repeated in every aggregate): booleans the counts filter on.
    A dossier never accepted is expanded to its receipt month only (em = rm, k = 0) and
    counts only in the online figures, as figures.online_metrics counts every receipt.
    """
    open_end = "(d.em IS NULL OR d.em > g)"
    # Stocks are judged as they stood at the period end pe.e (the month's end, or now for
    # the running month): status and due time from the last history row before it, unless
    # the dossier has not changed since (then today's columns are that state).
    status_e = "COALESCE(NULLIF(h.to_status, ''), d.status)"
    due_e = "COALESCE(h.due_after, d.due_at)"
    overdue = overdue_condition(status_e, due_e, "pe.e")
    # The receipt month's period end (per dossier: the synced count is at g = rm).
    rm_end = """CASE WHEN x.rm >= %(cur)s THEN %(now)s::timestamptz
                     ELSE (x.rm + interval '1 month') AT TIME ZONE %(tz)s END"""
    online = figures.online_sql("x")
    flags = ",\n".join(f"({expr}) AS {name}" for name, expr in online.items())
    exprs = {
        "received": "f AND acc",
        "received_desk": "f AND ch = 'desk'",
        "received_post": "f AND ch = 'post'",
        "received_online": "f AND ch = 'online'",
        "received_dvcqg": "f AND ch = 'dvcqg'",
        "carried_over": "NOT f",
        "settled_early": "ended AND k = 1",
        "settled_on_time": "ended AND k = 2",
        "settled_late": "ended AND k = 3",
        "refused": "ended AND k = 4",
        "withdrawn": "ended AND k = 5",
        "open_not_due": "op AND NOT od",
        "open_overdue": "op AND od",
        "synced": "f AND syn",
        **{name: f"f AND {name}" for name in online},
    }
    cols = ",\n".join(
        f"COUNT(*) FILTER (WHERE {exprs[c]}) AS {c}" if c in exprs else f"0 AS {c}" for c in COUNTS
    )
    return f"""
    SELECT agency_id, field_id, procedure_id, month,
    {cols}
    FROM (
        SELECT d.agency_id, d.field_id, d.procedure_id, g::date AS month,
               g = d.rm AS f, g = d.em AS ended, d.acc, d.ch, d.k, d.syn,
               {", ".join(f"d.{name}" for name in online)},
               {open_end} AS op,
               {open_end} AND COALESCE({overdue}, false) AS od
        FROM (
            SELECT x.id, x.agency_id, x.field_id, x.procedure_id, x.due_at, x.status,
                   x.updated_at, x.rm, x.acc,
                   CASE WHEN NOT x.acc THEN x.rm WHEN x.status IN %(open)s THEN NULL
                        ELSE date_trunc('month', COALESCE(x.result_ready_at, x.closed_at)
                                                AT TIME ZONE %(tz)s) END AS em,
                   CASE WHEN x.acc THEN x.channel END AS ch,
                   CASE WHEN NOT x.acc THEN 0
                        WHEN x.status IN %(settled)s THEN
                            CASE x.timeliness WHEN 'early' THEN 1 WHEN 'on_time' THEN 2
                                              WHEN 'late' THEN 3 ELSE 0 END
                        WHEN x.status = 'refused' THEN 4
                        WHEN x.status = 'withdrawn' THEN 5
                        ELSE 0 END AS k,
                   x.acc AND {synced_condition(rm_end, "x")} AS syn,
                   {flags}
            FROM (
                SELECT dd.*, oc.create_delivered_at,
                       date_trunc('month', dd.received_at AT TIME ZONE %(tz)s) AS rm,
                       dd.status NOT IN %(not_accepted)s AS acc
                FROM {Dossier._meta.db_table} dd
                LEFT JOIN {_create_delivered()} oc ON oc.dossier_id = dd.id
                WHERE dd.received_at IS NOT NULL AND dd.received_at < %(range_end)s
                  AND (dd.received_at >= %(range_start)s
                       OR (dd.status NOT IN %(not_accepted)s
                           AND (dd.status IN %(open)s
                                OR COALESCE(dd.result_ready_at, dd.closed_at) IS NULL
                                OR COALESCE(dd.result_ready_at, dd.closed_at)
                                   >= %(range_start)s)))
            ) x
            OFFSET 0  -- a fence: computed once per dossier, not in every reference
        ) d
        CROSS JOIN LATERAL generate_series(
            GREATEST(d.rm, %(first)s), LEAST(COALESCE(d.em, %(cur)s), %(last)s),
            interval '1 month'
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
        OFFSET 0
    ) r
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


def full_recompute(
    first: date, last: date, now: datetime, *, step=None, empty: bool = False
) -> int:
    """Insert every non-empty cell of months first..last; the caller deleted them first.

    empty: the caller emptied the whole table (TRUNCATE, which already locks it against
    readers until commit): its secondary indexes are then dropped before the insert and
    built again after it, as their exact definitions, which is several times faster than
    maintaining them row by row.

    step(name), if given, is called after each statement (the command's progress display).
    """
    step = step or (lambda name: None)
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
    nonzero_m = " + ".join(f"m.{c}" for c in COUNTS)
    columns = f"agency_id, field_id, procedure_id, month, {', '.join(COUNTS)}, computed_at"
    ratings = [c for c in COUNTS if c.startswith("rating_")]
    table = MonthlyStat._meta.db_table
    with connection.cursor() as cur:
        # JIT compilation costs seconds and buys nothing on this one-pass aggregate; a
        # larger work_mem keeps the grouping in memory. generate_series is estimated at 1000
        # rows per dossier (it gives one or two), which makes the planner sort 100× more rows
        # than exist (or an index scan to avoid that sort): with sorts off it takes a
        # hash aggregate, and the per-dossier part runs in parallel workers when their rows
        # cost nothing to hand over. The settings last until the transaction ends.
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL enable_sort = off")
        cur.execute("SET LOCAL enable_incremental_sort = off")
        cur.execute("SET LOCAL work_mem = '512MB'")
        cur.execute("SET LOCAL parallel_tuple_cost = 0")
        cur.execute("DROP TABLE IF EXISTS indicators_recompute_tmp")
        cur.execute(
            f"""CREATE TEMP TABLE indicators_recompute_tmp ON COMMIT DROP AS
            {_main_select()}""",  # noqa: S608
            params,
        )
        step("cells: dossiers")
        cur.execute("DROP TABLE IF EXISTS indicators_recompute_rating")
        cur.execute(
            f"""CREATE TEMP TABLE indicators_recompute_rating ON COMMIT DROP AS
            {_rating_select()}""",  # noqa: S608
            params,
        )
        step("cells: ratings")
        restore = _drop_secondary_indexes(cur, table) if empty else []
        # One row per cell: the dossiers' counts beside the ratings' (a hash full join).
        # With its indexes in place (a partial period), in the unique key's order: the
        # b-tree indexes then fill mostly at their right edge.
        keys = ("agency_id", "field_id", "procedure_id", "month")
        values = [f"COALESCE(m.{k}, r.{k})" for k in keys] + [
            f"COALESCE({'r' if c in ratings else 'm'}.{c}, 0)" for c in COUNTS
        ]
        order = "" if empty else "ORDER BY 1, 3, 2, 4"
        cur.execute(
            f"""INSERT INTO {table} ({columns})
            SELECT {", ".join(values)}, now()
            FROM indicators_recompute_tmp m
            FULL JOIN indicators_recompute_rating r
              ON {" AND ".join(f"r.{k} = m.{k}" for k in keys)}
            WHERE r.agency_id IS NOT NULL OR COALESCE({nonzero_m}, 0) > 0
            {order}"""  # noqa: S608
        )
        written = cur.rowcount
        step("cells: insert")
        if restore:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in restore:
                cur.execute(statement)
            step("cells: indexes")
        cur.execute("DROP TABLE indicators_recompute_tmp")
        cur.execute("DROP TABLE indicators_recompute_rating")
    return written


def _drop_secondary_indexes(cur, table: str) -> list[str]:
    """Drop the table's indexes and unique constraints but the primary key; return the
    statements that create them again exactly as they were (names and definitions).

    An index another table's foreign key depends on is kept.
    """
    cur.execute(
        """SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname,
                  pg_get_constraintdef(c.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                          WHERE f.conindid = x.indexrelid AND f.contype = 'f')
        ORDER BY i.relname""",
        [table],
    )
    restore = []
    for index, index_def, constraint, constraint_def in cur.fetchall():
        if constraint:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_def}')
        else:
            cur.execute(f'DROP INDEX "{index}"')
            restore.append(index_def)
    return restore
