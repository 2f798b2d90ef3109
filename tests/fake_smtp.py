"""A tiny SMTP server for tests: accepts mail on 127.0.0.1, can be stopped and restarted.

Python 3.12 dropped smtpd; this speaks just enough SMTP (HELO/EHLO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT) for smtplib and Django's SMTP backend.

    fake = FakeSMTP().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", fake.port
    fake.stop(); ...; fake.start()     # same port again
    fake.messages  # [(sender, [recipients], raw bytes)]
"""

from __future__ import annotations

import socketserver
import threading


class FakeSMTP:
    def __init__(self):
        self.port = 0
        self.messages: list[tuple[str, list[str], bytes]] = []
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> FakeSMTP:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())
                self.wfile.flush()

            def handle(self):
                self.reply("220 fake-smtp ready")
                sender, recipients = "", []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode("utf-8", "replace").strip()
                    verb = line[:4].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-fake-smtp\r\n250 8BITMIME\r\n")
                    elif verb == "HELO":
                        self.reply("250 fake-smtp")
                    elif verb == "MAIL":
                        sender, recipients = line.split(":", 1)[1].strip(" <>"), []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipients.append(line.split(":", 1)[1].strip(" <>"))
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with .")
                        body = b""
                        while True:
                            chunk = self.rfile.readline()
                            if not chunk or chunk in (b".\r\n", b".\n"):
                                break
                            body += chunk[1:] if chunk.startswith(b"..") else chunk
                        with fake._lock:
                            fake.messages.append((sender, recipients, body))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # RSET, NOOP and anything else
                        self.reply("250 OK")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
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

    def recipients(self) -> list[str]:
        with self._lock:
            return [r for _sender, rcpts, _body in self.messages for r in rcpts]
