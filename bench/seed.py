# ruff: noqa: E501 - the bulk-load SQL reads better with long lines
"""Bulk-load N dossiers with their history into PostgreSQL, in SQL (never the ORM row by row).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hanoi_bench_1m \
        .venv/bin/python bench/seed.py --dossiers 1000000

What it builds, in order:
1. the catalogue and demo users (procedures.demo, idempotent), then ~1,900 procedures: the
   362 demo procedures plus numbered variants (same field, level, agencies and limits);
2. in Python, how many dossiers each agency received on each working day of the last 24
   months (about 75,000 (agency, day, n) groups, summing to exactly N), copied into a
   temporary table;
3. one INSERT … SELECT over `groups × generate_series(1, n)`: the sequence of a dossier is
   its position in its group, so codes `<identifier>-YYMMDD-XXXX` are gapless per agency
   and day by construction and the DossierSequence rows are the groups themselves;
   receipt times grow with the sequence inside the day; due_at follows the procedure's
   limit over the project's working calendar (weekends, holidays, make-up days, the 15:00
   cut-off); the outcome (early / on time / ~1 % late, refused, withdrawn) is drawn per
   dossier and everything whose planned result lies after *now* is still open;
4. the history (dossier events) in one INSERT … SELECT from the dossiers, one row per
   step the dossier went through; ratings for ~8 % of the returned dossiers;
5. indexes: the secondary indexes of the two big tables are dropped before the load and
   rebuilt after it (building an index once is several times faster than maintaining it
   row by row); foreign-key triggers are skipped for the load
   (session_replication_role = replica): the rows reference existing agencies,
   procedures and fields by construction, and `check()` verifies it afterwards.

Re-running replaces the dossiers (TRUNCATE) and keeps the catalogue.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TZ = "Asia/Ho_Chi_Minh"
TRANSITION = date(2025, 7, 1)  # two-level local government (procedures.demo)
TARGET_PROCEDURES = 1900
MONTHS = 24
# Outcome mix (DOMAIN §7: Hanoi reports ~99 % on time; refused and withdrawn apart).
P_REFUSED = 0.012
P_WITHDRAWN = 0.01
P_LATE = 0.0105
P_ON_TIME = 0.14
P_RATED = 0.08
BIG_TABLES = ["dossiers_dossier", "dossiers_dossierevent"]


def log(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hanoi_cchc.settings")
    import django

    django.setup()


# --- catalogue ---------------------------------------------------------------------------


def ensure_catalogue_orm() -> None:
    """The demo catalogue and users through their own (ORM) services; idempotent."""
    from procedures.demo import demo_users_ensure, load_catalogue
    from procedures.models import Procedure

    if Procedure.objects.count() < 362:
        load_catalogue()
    demo_users_ensure()


def ensure_catalogue(cur) -> None:
    cur.execute("SELECT count(*) FROM procedures_procedure")
    have = cur.fetchone()[0]
    missing = TARGET_PROCEDURES - have
    if missing <= 0:
        return
    # Variants of the demo procedures: national codes 3.2KKRRR cannot collide with the
    # demo's 1.0xxxxx / 2.0xxxxx; each variant keeps its original's agencies.
    cur.execute(
        """
        CREATE TEMP TABLE bench_variants ON COMMIT DROP AS
        SELECT p.id AS src, k, '3.' || lpad((200000 + k * 1000 + rn)::text, 6, '0') AS code
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM procedures_procedure
              WHERE national_code NOT LIKE '3.%%') p
        CROSS JOIN generate_series(1, 9) k
        ORDER BY k, rn
        LIMIT %s
        """,
        [missing],
    )
    cur.execute(
        """
        INSERT INTO procedures_procedure (national_code, local_code, name, search_text,
            at_city, at_district, at_commune, time_limit_value, time_limit_unit, fee, fee_note,
            steps, legal_basis, result_document, online_mode, legacy_level, dvcqg_integrated,
            dvcqg_integrated_on, supplement_request_days, valid_from, valid_to, status,
            updated_at, field_id, needs_leader_decision, online_mode_since)
        SELECT v.code, '', p.name || ' (trường hợp ' || v.k || ')',
            p.search_text || ' truong hop ' || v.k, p.at_city, p.at_district, p.at_commune,
            p.time_limit_value, p.time_limit_unit, p.fee, p.fee_note, p.steps, p.legal_basis,
            p.result_document, p.online_mode, p.legacy_level, p.dvcqg_integrated,
            p.dvcqg_integrated_on, p.supplement_request_days, p.valid_from, p.valid_to,
            p.status, now(), p.field_id, p.needs_leader_decision, p.online_mode_since
        FROM bench_variants v JOIN procedures_procedure p ON p.id = v.src
        """
    )
    cur.execute(
        """
        INSERT INTO procedures_procedure_agencies (procedure_id, agency_id)
        SELECT n.id, pa.agency_id
        FROM bench_variants v
        JOIN procedures_procedure n ON n.national_code = v.code
        JOIN procedures_procedure_agencies pa ON pa.procedure_id = v.src
        """
    )
    log(f"procedures: added {missing} variants")


# --- calendar and groups -----------------------------------------------------------------


def months_back(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, 28))


def load_calendar(cur, first: date, last: date) -> list[date]:
    """bench_days(d, wd, widx): every date, working or not, and the ordinal of working days
    (from the project's edited calendar), so due dates are joins, not loops."""
    from dossiers.calendar_store import get_calendar

    cal = get_calendar()
    rows, widx, working = [], 0, []
    d = first
    while d <= last:
        wd = cal.is_working_day(d)
        if wd:
            widx += 1
            working.append(d)
        rows.append(f"{d.isoformat()}\t{'t' if wd else 'f'}\t{widx}\n")
        d += timedelta(days=1)
    cur.execute("DROP TABLE IF EXISTS bench_days, bench_wd, bench_agency_procs, bench_groups")
    cur.execute("CREATE UNLOGGED TABLE bench_days (d date PRIMARY KEY, wd boolean, widx int)")
    cur.copy_expert("COPY bench_days FROM STDIN", io.StringIO("".join(rows)))
    cur.execute(
        "CREATE UNLOGGED TABLE bench_wd AS SELECT widx, d FROM bench_days WHERE wd;"
        "CREATE UNIQUE INDEX ON bench_wd (widx); ANALYZE bench_days; ANALYZE bench_wd"
    )
    return working


def load_agency_procs(cur) -> dict[tuple[str, int], tuple[str, int]]:
    """bench_agency_procs(era, agency_id, procs[], cnt): what each agency received, by era
    (before / after the July 2025 reform). Returns {(era, agency_id): (level, count)}."""
    cur.execute(
        """
        CREATE UNLOGGED TABLE bench_agency_procs AS
        SELECT e.era, a.id AS agency_id, a.level,
               array_agg(p.id ORDER BY p.id) AS procs, count(*)::int AS cnt
        FROM (VALUES ('A', %(a)s::date), ('B', %(b)s::date)) e(era, probe)
        JOIN procedures_agency a ON (a.valid_from IS NULL OR a.valid_from <= e.probe)
                                AND (a.valid_to IS NULL OR e.probe <= a.valid_to)
        JOIN procedures_procedure_agencies pa ON pa.agency_id = a.id
        JOIN procedures_procedure p ON p.id = pa.procedure_id
             AND (p.valid_from IS NULL OR p.valid_from <= e.probe)
             AND (p.valid_to IS NULL OR e.probe <= p.valid_to)
             AND p.status = 'published'
        GROUP BY e.era, a.id, a.level;
        CREATE UNIQUE INDEX ON bench_agency_procs (era, agency_id);
        ANALYZE bench_agency_procs;
        """,
        {"a": TRANSITION - timedelta(days=1), "b": TRANSITION},
    )
    cur.execute("SELECT era, agency_id, level, cnt FROM bench_agency_procs")
    return {(era, aid): (level, cnt) for era, aid, level, cnt in cur.fetchall()}


# Share of the daily volume by level (DOMAIN §8: communes ~8,000 of ~12,000 a day in 2025).
SHARES = {
    "A": {"district": 0.60, "department": 0.40},
    "B": {"commune": 0.65, "department": 0.35},
}


def load_groups(cur, rng: random.Random, n: int, days: list[date], agencies) -> int:
    """(agency, day, n) for every working day, summing to exactly n dossiers."""
    factor = {key: rng.uniform(0.4, 1.6) for key in agencies}  # big and small units
    by_era: dict[str, dict[str, list[int]]] = {}
    for (era, aid), (level, _cnt) in agencies.items():
        by_era.setdefault(era, {}).setdefault(level, []).append(aid)
    expected: list[tuple[int, date, float]] = []
    for day in days:
        era = "A" if day < TRANSITION else "B"
        day_factor = rng.uniform(0.8, 1.2) * (1.15 if day.weekday() == 0 else 1.0)
        for level, share in SHARES[era].items():
            ids = by_era.get(era, {}).get(level, [])
            total = sum(factor[(era, a)] for a in ids)
            for aid in ids:
                expected.append((aid, day, share * day_factor * factor[(era, aid)] / total))
    scale = n / sum(e for _, _, e in expected)
    counts = [int(e * scale) for _, _, e in expected]
    remainder = n - sum(counts)
    for i in rng.sample(range(len(counts)), remainder):
        counts[i] += 1
    buf = io.StringIO()
    for (aid, day, _), c in zip(expected, counts, strict=True):
        if c:
            era = "A" if day < TRANSITION else "B"
            buf.write(f"{aid}\t{day.isoformat()}\t{c}\t{era}\n")
    buf.seek(0)
    cur.execute("CREATE UNLOGGED TABLE bench_groups (agency_id bigint, day date, n int, era text)")
    cur.copy_expert("COPY bench_groups FROM STDIN", buf)
    cur.execute("ANALYZE bench_groups")
    return sum(1 for c in counts if c)


# --- indexes -----------------------------------------------------------------------------


def drop_secondary_indexes(cur, table: str) -> list[str]:
    """Drop every index but the primary key; return the statements that rebuild them."""
    cur.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'u'
        """,
        [table],
    )
    constraints = cur.fetchall()
    rebuild = []
    for name, definition in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
        """,
        [table],
    )
    for name, definition in cur.fetchall():
        cur.execute(f"DROP INDEX {name}")
        rebuild.append(definition)
    return rebuild


