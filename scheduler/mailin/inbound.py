"""From raw bytes to a touchpoint: the one core both transports (SMTP, IMAP) call.

Order: keep the bytes (the store), then parse, then find the case (a tracking code in the
subject, else a Message-ID we sent or received in In-Reply-To/References) and the customer
(the read models, else the one registered for this address), then record (``domain.mail``).
Whatever cannot be recorded is quarantined with its reason and its bytes kept, so nothing is
lost; ``reprocess`` tries a quarantined mail again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.application import Touchline
from domain.clock import Clock
from domain.errors import ConflictError, InvalidValueError, NotFoundError
from domain.mail.commands import Inbound
from domain.mail.model import InboundMail
from domain.messages.model import Message
from projections.queries.public import find_customer_by_email
from scheduler.mailin.parse import Malformed, Parsed, parse
from scheduler.mailin.store import MailStore
from scheduler.notifiers import mail_domain
from scheduler.settings import SCHEDULER_DEFAULTS, number

log = logging.getLogger("touchline.mailin")
ACTOR = "system:mail-in"
ATTEMPTS = 3  # a mail that collides with an agent's change of its case is tried again at once


@dataclass(frozen=True)
class MailInSettings:
    directory: str = "var/mail"
    max_bytes: int = 25 * 1024 * 1024
    attachment_max_bytes: int = 10 * 1024 * 1024
    our_domain: str = "touchline.example"  # the domain of the Message-IDs we send
    our_address: str = ""  # the address we send from (TOUCHLINE_MAIL_FROM), lower case

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailInSettings:
        """From the app's configuration; ``SettingError`` naming the variable for a bad value."""
        merged = {**SCHEDULER_DEFAULTS, **config}
        sizes = {key: int(number(merged, key)) for key in ("MAIL_MAX_BYTES", "MAIL_ATTACHMENT_MAX_BYTES")}
        sender = str(config.get("MAIL_FROM") or "")
        return cls(str(config.get("MAIL_DIR") or "var/mail"), sizes["MAIL_MAX_BYTES"],
                   sizes["MAIL_ATTACHMENT_MAX_BYTES"], mail_domain(sender), parseaddr(sender)[1].strip().lower())


