"""Server CPU per request of the hot paths, in-process (issue 10: "show the profile that
proves where the floor is").

    DATABASE_URL=postgres://…/hanoi_bench_5m REDIS_URL=redis://…/0 \
        .venv/bin/python bench/profile_hot.py [-n 200] [--top 12] [--paths trivial,lookup]

For each path: CPU milliseconds of this process per request (median and p90 of N, after
warm-up), wall milliseconds, SQL queries and Redis commands per request, then the
functions with the largest cumulative time under cProfile. Requests go through the whole
Django stack (middleware, views, templates) with django.test.Client, without a socket or a
WSGI server: what this prints is the part of a request that a third core would share out,
and the difference from the trivial view is what each page adds to the stack's floor.

The "ceiling" column is 1000 / CPU ms × cores: the requests per second Django alone could
serve if nothing else used the cores (no PostgreSQL, Redis, gunicorn or load generator):
an upper bound, and the gain a third core brings to it.

Read-only: everything runs in one transaction that is rolled back at the end (the
profiling official and desk user, their sessions and the intakes vanish; PostgreSQL
sequences advance). The intake's after-commit Celery publish therefore does not happen
here: it is one publish per dossier (dossiers.tasks.after_change), timed on its own by
--publish (which does publish to REDIS_URL, for a dossier id that does not exist: the
worker's tasks find nothing to do).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
# The benchmark server's environment (bench/run.py server_env), minus what a socket needs.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "profile-hot-not-secret-only-signs-cookies-of-this-run",
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "LOG_LEVEL": "ERROR",
}
# Frames of the test client and the middleware chain: every path has them, they hide the rest.
HIDDEN = (
    "profile_hot.py",
    "{built-in method builtins.exec}",
    "django/test/",
    "django/core/handlers/",
    "django/utils/deprecation.py",
    "middleware.py",
    "_view_wrapper",
    "rest_framework/views.py",
    "rest_framework/viewsets.py",
)
PATHS = (
    "trivial",
    "lookup",
    "status",
    "worklist",
    "worklist_search",
    "worklist_search_closed",
    "intake",
    "ledger_month",
    "ledger_year",
)
# Slow paths get fewer rounds so that the whole run stays well under two minutes at 5 M.
ROUNDS = {"ledger_month": 0.1, "ledger_year": 0.03, "intake": 0.5, "worklist_search_closed": 0.5}


class Counter:
    """Redis commands sent by this process (one per command or pipeline)."""

    def __init__(self):
        self.count = 0

    def install(self) -> None:
        try:
            from redis.connection import Connection
        except ImportError:
            return
        original = Connection.send_packed_command
        counter = self

        def send_packed_command(self, command, check_health=True):
            counter.count += 1
            return original(self, command, check_health)

        Connection.send_packed_command = send_packed_command


def setup() -> None:
    for key, value in SERVER_ENV.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # DEBUG off serves hashed static names from the manifest, as the benchmark server does.
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def fixtures() -> dict:
    """What the requests need, read from the database (plus two users, rolled back)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from procedures.models import Membership

    with connection.cursor() as cur:
        # The agency with the most open dossiers: the heaviest ordinary worklist.
        cur.execute(
            """SELECT current_agency_id FROM dossiers_dossier
               WHERE status IN ('received', 'processing') GROUP BY 1 ORDER BY count(*) DESC
               LIMIT 1"""
        )
        row = cur.fetchone()
        if row is None:
            raise SystemExit("no open dossier in this database: seed it first (bench/seed.py)")
        agency = row[0]
        cur.execute(
            """SELECT code, right(regexp_replace(applicant_phone, '[^0-9]', '', 'g'), 4),
                      applicant_name
               FROM dossiers_dossier WHERE current_agency_id = %s AND code IS NOT NULL
                 AND status IN ('received', 'processing')
               ORDER BY id DESC LIMIT 200""",
            [agency],
        )
        lookups = cur.fetchall()
        cur.execute(
            """SELECT code, applicant_name FROM dossiers_dossier
               WHERE agency_id = %s AND status = 'returned' ORDER BY id DESC LIMIT 50""",
            [agency],
        )
        closed = cur.fetchall()
        cur.execute(
            """SELECT p.id FROM procedures_procedure p
               JOIN procedures_procedure_agencies pa ON pa.procedure_id = p.id
               WHERE pa.agency_id = %s AND p.status = 'published' ORDER BY p.id LIMIT 1""",
            [agency],
        )
        procedure = cur.fetchone()
        # Form 06 as bench/run.py prints it: the agency whose last 365 days are closest to a
        # year of ~1,750 dossiers.
        cur.execute(
            """SELECT agency_id FROM dossiers_dossier
               WHERE received_at >= now() - interval '365 days'
               GROUP BY 1 ORDER BY abs(count(*) - 1750) LIMIT 1"""
        )
        ledger_agency = cur.fetchone()[0]
    users = get_user_model()
    official = users.objects.create_user("profile_hot_leader", password=None)
    Membership.objects.create(user=official, agency_id=agency, role=Membership.Role.LEADER)
    desk = users.objects.create_user("profile_hot_desk", password=None)
    Membership.objects.create(user=desk, agency_id=agency, role=Membership.Role.DESK)
    inspector = users.objects.create_user("profile_hot_inspector", password=None)
    Membership.objects.create(user=inspector, agency_id=None, role=Membership.Role.INSPECTOR)
    return {
        "agency": agency,
        "ledger_agency": ledger_agency,
        "lookups": lookups,
        "closed": closed or lookups,
        "procedure": procedure[0] if procedure else None,
        "official": official,
        "desk": desk,
        "inspector": inspector,
    }