# --- the load ----------------------------------------------------------------------------

NAMES_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]  # fmt: skip
NAMES_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Thanh", "Hoài"]
NAMES_GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương",
               "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phong", "Phương",
               "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Việt", "Yến", "Thắng"]  # fmt: skip
STREETS = ["Hàng Bông", "Kim Mã", "Láng Hạ", "Nguyễn Trãi", "Giải Phóng", "Xuân Thủy",
           "Trần Duy Hưng", "Hoàng Quốc Việt", "Lạc Long Quân", "Minh Khai"]  # fmt: skip


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


COMPANY = "Công ty TNHH"
CODE_SQL = (
    "o.identifier_code || '-' || to_char(o.day, 'YYMMDD') || '-' || lpad(o.seq::text, 4, '0')"
)
ID_NUMBER_SQL = "'001' || lpad(((o.r_id * 1e9)::bigint)::text, 9, '0')"
PHONE_SQL = "'09' || lpad(((o.r_phone * 1e8)::bigint)::text, 8, '0')"


def _name_sql(fold=lambda text: text) -> str:
    """The applicant name drawn from the pools, each part passed through `fold`."""
    fam, mid, giv, st = (
        _sql_array([fold(v) for v in pool])
        for pool in (NAMES_FAMILY, NAMES_MIDDLE, NAMES_GIVEN, STREETS)
    )
    company = fold(COMPANY).replace("'", "''")
    return f"""CASE WHEN o.r_kind < 0.12 THEN '{company} ' || ({giv})[1 + (o.r_name * 30)::int %% 30]
         || ' ' || ({st})[1 + (o.r_name * 997)::int %% 10]
         ELSE ({fam})[1 + (o.r_name * 16)::int %% 16] || ' ' || ({mid})[1 + (o.r_name * 160)::int %% 10]
         || ' ' || ({giv})[1 + (o.r_name * 4800)::int %% 30] END"""


