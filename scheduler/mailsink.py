"""A local SMTP server that keeps what it is sent: the demo's mail sink and the tests' SMTP server.

Built on aiosmtpd (a real SMTP server, so the scheduler's real SMTP client talks to it).
Each message is kept (``messages``) and announced in the log: Message-ID, recipients, subject.
``python -m scheduler.mailsink HOST PORT`` runs one until SIGTERM (``touchline serve`` does).
"""

from __future__ import annotations

import email
import email.policy
import signal
import socket
import sys
import threading
from email.message import EmailMessage
from types import FrameType
from typing import Any, Self

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class _Keeper:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.sink.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.sink.keep(message, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server on ``host:port`` (a free port by default) that keeps every message."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None, *, echo: bool = False,
                 refuse: tuple[str, ...] = ()) -> None:
        self.host, self.port = host, port or free_port(host)
        self.echo = echo
        self.refuse = {a.lower() for a in refuse}  # recipients answered "550 no such user" (tests)
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Keeper(self), hostname=host, port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def keep(self, message: EmailMessage, recipients: list[str]) -> None:
        with self._lock:
            self.messages.append(message)
        if self.echo:
            print(f"mail sink: {message['Message-ID']} to {', '.join(recipients)}: {message['Subject']}", flush=True)

    def start(self) -> Self:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(host: str, port: int) -> None:
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)
    with MailSink(host, port, echo=True):
        print(f"mail sink: listening on smtp://{host}:{port}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
