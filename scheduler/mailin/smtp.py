"""The inbound SMTP listener (aiosmtpd): each accepted message goes through ``MailIn.receive``
before the server answers 250, so a mail the sender saw accepted is recorded or quarantined.
A failure to record answers 451 (try again later): the sender keeps the mail and retries, and
the retry is recorded once (its Message-ID)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from scheduler.mailin.inbound import MailIn

log = logging.getLogger("touchline.mailin")


class _Handler:
    def __init__(self, mail_in: MailIn) -> None:
        self.mail_in = mail_in

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        sender = envelope.mail_from if envelope.mail_from not in (None, "<>") else ""
        try:  # the Application blocks: off the event loop
            outcome = await asyncio.to_thread(self.mail_in.receive, data, envelope_sender=sender)
        except Exception:
            log.exception("could not record a mail from %r", sender)
            return "451 4.3.0 Could not record the message; try again later"
        return f"250 OK {outcome}"


@contextmanager
def smtp_listener(mail_in: MailIn, host: str, port: int) -> Iterator[Controller]:
    """An SMTP server on ``host:port`` feeding ``mail_in`` while the block runs; it refuses
    mail over the size limit (552), so the sender keeps it and says so."""
    controller = Controller(_Handler(mail_in), hostname=host, port=port, data_size_limit=mail_in.settings.max_bytes)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