def search_columns_sql() -> tuple[str, str]:
    """The worklist search columns (dossiers.worklist_search.search_values) as SQL over the
    same draws: the name folded part by part (fold_words works word by word), the code
    after its agency part and the phone and ID digits, reversed."""
    from procedures.search import fold_words

    columns = "search_name, search_code_rev, search_phone_rev, search_id_rev"
    values = (
        f"{_name_sql(fold_words)}, "
        "reverse(to_char(o.day, 'YYMMDD') || '-' || lpad(o.seq::text, 4, '0')), "
        f"reverse({PHONE_SQL}), reverse({ID_NUMBER_SQL})"
    )
    return columns, values


def dossier_insert_sql() -> str:
    st = _sql_array(STREETS)
    search_columns, search_values = search_columns_sql()
    return f"""
INSERT INTO dossiers_dossier (code, sequence_day, sequence, channel, status, applicant_kind,
    applicant_name, applicant_id_number, applicant_phone, applicant_email, applicant_address,
    documents, submitted_at, received_at, clock_started_at, limit_value, limit_unit, due_at,
    due_explanation, extended, paused_at, result_ready_at, returned_at, closed_at, timeliness,
    fee_amount, fee_paid_at, sync_state, synced_at, updated_at, agency_id, created_by_id,
    current_agency_id, field_id, procedure_id, limit_case, applicant_notify, {search_columns})
SELECT
    {CODE_SQL},
    o.day, o.seq, o.channel, o.status,
    CASE WHEN o.r_kind < 0.12 THEN 'organisation' ELSE 'person' END,
    {_name_sql()},
    {ID_NUMBER_SQL},
    {PHONE_SQL},
    CASE WHEN o.channel IN ('online', 'dvcqg') THEN 'nguoinop' || o.seq || '@example.vn' ELSE '' END,
    'Số ' || (1 + (o.r_phone * 300)::int) || ' ' || ({st})[1 + (o.r_id * 10)::int %% 10] || ', Hà Nội',
    '[]'::jsonb,
    o.submitted_at, o.received_at, o.clock_started_at, o.lv, o.lu, o.due_at,
    jsonb_build_object('rule', CASE o.lu
        WHEN 'working_days' THEN 'working_days_from_next_day'
        WHEN 'working_hours' THEN 'working_hours_from_receipt'
        WHEN 'calendar_days' THEN 'calendar_days_next_working_day_if_off'
        ELSE 'months_next_working_day_if_off' END,
        'lines', jsonb_build_array('Hạn trả kết quả: ' || to_char(o.due_at AT TIME ZONE '{TZ}', 'HH24:MI DD/MM/YYYY'))),
    false, NULL,
    CASE WHEN o.status IN ('result_ready', 'returned') THEN o.rr END,
    CASE WHEN o.status = 'returned' THEN o.ret END,
    CASE WHEN o.status = 'returned' THEN o.ret
         WHEN o.status IN ('refused', 'withdrawn') THEN o.closed END,
    CASE WHEN o.status NOT IN ('result_ready', 'returned') THEN ''
         WHEN (o.rr AT TIME ZONE '{TZ}')::date < (o.due_at AT TIME ZONE '{TZ}')::date THEN 'early'
         WHEN (o.rr AT TIME ZONE '{TZ}')::date = (o.due_at AT TIME ZONE '{TZ}')::date THEN 'on_time'
         ELSE 'late' END,
    o.fee, CASE WHEN o.fee > 0 THEN o.received_at END,
    CASE WHEN o.received_at < %(now)s - interval '1 hour' THEN 'synced' ELSE 'pending' END,
    CASE WHEN o.received_at < %(now)s - interval '1 hour' THEN o.received_at + interval '3 minutes' END,
    LEAST(%(now)s, GREATEST(o.received_at, CASE o.status WHEN 'returned' THEN o.ret
        WHEN 'result_ready' THEN o.rr WHEN 'refused' THEN o.closed WHEN 'withdrawn' THEN o.closed
        ELSE o.received_at END)),
    o.agency_id, NULL, o.agency_id, o.field_id, o.procedure_id, '', 'all', {search_values}
FROM (
    SELECT q.*,
        CASE
            WHEN q.r_out < {P_REFUSED + P_WITHDRAWN} AND q.closed <= %(now)s THEN
                CASE WHEN q.r_out < {P_REFUSED} THEN 'refused' ELSE 'withdrawn' END
            WHEN q.r_out >= {P_REFUSED + P_WITHDRAWN} AND q.ret <= %(now)s THEN 'returned'
            WHEN q.r_out >= {P_REFUSED + P_WITHDRAWN} AND q.rr <= %(now)s THEN 'result_ready'
            WHEN q.r_open < 0.15 THEN 'received'
            WHEN q.r_open < 0.85 THEN 'processing'
            WHEN q.r_open < 0.93 THEN 'supplement_requested'
            WHEN q.r_open < 0.98 THEN 'awaiting_fee'
            ELSE 'suspended'
        END AS status
    FROM (
        SELECT t.*, w.d AS due_day,
            ((w.d + time '17:00') AT TIME ZONE '{TZ}') AS due_at,
            -- planned result: early, on the due day, or 1-4 days late
            CASE
                WHEN t.r_t < {P_LATE} THEN ((w.d + time '17:00') AT TIME ZONE '{TZ}')
                    + (1 + floor(t.r_u * 4)) * interval '1 day'
                WHEN t.r_t < {P_LATE + P_ON_TIME} THEN GREATEST(t.received_at + interval '5 minutes',
                    ((w.d + time '08:00') AT TIME ZONE '{TZ}') + t.r_u * interval '8 hours')
                ELSE t.received_at + GREATEST(
                    ((w.d + time '17:00') AT TIME ZONE '{TZ}') - t.received_at - interval '1 day',
                    (((w.d + time '17:00') AT TIME ZONE '{TZ}') - t.received_at) * 0.3)
                    * (0.15 + 0.85 * t.r_u)
            END AS rr
        FROM (
            SELECT b.*, p.field_id, p.time_limit_value AS lv, p.time_limit_unit AS lu, p.fee,
                CASE WHEN b.channel IN ('online', 'dvcqg')
                     THEN b.received_at - b.r_ret * interval '36 hours' ELSE b.received_at END
                    AS submitted_at,
                CASE WHEN b.cut THEN ((nx.d + time '08:00') AT TIME ZONE '{TZ}')
                     ELSE b.received_at END AS clock_started_at,
                CASE p.time_limit_unit
                    WHEN 'calendar_days' THEN b.day + ceil(p.time_limit_value)::int + b.cut::int
                    WHEN 'months' THEN (b.day + make_interval(months => ceil(p.time_limit_value)::int))::date
                    ELSE b.day END AS x_day,
                CASE p.time_limit_unit
                    WHEN 'working_days' THEN ceil(p.time_limit_value)::int + b.cut::int
                    WHEN 'working_hours' THEN ceil(p.time_limit_value / 8)::int + b.cut::int
                    ELSE 0 END AS add_days
            FROM (
                SELECT g.agency_id, a.identifier_code, g.day, s.seq, g.n, r.*,
                    r.received_at_ AS received_at,
                    ((r.received_at_ AT TIME ZONE '{TZ}')::time >= time '15:00') AS cut
                FROM bench_groups g
                JOIN bench_agency_procs ap ON ap.agency_id = g.agency_id AND ap.era = g.era
                JOIN procedures_agency a ON a.id = g.agency_id
                CROSS JOIN LATERAL generate_series(1, g.n) s(seq)
                CROSS JOIN LATERAL (
                    SELECT ap.procs[1 + floor(random() * ap.cnt)::int] AS procedure_id,
                        ((g.day + time '07:30') + ((s.seq - random() * 0.9 - 0.05) / g.n)
                            * interval '9 hours 30 minutes') AT TIME ZONE '{TZ}' AS received_at_,
                        CASE WHEN random() < 0.45 THEN 'desk' WHEN random() < 0.75 THEN 'online'
                             WHEN random() < 0.8 THEN 'post' ELSE 'dvcqg' END AS channel,
                        random() AS r_out, random() AS r_t, random() AS r_u, random() AS r_ret,
                        random() AS r_open, random() AS r_name, random() AS r_kind,
                        random() AS r_id, random() AS r_phone
                    OFFSET 0
                ) r
                WHERE g.agency_id %% %(parts)s = %(part)s
            ) b
            JOIN procedures_procedure p ON p.id = b.procedure_id
            JOIN bench_days bd0 ON bd0.d = b.day
            JOIN bench_wd nx ON nx.widx = bd0.widx + 1
        ) t
        JOIN bench_days bx ON bx.d = t.x_day
        JOIN bench_wd w ON w.widx = bx.widx + CASE WHEN bx.wd THEN 0 ELSE 1 END + t.add_days
    ) q0
    CROSS JOIN LATERAL (
        SELECT q0.*,
            q0.rr + CASE WHEN q0.channel IN ('online', 'dvcqg') THEN q0.r_ret * interval '4 hours'
                         ELSE q0.r_ret * interval '3 days' END AS ret,
            q0.received_at + (q0.due_at - q0.received_at) * q0.r_u AS closed
        OFFSET 0
    ) q
) o
"""


