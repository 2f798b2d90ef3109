"""The benchmark suite: seed N dossiers, serve the portal with gunicorn, measure, report.

    .venv/bin/python bench/run.py --dossiers 1000000            # hanoi_bench_1m
    .venv/bin/python bench/run.py --dossiers 5000000            # hanoi_bench_5m
    .venv/bin/python bench/run.py --dossiers 100000 --db hanoi_bench_small --quick

Steps: create and migrate the database if needed; seed (bench/seed.py) unless it already
holds N dossiers; full statistics recompute (timed); collectstatic; start gunicorn with
production settings (DEBUG off, whitenoise) on 127.0.0.1; log in the bench users over
HTTP; run the open-loop phases (bench/loadgen.py); check the intake's codes; count SQL
queries of each page in-process; write bench/results/<N>.json. `bench/report.py` turns
the JSON files into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import indicator_phases, loadgen  # noqa: E402
from bench.loadgen import CpuMeter, Request, children_of, cookies_from, open_loop  # noqa: E402

HOST = "127.0.0.1"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS_DIR = ROOT / "bench" / "results"
OUT_DIR = ROOT / "bench" / "out"
# The Redis database the benchmark uses and flushes (--redis-db changes it).
REDIS_DB = {"n": 7}


def redis_url() -> str:
    return f"redis://127.0.0.1:6379/{REDIS_DB['n']}"


INTAKE_AGENCIES = 8
INTAKE_CLIENTS = 32
PASSWORD = "bench-" + "pw-2026"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def db_name_for(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"hanoi_bench_{n // 1_000_000}m"
    return f"hanoi_bench_{n // 1000}k"


def psql(db: str, sql: str) -> str:
    out = subprocess.run(
        ["psql", "-h", HOST, "-U", "postgres", "-d", db, "-Atc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def machine() -> dict:
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    cpu = re.search(r"model name\s+:\s+(.*)", Path("/proc/cpuinfo").read_text())
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "postgresql": psql("postgres", "SHOW server_version"),
        "pg_settings": {
            k: psql("postgres", f"SHOW {k}")
            for k in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit")
        },
        "python": platform.python_version(),
        "kernel": platform.release(),
        "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
    }


# --- preparation (in-process Django) -----------------------------------------------------


def django_setup(db: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/{db}"
    os.environ["REDIS_URL"] = redis_url()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()


def prepare_fixtures(seed_value: int = 7) -> dict:
    """Bench users (worklist official, intake desk officials with API tokens) and samples."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from procedures.models import Agency, Membership

    user_model = get_user_model()
    rng = random.Random(seed_value)
    with connection.cursor() as cur:
        # The official: a leader of the agency holding the most dossiers in processing.
        cur.execute(
            "SELECT current_agency_id, count(*) FROM dossiers_dossier WHERE status = "
            "'processing' GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        worklist_agency, processing = cur.fetchone()
        # Intake: the busiest agencies that exist today, four desk officials each.
        cur.execute(
            """SELECT a.id FROM procedures_agency a
               JOIN dossiers_dossier d ON d.agency_id = a.id
               WHERE a.valid_to IS NULL AND d.sequence_day >= current_date - 30
               GROUP BY a.id ORDER BY count(*) DESC LIMIT %s""",
            [INTAKE_AGENCIES],
        )
        intake_agencies = [row[0] for row in cur.fetchall()]
        procs = {}
        for agency_id in intake_agencies:
            cur.execute(
                """SELECT p.id FROM procedures_procedure p
                   JOIN procedures_procedure_agencies pa ON pa.procedure_id = p.id
                   WHERE pa.agency_id = %s AND p.status = 'published'
                     AND (p.valid_to IS NULL OR p.valid_to >= current_date)""",
                [agency_id],
            )
            procs[agency_id] = [row[0] for row in cur.fetchall()]
        # Intake refuses a dossier without every mandatory paper (Decree 61/2018 art. 16):
        # each request lists its procedure's mandatory documents, as a desk officer ticks them.
        wanted = sorted({p for ids in procs.values() for p in ids})
        cur.execute(
            """SELECT procedure_id, name, form FROM procedures_requireddocument
               WHERE mandatory AND procedure_id = ANY(%s) ORDER BY procedure_id, "order", id""",
            [wanted],
        )
        papers: dict[int, list[dict]] = {}
        for procedure_id, name, form in cur.fetchall():
            papers.setdefault(procedure_id, []).append({"name": name, "form": form, "copies": 1})
        # Lookup: a random sample of codes with their secret (last 4 digits of the phone).
        cur.execute("SELECT count(*) FROM dossiers_dossier")
        total = cur.fetchone()[0]
        pct = min(100.0, 100.0 * 60000 / max(total, 1))
        cur.execute(
            f"SELECT code, right(applicant_phone, 4) FROM dossiers_dossier "  # noqa: S608
            f"TABLESAMPLE BERNOULLI ({pct}) WHERE code IS NOT NULL LIMIT 20000"
        )
        lookups = cur.fetchall()
        rng.shuffle(lookups)

        # The worklist search: names, code tails and phone digits of the official's agency,
        # open (the default list) and returned (an agency's whole history).
        samples = {}
        for label, statuses in (("open", "('received','processing')"), ("closed", "('returned')")):
            cur.execute(
                f"""SELECT applicant_name, code, applicant_phone FROM dossiers_dossier
                    WHERE (agency_id = %s OR current_agency_id = %s) AND code IS NOT NULL
                      AND status IN {statuses} ORDER BY random() LIMIT 200""",  # noqa: S608
                [worklist_agency, worklist_agency],
            )
            samples[label] = cur.fetchall()
        # Form 06: the agency whose last 365 days are closest to a year of ~1,750 dossiers.
        cur.execute(
            """SELECT agency_id, count(*) FROM dossiers_dossier
               WHERE received_at >= now() - interval '365 days'
               GROUP BY 1 ORDER BY abs(count(*) - 1750) LIMIT 1"""
        )
        ledger_agency, ledger_year_rows = cur.fetchone()

    def ensure_user(username, agency_id, role):
        user, _ = user_model.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.first_name, user.last_name = "Bench", username
        user.save()
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(user=user, agency_id=agency_id, role=role)
        return user

    ensure_user("bench_canbo", worklist_agency, Membership.Role.LEADER)
    ensure_user("bench_thanhtra", None, Membership.Role.INSPECTOR)
    tokens = []
    for i in range(INTAKE_CLIENTS):
        agency_id = intake_agencies[i % len(intake_agencies)]
        user = ensure_user(f"bench_motcua_{i:02d}", agency_id, Membership.Role.DESK)
        Token.objects.filter(user=user).delete()  # tokens expire (API_TOKEN_TTL_HOURS)
        token = Token.objects.create(user=user)
        tokens.append(
            {
                "token": token.key,
                "agency": agency_id,
                "procedures": procs[agency_id],
                "papers": {p: papers.get(p, []) for p in procs[agency_id]},
            }
        )
    searches = {label: search_terms(rows, rng) for label, rows in samples.items()}
    return {
        "searches": searches,
        "ledger_agency": ledger_agency,
        "ledger_year_rows": ledger_year_rows,
        "worklist_agency": worklist_agency,
        "worklist_agency_name": Agency.objects.get(pk=worklist_agency).name,
        "worklist_processing": processing,
        "intake_agencies": intake_agencies,
        "tokens": tokens,
        "lookups": lookups,
        "dossiers": total,
    }


def search_terms(rows, rng) -> list[str]:
    """What an official types: a name without diacritics, a code's last 4 digits or its
    last part, the last 4 digits of a phone, in turn."""
    from procedures.search import fold

    terms = []
    for i, (name, code, phone) in enumerate(rows):
        kind = i % 4
        if kind == 0:
            terms.append(fold(name))
        elif kind == 1:
            terms.append(code[-4:])
        elif kind == 2:
            terms.append(code.split("-", 1)[-1])
        elif phone:
            terms.append(phone[-4:])
    rng.shuffle(terms)
    return terms or ["nguyen van an"]


def ledger_periods() -> dict[str, tuple[str, str]]:
    """The last full month, and the last 365 days (form 06 allows up to a year)."""
    today = date.today()
    last = today.replace(day=1) - timedelta(days=1)
    return {
        "month": (last.replace(day=1).isoformat(), last.isoformat()),
        "year": ((today - timedelta(days=364)).isoformat(), today.isoformat()),
    }


def ledger_url(fixtures: dict, period: str) -> str:
    start, end = ledger_periods()[period]
    query = urlencode({"co_quan": fixtures["ledger_agency"], "tu": start, "den": end})
    return f"/ho-so/so-theo-doi.pdf?{query}"


def loadavg() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def recompute_stats() -> dict:
    """indicators.services.stats_full_recompute over every month that holds dossiers."""
    from django.db import connection

    from indicators.periods import current_month
    from indicators.services import stats_full_recompute

    with connection.cursor() as cur:
        cur.execute("SELECT min(sequence_day) FROM dossiers_dossier")
        first_day = cur.fetchone()[0]
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    first = date(first_day.year, first_day.month, 1)
    last = current_month()
    cpu0 = loadgen.proc_cpu_seconds(backend)
    t0 = time.perf_counter()
    written = stats_full_recompute(first=first, last=last)
    wall = time.perf_counter() - t0
    return {
        "first_month": first.isoformat(),
        "last_month": last.isoformat(),
        "cells_written": written,
        "wall_s": round(wall, 2),
        "backend_cpu_s": round(loadgen.proc_cpu_seconds(backend) - cpu0, 2),
    }


def count_queries(fixtures: dict, deep_page: int) -> dict:
    """SQL queries per page, in-process (django.test.Client + CaptureQueriesContext)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user_model = get_user_model()
    official = user_model.objects.get(username="bench_canbo")
    inspector = user_model.objects.get(username="bench_thanhtra")
    code, secret = fixtures["lookups"][0]
    pages = {
        "worklist_first": (official, "/ho-so/?trang_thai=processing&page=1"),
        "worklist_deep": (official, f"/ho-so/?trang_thai=processing&page={deep_page}"),
        "dashboard": (inspector, "/chi-so/"),
        "disclosure": (None, "/chi-so/cong-khai/"),
        "worklist_search": (
            official,
            f"/ho-so/?{urlencode({'q': fixtures['searches']['open'][0]})}",
        ),
        "worklist_search_closed": (
            official,
            "/ho-so/?"
            + urlencode({"q": fixtures["searches"]["closed"][0], "trang_thai": "returned"}),
        ),
        "ledger_month": (inspector, ledger_url(fixtures, "month")),
        "lookup_page": (None, f"/ho-so/tra-cuu/?{urlencode({'ma': code})}"),
        "trivial": (None, "/bench/trivial/"),
    }
    out = {}
    for name, (user, url) in pages.items():
        client = Client(HTTP_HOST=HOST)
        if user is not None:
            client.force_login(user)
        client.get(url)  # warm caches the way a running server has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        out[name] = {"status": response.status_code, "queries": len(ctx.captured_queries)}
    client = Client(HTTP_HOST=HOST, enforce_csrf_checks=False)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/ho-so/tra-cuu/", {"ma": code, "secret": secret})
    out["lookup_secret"] = {"status": response.status_code, "queries": len(ctx.captured_queries)}
    return out


# --- the server --------------------------------------------------------------------------


def server_env(db: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{db}",
            "REDIS_URL": redis_url(),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(24),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def start_server(db: str, port: int, workers: int, threads: int) -> tuple[subprocess.Popen, list]:
    env = server_env(db)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    cmd = [
        GUNICORN,
        "bench.wsgi_bench:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    errlog = open(OUT_DIR / f"gunicorn-{db}.log", "a")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=errlog, stderr=errlog)
    for _ in range(100):
        time.sleep(0.3)
        try:
            resp = asyncio.run(loadgen.one(HOST, port, Request("GET", "/bench/trivial/")))
            if resp.status == 200:
                break
        except OSError:
            continue
    else:
        proc.terminate()
        raise RuntimeError("gunicorn did not start; see bench/out/gunicorn-*.log")
    return proc, cmd


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def db_backend_pids(db: str) -> list[int]:
    out = psql("postgres", f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'")
    return [int(p) for p in out.split()] if out else []


# --- HTTP sessions -----------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def login(port: int, username: str) -> str:
    """A session cookie header for username, through the real login page."""
    page = await loadgen.one(port=port, host=HOST, req=Request("GET", "/dang-nhap/"))
    csrf_cookie = cookies_from(page)["csrftoken"]
    token = CSRF_RE.search(page.body.decode()).group(1)
    body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    resp = await loadgen.one(
        HOST,
        port,
        Request(
            "POST",
            "/dang-nhap/",
            {
                "Cookie": f"csrftoken={csrf_cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body.encode(),
            expect=(302,),
        ),
    )
    if resp.status != 302:
        raise RuntimeError(f"login of {username} failed: {resp.status}")
    return f"sessionid={cookies_from(resp)['sessionid']}"


async def csrf_pair(port: int) -> tuple[str, str]:
    page = await loadgen.one(HOST, port, Request("GET", "/ho-so/tra-cuu/"))
    return cookies_from(page)["csrftoken"], CSRF_RE.search(page.body.decode()).group(1)


# --- phases ------------------------------------------------------------------------------


async def run_phases(args, port: int, server_pid: int, fixtures: dict, db: str) -> dict:
    meters = {
        "gunicorn": CpuMeter(lambda: [server_pid, *children_of(server_pid)]),
        "postgres_backends": CpuMeter(lambda: db_backend_pids(db)),
    }
    lookups = fixtures["lookups"]
    official = await login(port, "bench_canbo")
    inspector = await login(port, "bench_thanhtra")
    csrf_cookie, csrf_token = await csrf_pair(port)
    per_page = 25
    pages = max(1, math.ceil(min(fixtures["worklist_processing"], 2000) / per_page))
    deep = min(pages, 80)
    fixtures["deep_page"] = deep
    quick = args.quick
    dur = 12 if quick else 25

    def get(path, cookie=None, expect=(200,)):
        headers = {"Cookie": cookie} if cookie else {}
        return lambda i: Request("GET", path, headers, expect=expect)

    def lookup_secret(i):
        code, secret = lookups[i % len(lookups)]
        body = urlencode({"ma": code, "secret": secret, "csrfmiddlewaretoken": csrf_token})
        return Request(
            "POST",
            "/ho-so/tra-cuu/",
            {
                "Cookie": f"csrftoken={csrf_cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body.encode(),
            expect=(302,),
        )

    def lookup_page(i):
        code, _ = lookups[(i * 7919) % len(lookups)]
        return Request("GET", f"/ho-so/tra-cuu/?{urlencode({'ma': code})}")

    def search(label, **extra):
        terms = fixtures["searches"][label]

        def make(i):
            query = urlencode({"q": terms[i % len(terms)], **extra})
            return Request("GET", f"/ho-so/?{query}", {"Cookie": official})

        return make

    phases = [
        ("trivial_max", get("/bench/trivial/"), 1500, 10 if quick else 15, 64),
        ("trivial_150", get("/bench/trivial/"), 150, dur, 32),
        ("lookup_max", lookup_secret, 500, 10 if quick else 15, 64),
        ("lookup_300", lookup_secret, 300, dur, 64),
        ("lookup_150", lookup_secret, 150, dur, 32),
        ("lookup_page_150", lookup_page, 150, dur, 32),
        ("worklist_first_20", get("/ho-so/?trang_thai=processing&page=1", official), 20, dur, 16),
        (
            "worklist_deep_20",
            get(f"/ho-so/?trang_thai=processing&page={deep}", official),
            20,
            dur,
            16,
        ),
        ("worklist_search_20", search("open"), 20, dur, 16),
        ("worklist_search_closed_20", search("closed", trang_thai="returned"), 20, dur, 16),
        # A printed ledger: a month at one a second, a year (~1,750 rows) every other second.
        ("ledger_month_1", get(ledger_url(fixtures, "month"), inspector), 1, dur, 4),
        ("ledger_year_1", get(ledger_url(fixtures, "year"), inspector), 0.5, dur * 2, 4),
        ("dashboard_20", get("/chi-so/", inspector), 20, dur, 16),
        ("disclosure_20", get("/chi-so/cong-khai/"), 20, dur, 16),
        # One request a second: what a single dashboard costs when nothing queues.
        ("dashboard_1", get("/chi-so/", inspector), 1, dur, 4),
        ("disclosure_1", get("/chi-so/cong-khai/"), 1, dur, 4),
        *indicator_phases.phases(get, inspector, dur, fixtures.get("indicators", {})),
    ]
    if args.phases:
        wanted = set(args.phases.split(","))
        phases = [p for p in phases if p[0] in wanted or p[0].split("_")[0] in wanted]
    results = {}
    for name, make, rate, duration, conns in phases:
        log(f"phase {name}: {rate}/s for {duration} s over {conns} connections")
        before = loadavg()
        res = await open_loop(
            host=HOST,
            port=port,
            make=make,
            rate=rate,
            duration=duration,
            connections=conns,
            warmup=3 if quick else 5,
            cpu_meters=meters,
        )
        log(
            f"  -> {res['throughput_ok_per_s']}/s p50 {res['p50_ms']} p95 {res['p95_ms']} "
            f"p99 {res['p99_ms']} ms, errors {res['errors']} {res['statuses']}, "
            f"cpu {res['cpu_s']}"
        )
        # The machine's load average around the phase (the 1-minute figure at its end
        # mostly reflects the phase): a busy machine shows here, not only in latencies.
        res["loadavg"] = {"before": before, "after": loadavg()}
        log(f"  load average {before} -> {res['loadavg']['after']}")
        results[name] = res
        res["drain_s"] = await drain(port)
    if not args.phases or "intake" in args.phases:
        results["intake"] = await run_intake(args, port, fixtures, meters, db)
    return results


async def drain(port: int, limit: float = 90.0) -> float:
    """Wait until the server answers the trivial view quickly again, so a phase that
    overloaded it does not leave its queue to the next one. Returns the seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        t = time.perf_counter()
        try:
            await asyncio.wait_for(
                loadgen.one(HOST, port, Request("GET", "/bench/trivial/")), timeout=5
            )
        except (TimeoutError, OSError):
            continue
        if time.perf_counter() - t < 0.02:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1)
    return round(time.perf_counter() - t0, 1)


