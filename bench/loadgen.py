"""An open-loop HTTP/1.1 load generator (asyncio, raw keep-alive connections, loopback only).

Open loop: request i is *scheduled* at start + i / rate whatever happened to the previous
ones, and its latency is measured from that scheduled time, so a slow server cannot slow
the generator down and hide its own queueing (coordinated omission). Requests wait in a
queue for a free connection; the wait counts in the latency. Every phase is bounded in
count and in time: what is not answered by `duration + timeout` is counted as an error.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ALLOWED_HOSTS = {"127.0.0.1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    expect: tuple[int, ...] = (200,)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closes it."""

    def __init__(self, host: str, port: int):
        if host not in ALLOWED_HOSTS:
            raise ValueError(f"the load generator only targets {ALLOWED_HOSTS}, not {host}")
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, req: Request) -> Response:
        if self.writer is None:
            await self._open()
        head = [f"{req.method} {req.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in req.headers.items()]
        if req.body or req.method == "POST":
            head.append(f"Content-Length: {len(req.body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + req.body)
        try:
            return await self._read()
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise

    async def _read(self) -> Response:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                k = k.strip().lower()
                v = v.strip()
                headers[k] = f"{headers[k]}\n{v}" if k in headers else v
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, body)


def cookies_from(response: Response) -> dict[str, str]:
    out = {}
    for line in response.headers.get("set-cookie", "").split("\n"):
        if "=" in line:
            name, rest = line.split("=", 1)
            out[name.strip()] = rest.split(";", 1)[0]
    return out


async def one(host: str, port: int, req: Request) -> Response:
    conn = Connection(host, port)
    try:
        return await conn.request(req)
    finally:
        conn.close()


# --- CPU accounting ----------------------------------------------------------------------


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (threads included) from /proc, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def children_of(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(entry))
    return out


class CpuMeter:
    """CPU seconds used by a set of processes between start() and stop()."""

    def __init__(self, pids_fn: Callable[[], list[int]]):
        self.pids_fn = pids_fn
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = {pid: proc_cpu_seconds(pid) for pid in self.pids_fn()}

    def stop(self) -> float:
        total = 0.0
        for pid in self.pids_fn():
            total += proc_cpu_seconds(pid) - self.before.get(pid, 0.0)
        return round(total, 2)


# --- the open loop -----------------------------------------------------------------------


@dataclass
class Sample:
    scheduled: float  # seconds since the phase start
    latency: float  # seconds from the scheduled time to the end of the response
    status: int  # 0: connection error or timeout
    ok: bool


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def open_loop(
    *,
    host: str,
    port: int,
    make: Callable[[int], Request],
    rate: float,
    duration: float,
    connections: int,
    warmup: float = 5.0,
    max_requests: int | None = None,
    timeout: float = 10.0,
    on_response: Callable[[int, Response], None] | None = None,
    cpu_meters: dict[str, CpuMeter] | None = None,
) -> dict:
    """Send requests on a fixed schedule; return latency percentiles, throughput, errors and
    CPU of the measured part (after `warmup` seconds)."""
    count = int(rate * duration)
    if max_requests is not None:
        count = min(count, max_requests)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    samples: list[Sample] = []
    start = loop.time() + 0.1
    hard_end = start + count / rate + timeout
    cpu_meters = cpu_meters or {}
    cpu: dict[str, float] = {}
    measured_from = {"t": None}

    async def producer():
        for i in range(count):
            at = start + i / rate
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if measured_from["t"] is None and i / rate >= warmup:
                measured_from["t"] = loop.time()
                for meter in cpu_meters.values():
                    meter.start()
                measured_from["ru"] = resource.getrusage(resource.RUSAGE_SELF)
            queue.put_nowait((i, at))
        for _ in range(connections):
            queue.put_nowait(None)

    async def worker():
        conn = Connection(host, port)
        while True:
            item = await queue.get()
            if item is None:
                break
            i, at = item
            left = hard_end - loop.time()
            if left <= 0:
                samples.append(Sample(at - start, loop.time() - at, 0, False))
                continue
            req = make(i)
            try:
                resp = await asyncio.wait_for(conn.request(req), timeout=min(timeout, left))
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                samples.append(Sample(at - start, loop.time() - at, 0, False))
                continue
            done = loop.time()
            ok = resp.status in req.expect
            samples.append(Sample(at - start, done - at, resp.status, ok))
            if on_response is not None:
                on_response(i, resp)
        conn.close()

    wall0 = time.time()
    await asyncio.gather(producer(), *(worker() for _ in range(connections)))
    end = loop.time()
    for name, meter in cpu_meters.items():
        cpu[name] = meter.stop() if measured_from["t"] is not None else float("nan")
    if measured_from["t"] is not None:
        ru0, ru1 = measured_from["ru"], resource.getrusage(resource.RUSAGE_SELF)
        cpu["load_generator"] = round(ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime, 2)
    measured = [s for s in samples if s.scheduled >= warmup]
    window = end - measured_from["t"] if measured_from["t"] is not None else float("nan")
    lat_ms = [s.latency * 1000 for s in measured if s.status]
    ok = sum(1 for s in measured if s.ok)
    statuses: dict[str, int] = {}
    for s in measured:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    return {
        "rate_offered": rate,
        "connections": connections,
        "scheduled": count,
        "measured_requests": len(measured),
        "warmup_s": warmup,
        "window_s": round(window, 2),
        "throughput_ok_per_s": round(ok / window, 1) if window else None,
        # Saturation phases: every answer of the phase, warm-up included, per second of the
        # whole phase (the queue makes late requests time out, not the server idle).
        "throughput_all_ok_per_s": round(sum(1 for s in samples if s.ok) / (end - start), 1),
        "p50_ms": round(percentile(lat_ms, 50), 1),
        "p95_ms": round(percentile(lat_ms, 95), 1),
        "p99_ms": round(percentile(lat_ms, 99), 1),
        "max_ms": round(max(lat_ms), 1) if lat_ms else None,
        "mean_ms": round(statistics.fmean(lat_ms), 1) if lat_ms else None,
        "errors": len(measured) - ok,
        "errors_5xx": sum(1 for s in measured if s.status >= 500),
        "statuses": statuses,
        "cpu_s": cpu,
        "cpu_ms_per_ok_request": {
            k: round(v * 1000 / ok, 2) for k, v in cpu.items() if ok and v == v
        },
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall0)),
    }