EVENTS_SQL = """
INSERT INTO dossiers_dossierevent (dossier_id, at, actor_id, agency_id, action, from_status,
    to_status, note, due_before, due_after, data)
SELECT d.id, e.at, NULL, d.agency_id, e.action, e.fs, e.ts, '', NULL, d.due_at, e.data
FROM dossiers_dossier d
CROSS JOIN LATERAL (VALUES
    (d.received_at, 'receive', '', 'received', true,
        jsonb_build_object('code', d.code)),
    (d.received_at + LEAST(interval '30 minutes',
        (COALESCE(d.result_ready_at, d.closed_at, %(now)s) - d.received_at) / 2),
        'start_processing', 'received', 'processing', d.status <> 'received', '{}'::jsonb),
    (d.received_at + interval '1 day', 'request_supplement', 'processing',
        'supplement_requested', d.status = 'supplement_requested', '{}'::jsonb),
    (d.received_at + interval '1 day', 'request_fee', 'processing', 'awaiting_fee',
        d.status = 'awaiting_fee', '{}'::jsonb),
    (d.received_at + interval '1 day', 'suspend', 'processing', 'suspended',
        d.status = 'suspended', '{}'::jsonb),
    (d.result_ready_at, 'mark_result_ready', 'processing', 'result_ready',
        d.result_ready_at IS NOT NULL, jsonb_build_object('timeliness', d.timeliness)),
    (d.returned_at, 'return_result', 'result_ready', 'returned', d.returned_at IS NOT NULL,
        '{}'::jsonb),
    (d.closed_at, CASE d.status WHEN 'refused' THEN 'refuse' ELSE 'withdraw' END,
        'processing', d.status, d.status IN ('refused', 'withdrawn'), '{}'::jsonb)
) e(at, action, fs, ts, keep, data)
WHERE e.keep AND d.id %% %(parts)s = %(part)s
"""

