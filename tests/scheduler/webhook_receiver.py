"""A real HTTP endpoint for webhook tests: an ``http.server`` on a free port in a thread that
checks each delivery's signature as a receiver would (``domain.webhooks.signing.verify``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from domain.clock import Clock
from domain.webhooks.signing import SignatureError, verify


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    @property
    def delivery_id(self) -> str:
        return self.headers["Touchline-Delivery"]


class Receiver:
    """Answers each POST with the next of ``answers`` (status, body), then 200."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.secret = ""
        self.deliveries: list[Delivery] = []
        self.answers: list[tuple[int, str]] = []
        self.before_answer: Callable[[Delivery], None] = lambda delivery: None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k: v for k, v in self.headers.items()}
                delivery = Delivery(headers, body, receiver.check(headers.get("Touchline-Signature", ""), body))
                with receiver._lock:
                    receiver.deliveries.append(delivery)
                    status, text = receiver.answers.pop(0) if receiver.answers else (200, "thanks")
                receiver.before_answer(delivery)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(text.encode())
                except OSError:  # the sender gave up waiting (a timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def check(self, header: str, body: bytes) -> bool:
        try:
            verify(self.secret, header, body, now=int(self.clock.now().timestamp()))
        except SignatureError:
            return False
        return True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def types(self) -> list[str]:
        return [d.payload["type"] for d in self.deliveries]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
