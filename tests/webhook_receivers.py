"""Webhook receivers on 127.0.0.1 for the tests: each records what it was sent and answers as told (a status
for the first N requests and another after, a redirect, or never)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from clientele.domain.webhooks import verify


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def event_type(self) -> str:
        return self.headers.get("clientele-event-type", "")

    def signed_with(self, secret: str) -> bool:
        return verify(self.headers.get("clientele-signature", ""), secret, self.body)


@dataclass
class Receiver:
    """``statuses``: what the first requests are answered, then ``then`` for every later one; ``hang``: never
    answer (hold the connection until the client gives up or the receiver stops)."""

    statuses: list[int] = field(default_factory=list)
    then: int = 200
    hang: bool = False
    location: str | None = None  # sent with a 3xx
    received: list[Received] = field(default_factory=list)
    held: int = 0  # connections held open without an answer, now
    released: int = 0  # held connections the client closed (it gave up waiting)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def of_type(self, event_type: str) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.event_type == event_type]

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def _answer(self) -> int:
        with self._lock:
            position = len(self.received) - 1
        return self.statuses[position] if position < len(self.statuses) else self.then

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.hang:
                    self._hold()
                    return
                status = receiver._answer()
                self.send_response(status)
                if receiver.location and 300 <= status < 400:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def _hold(self) -> None:
                with receiver._lock:
                    receiver.held += 1
                self.connection.settimeout(0.1)
                try:
                    while not receiver._stopping.is_set():
                        try:
                            if self.connection.recv(1) == b"":  # the client closed its end
                                break
                        except TimeoutError:
                            continue
                except OSError:
                    pass
                with receiver._lock:
                    receiver.held -= 1
                    receiver.released += 0 if receiver._stopping.is_set() else 1

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler

    def start(self) -> Receiver:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@contextmanager
def receiving(**options: Any) -> Iterator[Receiver]:
    receiver = Receiver(**options).start()
    try:
        yield receiver
    finally:
        receiver.stop()