RATINGS_SQL = f"""
INSERT INTO dossiers_rating (dossier_id, created_at, time, contacts, information, attitude,
    result, overall, comment)
SELECT r.id, r.at, r.l1, r.l2, r.l3, r.l4, r.l5,
    LEAST(5, GREATEST(1, round((r.l1 + r.l2 + r.l3 + r.l4 + r.l5) / 5.0)))::int, ''
FROM (
    SELECT d.id, LEAST(%(now)s, d.returned_at + interval '2 hours') AS at,
        x.l1, x.l2, x.l3, x.l4, x.l5
    FROM dossiers_dossier d
    CROSS JOIN LATERAL (
        SELECT {
    ", ".join(
        f"(CASE WHEN random() < 0.6 THEN 5 WHEN random() < 0.7 THEN 4 "
        f"WHEN random() < 0.5 THEN 3 ELSE 2 END) AS l{i}"
        for i in range(1, 6)
    )
}
        OFFSET 0
    ) x
    WHERE d.status = 'returned' AND random() < {P_RATED}
) r
"""


def parallel(sql: str, params: dict, parts: int) -> int:
    """Run sql once per part (params part/parts) on its own connection, at the same time:
    one connection keeps one core busy, and the rows of each part are independent."""
    import psycopg2
    from django.db import connection

    settings = connection.get_connection_params()

    def work(part: int) -> int:
        conn = psycopg2.connect(**settings)
        try:
            with conn.cursor() as cur:
                cur.execute("SET synchronous_commit = off")
                cur.execute("SET session_replication_role = replica")
                cur.execute("SET work_mem = '128MB'")
                cur.execute("SELECT setseed(%s)", [(part + 1) / (parts + 1)])
                cur.execute(sql, {**params, "part": part, "parts": parts})
                count = cur.rowcount
            conn.commit()
            return count
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=parts) as pool:
        return sum(pool.map(work, range(parts)))


