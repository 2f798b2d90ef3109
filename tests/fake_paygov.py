"""A small stand-in for a PayGov-style payment gateway, for tests.

A threading HTTP server on 127.0.0.1. GET /pay takes the portal's signed request (it
checks the signature with the shared secret, as the real gateway would) and shows a page
with one button; GET /confirm "takes the money": it sends the signed server-to-server
notice to the portal (POST return_url) and then redirects the browser to return_url with
the same signed fields. Signing is written here independently of dossiers.payments, so a
change of the canonical string on one side fails the tests.

    fake = FakePayGov(secret="...").start()
    settings.PAYGOV_URL = fake.url
    ...; fake.paid == [{"ref": ..., "amount": ..., "txn": ...}]
    fake.stop()
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

REQUEST_FIELDS = ("amount", "merchant", "purpose", "ref", "return_url")
CALLBACK_FIELDS = ("amount", "merchant", "ref", "status", "txn")


def signature(secret: str, fields: dict, names) -> str:
    message = "&".join(f"{n}={fields.get(n, '')}" for n in sorted(names))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class FakePayGov:
    def __init__(self, *, secret: str, notify: bool = True):
        self.secret = secret
        self.notify = notify  # also send the server-to-server notice before the redirect
        self.port = 0
        self.requests: list[dict] = []
        self.paid: list[dict] = []
        self.notices: list[int] = []  # HTTP status of each notice the portal answered
        self._txn = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/pay"

    def start(self) -> FakePayGov:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _html(self, status: int, body: str):
                raw = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/pay":
                    return self._pay(query)
                if url.path == "/confirm":
                    return self._confirm(query)
                return self._html(404, "not found")

            def _pay(self, query):
                expected = signature(fake.secret, query, REQUEST_FIELDS)
                if not hmac.compare_digest(expected, query.get("sig", "")):
                    return self._html(400, "<h1>Sai chu ky</h1>")
                fake.requests.append(query)
                confirm = "/confirm?" + urlencode(query)
                return self._html(
                    200,
                    "<!doctype html><html lang=vi><meta charset=utf-8><title>PayGov (giả lập)"
                    "</title><h1>Cổng thanh toán (giả lập)</h1>"
                    f"<p>Mã: <b id=ref>{html.escape(query['ref'])}</b></p>"
                    f"<p>Số tiền: <b id=amount>{html.escape(query['amount'])}</b> đ</p>"
                    f"<p>{html.escape(query.get('purpose', ''))}</p>"
                    f"<a id=confirm href='{html.escape(confirm)}'>Xác nhận thanh toán</a>",
                )

            def _confirm(self, query):
                expected = signature(fake.secret, query, REQUEST_FIELDS)
                if not hmac.compare_digest(expected, query.get("sig", "")):
                    return self._html(400, "<h1>Sai chu ky</h1>")
                fields = {
                    "amount": query["amount"],
                    "merchant": query["merchant"],
                    "ref": query["ref"],
                    "status": "00",
                    "txn": f"PG{next(fake._txn):08d}",
                }
                fields["sig"] = signature(fake.secret, fields, CALLBACK_FIELDS)
                fake.paid.append(fields)
                if fake.notify:
                    fake.notices.append(fake._notice(query["return_url"], fields))
                self.send_response(302)
                self.send_header("Location", f"{query['return_url']}?{urlencode(fields)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def _notice(self, url: str, fields: dict) -> int:
        data = urlencode(fields).encode()
        try:
            with urllib.request.urlopen(url, data=data, timeout=10) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
