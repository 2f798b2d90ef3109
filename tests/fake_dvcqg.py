"""A small stand-in for the DVCQG sync endpoint, for tests.

A threading HTTP server on 127.0.0.1 that records every message it accepts, de-duplicates
by the Idempotency-Key header like the real portal, and can be told to fail (HTTP 500),
to be slow, or be stopped and started again on the same port.

    fake = FakeDVCQG().start()
    settings.DVCQG_ENDPOINT = fake.url          # POST target
    settings.DVCQG_ACK_ENDPOINT = fake.ack_url  # GET ?dossier_id=N -> {"keys": [...]}
    fake.fail = True; ...; fake.fail = False
    fake.stop(); ...; fake.start()
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeDVCQG:
    def __init__(self):
        self.port = 0
        self.fail = False
        self.delay = 0.0
        self.accepted: list[dict] = []  # envelopes, in the order they were acknowledged
        self.duplicates = 0
        self.refused = 0
        self.received = 0  # POSTs that reached us, before any delay (fault drills)
        self._keys: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ------------------------------------------------------------------------

    def start(self) -> FakeDVCQG:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, body: dict):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    fake.received += 1
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.fail:
                    with fake._lock:
                        fake.refused += 1
                    return self._send(500, {"error": "unavailable"})
                key = self.headers.get("Idempotency-Key") or ""
                try:
                    envelope = json.loads(raw)
                except ValueError:
                    return self._send(400, {"error": "bad json"})
                if not key:
                    return self._send(400, {"error": "Idempotency-Key required"})
                with fake._lock:
                    if key in fake._keys:
                        fake.duplicates += 1
                        return self._send(200, {"status": "duplicate", "key": key})
                    fake._keys.add(key)
                    fake.accepted.append(envelope)
                return self._send(201, {"status": "accepted", "key": key})

            def do_GET(self):
                url = urlparse(self.path)
                if not url.path.rstrip("/").endswith("/ack"):
                    return self._send(404, {"error": "not found"})
                dossier = (parse_qs(url.query).get("dossier_id") or [""])[0]
                with fake._lock:
                    keys = [
                        e["dedup_key"] for e in fake.accepted if str(e["dossier_id"]) == dossier
                    ]
                return self._send(200, {"keys": keys})

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def forget(self, dedup_key: str) -> None:
        """Simulate DVCQG losing a message it had acknowledged (for reconciliation)."""
        with self._lock:
            self._keys.discard(dedup_key)
            self.accepted = [e for e in self.accepted if e["dedup_key"] != dedup_key]

    # --- inspection ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/hoso/dongbo"

    @property
    def ack_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/hoso/ack"

    def message_ids(self, dossier_id: int) -> list[int]:
        with self._lock:
            return [e["message_id"] for e in self.accepted if e["dossier_id"] == dossier_id]

    def keys(self) -> list[str]:
        with self._lock:
            return [e["dedup_key"] for e in self.accepted]