def seed(n: int, *, seed_value: int = 2021, now: datetime | None = None, parts: int = 2) -> dict:
    django_setup()
    from django.db import connection
    from django.utils import timezone

    now = now or timezone.now()
    timings: dict[str, float] = {}
    t_all = time.perf_counter()

    def step(name: str, t0: float) -> float:
        timings[name] = round(time.perf_counter() - t0, 1)
        log(f"{name}: {timings[name]} s")
        return time.perf_counter()

    t = time.perf_counter()
    ensure_catalogue_orm()
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = False
    cur = raw.cursor()
    cur.execute("SET synchronous_commit = off")
    cur.execute("SET maintenance_work_mem = '1GB'")
    cur.execute("SET work_mem = '256MB'")
    cur.execute("SET max_parallel_maintenance_workers = 2")
    ensure_catalogue(cur)
    raw.commit()
    t = step("catalogue", t)

    today = now.astimezone(timezone.get_default_timezone()).date()
    first = months_back(today, MONTHS)
    working = load_calendar(cur, first, today + timedelta(days=800))
    days = [d for d in working if first <= d < today]
    agencies = load_agency_procs(cur)
    groups = load_groups(cur, random.Random(seed_value), n, days, agencies)
    cur.execute("SELECT setseed(%s)", [(seed_value % 1000) / 1000])
    t = step(f"plan ({groups} agency-day groups, {len(days)} working days)", t)

    cur.execute(
        "TRUNCATE dossiers_dossier, dossiers_dossiersequence, indicators_monthlystat, "
        "indicators_transfermonthlystat, dossiers_idempotencyrecord, authtoken_token, "
        # Roll-ups and closing (issue 9): rebuilt by the recompute that follows the seed.
        "indicators_agencymonthstat, indicators_fieldmonthstat, indicators_proceduremonthstat, "
        "indicators_citymonthstat, indicators_monthclose, indicators_restatement "
        "RESTART IDENTITY CASCADE"
    )
    # The rebuild statements are kept in a table until the indexes are back, so a load that
    # fails halfway can be re-run without losing the index definitions.
    cur.execute("CREATE TABLE IF NOT EXISTS bench_rebuild (ord serial, stmt text)")
    cur.execute("SELECT stmt FROM bench_rebuild ORDER BY ord")
    rebuild = [row[0] for row in cur.fetchall()]
    if not rebuild:
        for table in BIG_TABLES:
            rebuild += drop_secondary_indexes(cur, table)
        cur.executemany("INSERT INTO bench_rebuild (stmt) VALUES (%s)", [(s,) for s in rebuild])
    cur.execute("SET session_replication_role = replica")
    raw.commit()
    t = step("truncate and drop indexes", t)

    inserted = parallel(dossier_insert_sql(), {"now": now}, parts)
    t = step(f"dossiers ({inserted}, {parts} connections)", t)
    events = parallel(EVENTS_SQL, {"now": now}, parts)
    t = step(f"events ({events}, {parts} connections)", t)
    cur.execute(
        "INSERT INTO dossiers_dossiersequence (agency_id, day, last) "
        "SELECT agency_id, day, n FROM bench_groups ORDER BY day, agency_id"
    )
    cur.execute(RATINGS_SQL, {"now": now})
    ratings = cur.rowcount
    raw.commit()
    t = step(f"sequences and ratings ({ratings})", t)
    cur.execute("SET session_replication_role = DEFAULT")
    for statement in rebuild:
        cur.execute(statement)
        raw.commit()
    cur.execute("DROP TABLE bench_rebuild")
    raw.commit()
    cur.execute("DROP TABLE bench_days, bench_wd, bench_agency_procs, bench_groups")
    raw.commit()
    t = step(f"indexes ({len(rebuild)})", t)
    raw.autocommit = True
    for table in BIG_TABLES + [
        "dossiers_rating",
        "dossiers_dossiersequence",
        "procedures_procedure",
        "procedures_procedure_agencies",
    ]:
        cur.execute(f"VACUUM (ANALYZE) {table}")
    t = step("vacuum analyze", t)
    timings["total"] = round(time.perf_counter() - t_all, 1)
    log(f"total: {timings['total']} s")
    return {"dossiers": inserted, "events": events, "ratings": ratings, "timings": timings}


