"""The processes of a fault drill: a private Redis, gunicorn, a supervised Celery worker and
beat, all on the test database; and a small load generator that counts what it gets.

Never the machine's shared Redis: each drill starts its own redis-server on a free port and
kills only that one (by the pid it started).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


class OwnRedis:
    """A redis-server of the drill's own, on its own port, killed with SIGKILL."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self.ping, 10), "own redis did not start"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """The outage: SIGKILL, no shutdown, queues and unacked messages are lost with it."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None
        assert wait_for(lambda: not self.ping(), 5)


def children(pid: int) -> list[int]:
    try:
        raw = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in raw.split()]


class Stack:
    """gunicorn + supervised worker + supervised beat on the test database and own Redis."""

    def __init__(self, *, database_url: str, redis: OwnRedis, dvcqg_url: str, workdir: Path):
        self.redis = redis
        self.workdir = workdir
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_DEBUG": "true",
            "DVCQG_ENDPOINT": dvcqg_url,
            "DVCQG_TIMEOUT_SECONDS": "3",
            # Time compressed: a back-off capped at 2 s stands for the 1-hour cap.
            "DVCQG_RETRY_BASE_SECONDS": "1",
            "DVCQG_RETRY_MAX_SECONDS": "2",
            "DVCQG_SWEEP_SECONDS": "2",
            "API_TOKEN_RATE": "120/min",
            "SUPERVISE_RESTART_DELAY": "1",
            "LOG_LEVEL": "WARNING",
        }
        self.procs: dict[str, subprocess.Popen] = {}

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.procs[name] = proc
        return proc

    def start(self) -> Stack:
        py = sys.executable
        self._spawn(
            "web",
            [py, "-m", "gunicorn", "hanoi_cchc.wsgi:application", "--workers", "2",
             "--threads", "2", "--bind", f"127.0.0.1:{self.port}", "--timeout", "60"],
        )  # fmt: skip
        self._spawn(
            "worker",
            [str(ROOT / "bin/supervise"), py, "-m", "celery", "-A", "hanoi_cchc", "worker",
             "--concurrency=2", "--without-gossip", "--without-mingle", "-l", "warning"],
        )  # fmt: skip
        self._spawn(
            "beat",
            [str(ROOT / "bin/supervise"), py, "-m", "celery", "-A", "hanoi_cchc", "beat",
             "-s", str(self.workdir / "beat-schedule"), "-l", "warning"],
        )  # fmt: skip
        assert wait_for(self._web_up, 60, 0.5), self.log("web")
        assert wait_for(lambda: self.worker_pid() is not None, 30), self.log("worker")
        return self

    def _web_up(self) -> bool:
        try:
            status, _ = self.request("GET", "/healthz")
            return status in (200, 503)
        except OSError:
            return False

    def worker_pid(self) -> int | None:
        """The celery worker's main process (the supervisor's child)."""
        kids = children(self.procs["worker"].pid)
        return kids[0] if kids else None

    def kill_worker(self) -> int:
        """kill -9 of the worker: its main process and pool processes, no warm shutdown."""
        pid = self.worker_pid()
        assert pid is not None
        for victim in [*children(pid), pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        return pid

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            hdrs = {"Content-Type": "application/json"} if data else {}
            conn.request(method, path, body=data, headers={**hdrs, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


class Load:
    """Threads sending real requests to the stack until stopped; every answer is counted.

    kinds: "intake" (API, token auth) followed by "lookup" (citizen page) of the new code,
    and "token" (the token endpoint: right and wrong credentials in turn).
    """

    def __init__(self, stack: Stack, *, token: str, intake_body: dict, username: str,
                 password: str, intake_threads: int = 2, token_threads: int = 1):  # fmt: skip
        self.stack = stack
        self.token = token
        self.intake_body = intake_body
        self.username, self.password = username, password
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.created: list[int] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._intakes, daemon=True)
                         for _ in range(intake_threads)]  # fmt: skip
        self._threads += [threading.Thread(target=self._tokens, daemon=True)
                          for _ in range(token_threads)]  # fmt: skip

    def _record(self, kind: str, call):
        try:
            status, raw = call()
        except OSError as exc:  # refused, reset, timed out: counted apart from statuses
            with self._lock:
                self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None, b""
        with self._lock:
            self.statuses[(kind, status)] += 1
        return status, raw

    def _intakes(self):
        auth = {"Authorization": f"Token {self.token}"}
        n = 0
        while not self._stop.is_set():
            n += 1
            applicant = {**self.intake_body["applicant"], "name": f"Diễn tập {n}"}
            body = {**self.intake_body, "applicant": applicant}
            status, raw = self._record(
                "intake", lambda b=body: self.stack.request("POST", "/api/v1/dossiers/", b, auth)
            )
            if status == 201:
                created = json.loads(raw)
                with self._lock:
                    self.created.append(created["id"])
                code = created["code"]
                self._record(
                    "lookup", lambda c=code: self.stack.request("GET", f"/ho-so/tra-cuu/?ma={c}")
                )

    def _tokens(self):
        n = 0
        while not self._stop.is_set():
            n += 1
            right = n % 2 == 0
            body = {
                "username": self.username if right else f"khong-co-{n}",
                "password": self.password if right else "sai",
            }
            self._record(
                "token", lambda b=body: self.stack.request("POST", "/api/v1/auth/token/", b)
            )
            self._stop.wait(0.3)

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(60)

    @property
    def tried(self) -> int:
        return sum(self.statuses.values()) + len(self.errors)

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.statuses.items() if status >= 500)

    def summary(self) -> dict:
        by_kind: dict = {}
        for (kind, status), n in sorted(self.statuses.items()):
            by_kind.setdefault(kind, {})[status] = n
        return {"tried": self.tried, "5xx": self.server_errors,
                "transport_errors": len(self.errors), "by_kind": by_kind}  # fmt: skip