@dataclass
class MailIn:
    app: Touchline
    views: sa.Engine
    clock: Clock
    store: MailStore
    settings: MailInSettings

    def receive(self, raw: bytes, *, envelope_sender: str | None = None) -> str:
        """Record one mail; its outcome: "case_opened", "threaded", "automatic_threaded",
        "quarantined" or "duplicate"."""
        digest = self.store.put_raw(raw)  # first, so a crash below loses nothing
        parsed = parse(raw, max_bytes=self.settings.max_bytes, envelope_sender=envelope_sender)
        if isinstance(parsed, Malformed):
            mail = Inbound(key=parsed.message_id or f"sha256:{digest}", message_id=parsed.message_id,
                           sender=parsed.sender, sender_name="", subject=parsed.subject, body="",
                           raw_sha256=digest, size=len(raw))
            outcome = self.app.quarantine_mail(mail, reason=parsed.reason, occurred_at=self.clock.now(), actor=ACTOR)
            log.warning("mail %s %s: %s", mail.key, outcome, parsed.reason)
            return outcome
        mail = self.inbound(parsed, digest, len(raw))
        if self.app.mail_seen(mail):
            return "duplicate"
        try:
            return self._record(mail, parsed)
        except InvalidValueError as exc:  # refused by the domain: kept aside, not retried by the sender forever
            outcome = self.app.quarantine_mail(mail, reason=f"refused: {exc}", occurred_at=self.clock.now(),
                                               actor=ACTOR)
            log.warning("mail %s %s: %s", mail.key, outcome, exc)
            return outcome

    def reprocess(self, record_id: UUID, *, as_person: bool = False) -> str:
        """Process a quarantined mail again from its kept bytes (``as_person``: it is not automatic
        mail, whatever its headers say). Its outcome, or "quarantined" when it still cannot be recorded.
        An operator's decision: the size and part limits that guard the listener are not applied."""
        record = self.app.get_inbound_mail(record_id)
        raw = self.store.raw(record.raw_sha256)
        parsed = parse(raw, max_bytes=max(self.settings.max_bytes, len(raw)), max_parts=None)
        if isinstance(parsed, Malformed):
            return "quarantined"
        mail = self.inbound(parsed, record.raw_sha256, len(raw), key=record.key, as_person=as_person)
        return self._record(mail, parsed, release=True)

    def inbound(self, parsed: Parsed, digest: str, size: int, *, key: str | None = None,
                as_person: bool = False) -> Inbound:
        """The domain's view of the mail; attachments over the limit are dropped with a note."""
        limit = self.settings.attachment_max_bytes
        attachments, notes = [], []
        for part in parsed.attachments:
            kept = len(part.data) <= limit
            if kept:
                self.store.put_attachment(part.data)
            else:
                notes.append(f"attachment {part.name[:255]} ({len(part.data)} bytes) dropped: over the limit of {limit} "
                             "bytes")
            attachments.append({"name": part.name[:255], "type": part.content_type, "size": len(part.data),
                                "sha256": part.sha256, "kept": kept})
        automatic = parsed.automatic or self._ours(parsed)
        return Inbound(key=key or parsed.message_id or f"sha256:{digest}", message_id=parsed.message_id,
                       sender=parsed.sender, sender_name=parsed.sender_name, subject=parsed.subject,
                       body=parsed.body, raw_sha256=digest, size=size,
                       automatic=None if as_person else automatic, attachments=attachments, notes=notes)

    def _ours(self, parsed: Parsed) -> str | None:
        """Our own mail come back (a customer's address forwarding to support): from the address we
        send from, or one of the messages we sent. Never a customer's answer, never a customer. (Other
        senders of our domain are people: colleagues writing in, say.)"""
        if self.settings.our_address and parsed.sender == self.settings.our_address:
            return f"from our own address ({parsed.sender})"
        if parsed.message_id and self._queued_by_us(parsed.message_id) is not None:
            return "one of our own messages"
        return None

    def _record(self, mail: Inbound, parsed: Parsed, *, release: bool = False) -> str:
        for attempt in range(ATTEMPTS):
            now = self.clock.now()
            case_id = self.thread(parsed, sender=mail.sender if mail.automatic is None else None)
            found = None
            if mail.automatic is None:  # a machine never becomes a customer (a closed case's mail opens one)
                with self.views.connect() as conn:
                    found = find_customer_by_email(conn, mail.sender)
            try:
                outcome = self.app.record_mail(mail, found=found, case_id=case_id, occurred_at=now,
                                               actor=ACTOR, release=release)
            except ConflictError:
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            log.info("mail %s from %s: %s", mail.key, mail.sender, outcome)
            return outcome
        raise AssertionError("unreachable")

    def thread(self, parsed: Parsed, *, sender: str | None = None) -> UUID | None:
        """The case the mail belongs to: a tracking code in its subject, else the case of a
        message it answers (one we sent, or one we received before).

        A person's mail joins a case by its code only when they are that case's customer: codes
        are shown on status pages and get forwarded, so a code alone would let anyone write into
        another customer's case (a stranger's mail opens a case of their own instead). Answering
        one of the case's messages (its Message-ID) is proof enough; automatic mail (no ``sender``:
        bounces, out of office) joins by code as a touchpoint that moves no clock and answers nothing."""
        for code in parsed.codes:
            try:
                case_id = self.app.find_case_id(code)
            except NotFoundError:
                continue
            if sender is None or self._writes_as_customer_of(case_id, sender):
                return case_id
        for reference in parsed.references:
            case_id = self._case_of_sent(reference) or self.app.case_of_inbound(reference)
            if case_id is not None:
                return case_id
        return None

    def _writes_as_customer_of(self, case_id: UUID, sender: str) -> bool:
        """Whether ``sender`` is an email address of the case's customer (read from the customer
        itself, not a read model that may lag behind a customer registered a moment ago)."""
        try:
            customer = self.app.get_customer(self.app.get_case(case_id).customer_id)
        except NotFoundError:
            return False
        address = sender.strip().lower()
        return any(p.get("kind") == "email" and str(p.get("value", "")).strip().lower() == address
                   for p in customer.contact_points)

    def _queued_by_us(self, message_id: str) -> Message.Queued | None:
        """The outbox entry a Message-ID of ours names (our Message-IDs are ``<entry id@our domain>``)."""
        local, _, domain = message_id.strip("<>").partition("@")
        if domain.lower() != self.settings.our_domain.lower():
            return None
        try:
            queued = next(iter(self.app.events.get(UUID(hex=local), lte=1)), None)
        except ValueError:
            return None
        return queued if isinstance(queued, Message.Queued) else None

    def _case_of_sent(self, reference: str) -> UUID | None:
        case_id = getattr(self._queued_by_us(reference), "case_id", None)
        return case_id if isinstance(case_id, UUID) else None


def quarantined(app: Touchline, *, limit: int = 1000) -> list[InboundMail]:
    """Mail kept aside and not released, oldest first (a scan of the event log by topic: for
    operators, not for a hot path)."""
    topic = f"{InboundMail.__module__}:{InboundMail.Received.__qualname__}"
    found: list[InboundMail] = []
    start: int | None = None
    while True:
        batch = app.recorder.select_notifications(start=start, limit=limit, topics=[topic],
                                                  inclusive_of_start=start is None)
        for notification in batch:
            record = app.get_inbound_mail(notification.originator_id)
            if record.status == "quarantined":
                found.append(record)
        if len(batch) < limit:
            return found
        start = batch[-1].id