def requests_for(fx: dict):
    """{path: (client, make(i) -> response)}."""
    from django.test import Client

    from procedures.search import fold

    def client(user=None):
        c = Client(HTTP_HOST=HOST)
        if user is not None:
            c.force_login(user)
        return c

    # The status page is measured without the lookup's cookie: the public answer by code,
    # as bench/run.py's lookup_page phase asks for it.
    anonymous, citizen, official = client(), client(), client(fx["official"])
    lookups, closed = fx["lookups"], fx["closed"]
    inspector = client(fx["inspector"])
    today = date.today()
    last = today.replace(day=1) - timedelta(days=1)
    periods = {
        "month": (last.replace(day=1), last),
        "year": (today - timedelta(days=364), today),
    }

    def ledger(period):
        start, end = periods[period]
        query = urlencode({"co_quan": fx["ledger_agency"], "tu": start, "den": end})
        return lambda i: inspector.get(f"/ho-so/so-theo-doi.pdf?{query}")

    def intake(c):
        from procedures.models import RequiredDocument

        papers = [
            {"name": d.name, "form": d.form, "copies": 1}
            for d in RequiredDocument.objects.filter(procedure_id=fx["procedure"], mandatory=True)
        ]

        def post(i):
            body = {
                "procedure": fx["procedure"],
                "agency": fx["agency"],
                "channel": "desk",
                "applicant": {"name": f"Nguyễn Văn Thử {i}", "phone": "0912345678"},
                "documents": papers,
            }
            return c.post("/api/v1/dossiers/", body, content_type="application/json")

        return post

    def search(rows, i, **extra):
        code, name = rows[i % len(rows)][0], rows[i % len(rows)][-1]
        term = (fold(name), code[-4:], code.split("-", 1)[-1])[i % 3]
        return urlencode({"q": term, **extra})

    return {
        "trivial": lambda i: anonymous.get("/bench/trivial/"),
        "lookup": lambda i: citizen.post(
            "/ho-so/tra-cuu/",
            {"ma": lookups[i % len(lookups)][0], "secret": lookups[i % len(lookups)][1]},
        ),
        "status": lambda i: anonymous.get(
            "/ho-so/tra-cuu/?" + urlencode({"ma": lookups[i % len(lookups)][0]})
        ),
        "worklist": lambda i: official.get("/ho-so/"),
        "worklist_search": lambda i: official.get("/ho-so/?" + search(lookups, i)),
        "worklist_search_closed": lambda i: official.get(
            "/ho-so/?" + search(closed, i, trang_thai="returned")
        ),
        "intake": intake(client(fx["desk"])) if fx["procedure"] else None,
        "ledger_month": ledger("month"),
        "ledger_year": ledger("year"),
    }


