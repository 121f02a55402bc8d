"""Building inbound mail for the tests, and the mail-in core wired to a World."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

from scheduler.mailin.inbound import MailIn, MailInSettings
from scheduler.mailin.store import MailStore


def mail(subject: str = "My printer jams", body: str = "It jams on every page.", *,
         sender: str = "Bob Stone <bob@example.org>", message_id: str | None = "<m1@example.org>",
         headers: dict[str, str] | None = None, attachments: list[tuple[str, str, bytes]] = ()) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = "support@shop.example"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def mail_in(world: Any, directory: Path, **settings: Any) -> MailIn:
    chosen = MailInSettings(directory=str(directory), our_domain="shop.example", our_address="support@shop.example",
                            **settings)
    return MailIn(world.app, world.services.views, world.clock, MailStore(directory), chosen)


def case_events(world: Any, case_id: Any) -> list[str]:
    return [type(e).__name__ for e in world.app.events.get(case_id)]
