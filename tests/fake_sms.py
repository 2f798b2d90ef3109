"""A small stand-in for an SMS gateway, for tests (modelled on tests/fake_dvcqg.py).

A threading HTTP server on 127.0.0.1 that records every SMS it accepts, de-duplicates by
the Idempotency-Key header like a careful gateway, and can be told to fail (HTTP 503), to
refuse (HTTP 400), or be stopped and started again on the same port.

    fake = FakeSMSGateway().start()
    settings.SMS_GATEWAY_URL = fake.url
    fake.fail = True; ...; fake.fail = False
    fake.stop(); ...; fake.start()
    fake.messages  # [{"id", "to", "from", "text"}] in the order accepted
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "sms-test-token"


class FakeSMSGateway:
    def __init__(self):
        self.port = 0
        self.fail = False
        self.refuse = False
        self.messages: list[dict] = []
        self.duplicates = 0
        self.refused = 0
        self._keys: set[str] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> FakeSMSGateway:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._send(401, {"error": "token"})
                if fake.fail:
                    with fake._lock:
                        fake.refused += 1
                    return self._send(503, {"error": "unavailable"})
                if fake.refuse:
                    return self._send(400, {"error": "blocked number"})
                try:
                    sms = json.loads(raw)
                except ValueError:
                    return self._send(400, {"error": "bad json"})
                key = self.headers.get("Idempotency-Key") or ""
                with fake._lock:
                    if key and key in fake._keys:
                        fake.duplicates += 1
                        return self._send(200, {"status": "duplicate"})
                    fake._keys.add(key)
                    fake.messages.append(sms)
                return self._send(201, {"status": "queued"})

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms/send"

    def texts_to(self, phone: str) -> list[str]:
        with self._lock:
            return [m["text"] for m in self.messages if m["to"] == phone]