def measure(name, make, n: int, top: int, redis: Counter) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(min(5, n)):  # warm caches the way a running server has them
        make(i)
    cpu, wall, queries, commands, statuses = [], [], [], [], set()
    for i in range(n):
        before = redis.count
        with CaptureQueriesContext(connection) as ctx:
            c0, w0 = time.process_time(), time.perf_counter()
            response = make(i)
            c1, w1 = time.process_time(), time.perf_counter()
        cpu.append((c1 - c0) * 1000)
        wall.append((w1 - w0) * 1000)
        queries.append(len(ctx.captured_queries))
        commands.append(redis.count - before)
        statuses.add(response.status_code)
    # The profile: a quarter of the rounds is enough to rank the functions.
    profiled = max(3, n // 4)
    profile = cProfile.Profile()
    profile.enable()
    for i in range(profiled):
        make(i)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(top + 40)
    print("\n   own time (tottime):", file=out)
    stats.sort_stats("tottime").print_stats(8)
    return {
        "name": name,
        "n": n,
        "profiled": profiled,
        "cpu_ms": statistics.median(cpu),
        "cpu_p90": sorted(cpu)[int(0.9 * (len(cpu) - 1))],
        "wall_ms": statistics.median(wall),
        "queries": statistics.median(queries),
        "redis": statistics.median(commands),
        "status": sorted(statuses),
        "profile": _trim(out.getvalue(), top),
    }


def _trim(text: str, top: int) -> str:
    """The pstats table without its header and the harness's own frames."""
    cumulative, _, own = text.partition("   own time (tottime):")
    return _table(cumulative, top, hide=True) + "\n\nown time:\n" + _table(own, 8, hide=False)


def _table(text: str, top: int, *, hide: bool) -> str:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    keep = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.strip() or (hide and any(hidden in line for hidden in HIDDEN)):
            continue
        keep.append(line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", ""))
        if len(keep) > top:
            break
    return "\n".join(keep)


def publish_cost(n: int) -> float:
    """Milliseconds of CPU per after-commit kick (one publish) against REDIS_URL."""
    from dossiers.dispatch import _kick

    _kick(0)
    c0 = time.process_time()
    for _ in range(n):
        _kick(0)
    return (time.process_time() - c0) * 1000 / n


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="requests per path (slow paths fewer)")
    parser.add_argument("--top", type=int, default=12, help="functions shown per path")
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--publish", action="store_true", help="also time one Celery publish")
    args = parser.parse_args(argv)
    setup()
    from django.conf import settings
    from django.db import connection, transaction

    redis = Counter()
    redis.install()
    started = time.perf_counter()
    results = []
    with transaction.atomic():
        fx = fixtures()
        makers = requests_for(fx)
        for name in args.paths.split(","):
            make = makers.get(name.strip())
            if make is None:
                print(f"skipped {name}: unknown path or nothing to request", file=sys.stderr)
                continue
            n = max(3, int(args.n * ROUNDS.get(name, 1)))
            results.append(measure(name, make, n, args.top, redis))
        transaction.set_rollback(True)
    publish = publish_cost(50) if args.publish else None
    load = os.getloadavg()
    print(
        f"# profile_hot: {connection.settings_dict['NAME']}, DEBUG={settings.DEBUG}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    trivial = next((r["cpu_ms"] for r in results if r["name"] == "trivial"), None)
    # The ceiling if Django's CPU were the only cost: what two and three cores could serve.
    print(
        "| path | n | CPU ms/request (median, p90) | × trivial | wall ms | SQL | Redis "
        "| req/s ceiling, 2 / 3 cores | status |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = f"{r['cpu_ms'] / trivial:.1f}" if trivial else "–"
        per_core = 1000 / r["cpu_ms"] if r["cpu_ms"] else 0
        print(
            f"| {r['name']} | {r['n']} | {r['cpu_ms']:.2f}, {r['cpu_p90']:.2f} | {ratio} | "
            f"{r['wall_ms']:.2f} | {r['queries']:g} | {r['redis']:g} | "
            f"{2 * per_core:,.0f} / {3 * per_core:,.0f} | {r['status']} |"
        )
    if publish is not None:
        print(f"\nOne after-commit kick (Celery publish): {publish:.2f} ms CPU")
    for r in results:
        print(f"\n## {r['name']}: top functions by cumulative time ({r['profiled']} requests)\n")
        print(r["profile"])


if __name__ == "__main__":
    main()
