"""A real HTTP server on 127.0.0.1 for the webhook tests (the standard library's, in a thread
of its own).

It checks every delivery's signature as a receiver would (against ``secrets``, within the
replay window), keeps what arrived, and can be told to misbehave: answer with another
status (``status``), wait before answering (``delay``), or send an endless-looking answer
(``huge``), or trickle its headers a byte at a time (``drip``)."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from forum.services.webhooks import signing

from .smtp_server import free_port


@dataclass
class Arrival:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.headers.get("X-Agora-Event", "")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        verified = any(signing.verify(secret, self.headers.get(signing.HEADER, ""), body,
                                      time.time()) for secret in list(owner.secrets))
        with owner.lock:
            owner.arrivals.append(Arrival(self.path, dict(self.headers.items()), body,
                                          verified))
            status, delay, huge, drip = owner.status, owner.delay, owner.huge, owner.drip
        if delay:
            time.sleep(delay)
        if drip:
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for char in b"X-Slow: " + b"z" * 40:
                    self.wfile.write(bytes([char]))
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass  # cut off, as it should be
            self.close_connection = True
            return
        self.send_response(status)
        if huge:
            self.send_header("Content-Length", str(100 * 1024 * 1024))
            self.end_headers()
            try:
                chunk = b"x" * 65536
                for _ in range(1600):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the forum stopped reading, as it should
            return
        payload = b'{"ok": true}'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: WebhookServer


class WebhookServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals: list[Arrival] = []
        self.secrets: set[str] = set()
        self.lock = threading.Lock()
        self.behave()
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def behave(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.huge = False
        self.drip = False

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> WebhookServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