def check(cur) -> dict:
    """Consistency of what was loaded: codes, sequences, statuses, times, references."""
    queries = {
        "dossiers": "SELECT count(*) FROM dossiers_dossier",
        "codes_malformed": r"""SELECT count(*) FROM dossiers_dossier d
            JOIN procedures_agency a ON a.id = d.agency_id
            WHERE d.code <> a.identifier_code || '-' || to_char(d.sequence_day, 'YYMMDD')
                || '-' || lpad(d.sequence::text, 4, '0')""",
        "sequence_gaps": """SELECT count(*) FROM (SELECT agency_id, sequence_day,
            max(sequence) AS mx, count(*) AS c FROM dossiers_dossier
            GROUP BY 1, 2) x WHERE mx <> c""",
        "sequence_rows_inconsistent": """SELECT count(*) FROM dossiers_dossiersequence s
            FULL JOIN (SELECT agency_id, sequence_day, max(sequence) mx FROM dossiers_dossier
                       GROUP BY 1, 2) d ON d.agency_id = s.agency_id AND d.sequence_day = s.day
            WHERE s.last IS DISTINCT FROM d.mx""",
        "sequence_not_in_time_order": """SELECT count(*) FROM (SELECT sequence, row_number()
            OVER (PARTITION BY agency_id, sequence_day ORDER BY received_at) rn
            FROM dossiers_dossier) x WHERE sequence <> rn""",
        "receipt_day_mismatch": f"""SELECT count(*) FROM dossiers_dossier
            WHERE (received_at AT TIME ZONE '{TZ}')::date <> sequence_day""",
        "due_not_after_receipt": "SELECT count(*) FROM dossiers_dossier WHERE due_at <= received_at",
        "timeliness_inconsistent": f"""SELECT count(*) FROM dossiers_dossier
            WHERE status IN ('result_ready', 'returned') AND timeliness <> CASE
              WHEN (result_ready_at AT TIME ZONE '{TZ}')::date < (due_at AT TIME ZONE '{TZ}')::date
                THEN 'early'
              WHEN (result_ready_at AT TIME ZONE '{TZ}')::date = (due_at AT TIME ZONE '{TZ}')::date
                THEN 'on_time' ELSE 'late' END""",
        "settled_pct": """SELECT round(100.0 * count(*) FILTER (WHERE status IN
            ('result_ready', 'returned')) / count(*), 2) FROM dossiers_dossier""",
        "late_pct_of_settled": """SELECT round(100.0 * count(*) FILTER (WHERE timeliness =
            'late') / nullif(count(*) FILTER (WHERE timeliness <> ''), 0), 2)
            FROM dossiers_dossier""",
        "open": """SELECT count(*) FROM dossiers_dossier WHERE status IN ('received',
            'processing', 'supplement_requested', 'awaiting_fee', 'suspended', 'transferred')""",
        "agencies": "SELECT count(DISTINCT agency_id) FROM dossiers_dossier",
        "procedures": "SELECT count(DISTINCT procedure_id) FROM dossiers_dossier",
        "months": """SELECT count(DISTINCT date_trunc('month', sequence_day))
            FROM dossiers_dossier""",
        "dangling_references": """SELECT count(*) FROM dossiers_dossier d
            LEFT JOIN procedures_procedure p ON p.id = d.procedure_id
            LEFT JOIN procedures_agency a ON a.id = d.agency_id
            LEFT JOIN procedures_field f ON f.id = d.field_id
            WHERE p.id IS NULL OR a.id IS NULL OR f.id IS NULL""",
        "events": "SELECT count(*) FROM dossiers_dossierevent",
        "events_dangling": """SELECT count(*) FROM dossiers_dossierevent e
            LEFT JOIN dossiers_dossier d ON d.id = e.dossier_id WHERE d.id IS NULL""",
    }
    out = {}
    for name, sql in queries.items():
        cur.execute(sql)
        out[name] = cur.fetchone()[0]
        log(f"check {name}: {out[name]}")
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--parts", type=int, default=2, help="parallel loading connections")
    parser.add_argument("--check", action="store_true", help="verify consistency afterwards")
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.check_only:
        seed(args.dossiers, seed_value=args.seed, parts=args.parts)
    if args.check or args.check_only:
        django_setup()
        from django.db import connection

        with connection.cursor() as cur:
            check(cur)


if __name__ == "__main__":
    main()