async def run_intake(args, port, fixtures, meters, db) -> dict:
    """20,000 dossiers through POST /api/v1/dossiers/ from 32 token clients, then a check
    that every 201 carried a distinct code and the database has exactly those, gapless."""
    tokens = fixtures["tokens"]
    total = args.intake
    rate = args.intake_rate
    max_id = int(psql(db, "SELECT coalesce(max(id), 0) FROM dossiers_dossier"))
    codes: dict[int, str] = {}
    rng = random.Random(11)
    plan = []
    for i in range(total):
        client = tokens[i % len(tokens)]
        plan.append((client, rng.choice(client["procedures"]), uuid.uuid4().hex))

    def make(i):
        client, procedure, key = plan[i]
        body = {
            "procedure": procedure,
            "agency": client["agency"],
            "channel": "desk",
            "applicant": {
                "name": f"Nguyễn Văn Bench {i}",
                "phone": f"09{rng.randrange(10**8):08d}",
                "id_number": f"001{rng.randrange(10**9):09d}",
            },
            "documents": client["papers"][procedure]
            or [{"name": "Tờ khai", "form": "original", "copies": 1}],
        }
        return Request(
            "POST",
            "/api/v1/dossiers/",
            {
                "Authorization": f"Token {client['token']}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
            json.dumps(body).encode(),
            expect=(201,),
        )

    def on_response(i, resp):
        if resp.status == 201:
            codes[i] = json.loads(resp.body)["code"]

    log(f"phase intake: {total} dossiers at {rate}/s over {INTAKE_CLIENTS} connections")
    before = loadavg()
    res = await open_loop(
        host=HOST,
        port=port,
        make=make,
        rate=rate,
        duration=total / rate,
        connections=INTAKE_CLIENTS,
        warmup=5,
        max_requests=total,
        timeout=15,
        on_response=on_response,
        cpu_meters=meters,
    )
    res["loadavg"] = {"before": before, "after": loadavg()}
    new = psql(
        db,
        f"""SELECT count(*), count(DISTINCT code), count(*) FILTER (WHERE code IS NULL)
            FROM dossiers_dossier WHERE id > {max_id}""",
    ).split("|")
    gaps = psql(
        db,
        """SELECT count(*) FROM (SELECT agency_id, sequence_day, max(sequence) mx, count(*) c
           FROM dossiers_dossier WHERE sequence_day = (SELECT max(sequence_day)
           FROM dossiers_dossier) GROUP BY 1, 2) x WHERE mx <> c""",
    )
    seq_rows = psql(
        db,
        """SELECT count(*) FROM dossiers_dossiersequence s JOIN (SELECT agency_id,
           sequence_day, max(sequence) mx FROM dossiers_dossier GROUP BY 1, 2) d
           ON d.agency_id = s.agency_id AND d.sequence_day = s.day WHERE s.last <> d.mx""",
    )
    db_codes = set(psql(db, f"SELECT code FROM dossiers_dossier WHERE id > {max_id}").split())
    returned = list(codes.values())
    res["check"] = {
        "responses_201": len(returned),
        "distinct_codes_in_responses": len(set(returned)),
        "new_rows": int(new[0]),
        "distinct_codes_in_db": int(new[1]),
        "rows_without_code": int(new[2]),
        "codes_returned_but_missing_in_db": len(set(returned) - db_codes),
        "codes_in_db_never_returned": len(db_codes - set(returned)),
        "agency_days_with_gaps": int(gaps),
        "sequence_rows_inconsistent": int(seq_rows),
    }
    log(f"  -> {res['throughput_ok_per_s']}/s p99 {res['p99_ms']} ms; check {res['check']}")
    return res


# --- main --------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="hanoi_cchc benchmark suite")
    parser.add_argument("--dossiers", type=int, required=True)
    parser.add_argument("--db", default=None, help="database (default hanoi_bench_1m, _5m…)")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reseed", action="store_true", help="seed even if N rows exist")
    parser.add_argument("--skip-recompute", action="store_true")
    parser.add_argument("--phases", default="", help="comma-separated subset, e.g. lookup")
    parser.add_argument("--intake", type=int, default=20000)
    parser.add_argument("--intake-rate", type=float, default=60)
    parser.add_argument("--quick", action="store_true", help="shorter phases (development)")
    parser.add_argument("--note", default="", help="contention or remarks for the report")
    parser.add_argument("--redis-db", type=int, default=7, help="Redis database, flushed")
    args = parser.parse_args(argv)
    REDIS_DB["n"] = args.redis_db
    # A SIGTERM (e.g. from `timeout`) must still stop gunicorn: turn it into SystemExit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    db = args.db or db_name_for(args.dossiers)
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/run.py", *sys.argv[1:]])
    result: dict = {"dossiers": args.dossiers, "db": db, "command": command, "note": args.note}
    result["machine"] = machine()
    if not psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"):
        subprocess.run(["createdb", "-h", HOST, "-U", "postgres", db], check=True)
    env = dict(os.environ, DATABASE_URL=f"postgres://postgres@{HOST}:5432/{db}")
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    have = int(psql(db, "SELECT count(*) FROM dossiers_dossier"))
    # A database seeded before migration dossiers.0010 has empty search columns: the search
    # phases would find nothing. Reseeding (bench/seed.py fills them) is faster than
    # `manage.py backfill_dossier_search` at millions of rows.
    unsearchable = (
        have
        and psql(db, "SELECT EXISTS (SELECT 1 FROM dossiers_dossier WHERE search_name IS NULL)")
        == "t"
    )
    if unsearchable:
        log(f"{db}: dossiers without search columns (seeded before migration 0010)")
    if args.reseed or unsearchable or have < args.dossiers * 0.99 or have > args.dossiers * 1.05:
        log(f"seeding {args.dossiers} dossiers into {db} (has {have})")
        out = subprocess.run(
            [PY, "bench/seed.py", "--dossiers", str(args.dossiers), "--check"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        print(out.stdout, flush=True)
        result["seed_log"] = out.stdout.splitlines()
    else:
        log(f"{db} already holds {have} dossiers: not reseeding")
    django_setup(db)
    fixtures = prepare_fixtures()
    result["fixtures"] = {
        k: v for k, v in fixtures.items() if k not in {"tokens", "lookups", "searches"}
    } | {"lookup_sample": len(fixtures["lookups"]), "ledger_periods": ledger_periods()}
    if not args.skip_recompute:
        log("statistics full recompute")
        result["recompute"] = recompute_stats()
        log(f"  -> {result['recompute']}")
    # The statistics table was just rewritten: give the planner its new row counts, as
    # autovacuum would within minutes on a production server.
    psql(db, "VACUUM ANALYZE indicators_monthlystat")
    fixtures["indicators"] = result["indicators"] = indicator_phases.prepare(db)
    subprocess.run(
        ["redis-cli", "-n", str(REDIS_DB["n"]), "flushdb"], check=False, capture_output=True
    )
    proc, cmd = start_server(db, args.port, args.workers, args.threads)
    result["server"] = {"command": " ".join(cmd), "workers": args.workers, "threads": args.threads}
    try:
        result["phases"] = asyncio.run(run_phases(args, args.port, proc.pid, fixtures, db))
    finally:
        stop_server(proc)
        subprocess.run(
            ["redis-cli", "-n", str(REDIS_DB["n"]), "flushdb"], check=False, capture_output=True
        )
    result["queries"] = count_queries(fixtures, fixtures.get("deep_page", 1))
    result["fixtures"]["deep_page"] = fixtures.get("deep_page")
    log(f"queries per page: {result['queries']}")
    result["machine"]["loadavg_after"] = Path("/proc/loadavg").read_text().split()[:3]
    result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{args.dossiers}.json"
    if args.phases and path.exists():
        previous = json.loads(path.read_text())
        previous.setdefault("phases", {}).update(result.pop("phases", {}))
        previous.update({k: v for k, v in result.items() if k != "phases"})
        result = previous
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    log(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
