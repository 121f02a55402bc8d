"""Mail commands of the Application: record an inbound email as a touchpoint (threaded into its
case, or opening one), or quarantine it with a reason.

The transport parses and classifies the mail and finds its case and customer (read models,
headers); these commands decide and write. Everything a mail creates has an id derived from
the mail's record, and the record is saved with the touchpoint and the case's new event in one
transaction, so a mail delivered twice is recorded once. Opening a case saves separately
(its code allocation), under a derived case id: a retry after a crash collides there and
completes the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.cases.commands import CaseCommands
from domain.cases.model import ACTIVE, Case
from domain.errors import AlreadyExistsError, ConflictError
from domain.mail.model import InboundMail, derived, inbound_mail_id
from domain.touchpoints.model import SUMMARY_MAX
from domain.values import is_plain_name

NO_TEXT = "(the mail has no text)"  # a reply of attachments only: still the customer's answer


@dataclass(frozen=True)
class Inbound:
    """An inbound mail as the domain needs it, parsed by the transport."""

    key: str  # the Message-ID, else "sha256:<hex>" of the raw bytes
    message_id: str | None
    sender: str  # the From address, lower case
    sender_name: str
    subject: str
    body: str
    raw_sha256: str
    size: int
    automatic: str | None = None  # why this is automatic mail (auto-reply, bounce, list...), None for a person
    attachments: list[dict[str, Any]] = field(default_factory=list)  # name, type, size, sha256, kept
    notes: list[str] = field(default_factory=list)  # said on the touchpoint (attachments dropped...)

    @property
    def record_id(self) -> UUID:
        return inbound_mail_id(self.key)

    @property
    def summary(self) -> str:
        body = self.body[:SUMMARY_MAX - 2000]
        return "\n\n".join([body, *(f"[{n[:500]}]" for n in self.notes)]).strip()[:SUMMARY_MAX]

    @property
    def case_subject(self) -> str:
        return (self.subject.strip() or "(no subject)")[:300]


class MailCommands(CaseCommands):
    def mail_seen(self, mail: Inbound) -> bool:
        return self._exists(mail.record_id)

    def get_inbound_mail(self, record_id: UUID) -> InboundMail:
        return self._get(InboundMail, record_id)

    def case_of_inbound(self, message_id: str) -> UUID | None:
        """The case of a mail we received with this Message-ID (None if none or no case)."""
        record_id = inbound_mail_id(message_id)
        return self._get(InboundMail, record_id).case_id if self._exists(record_id) else None

    def quarantine_mail(self, mail: Inbound, *, reason: str, occurred_at: datetime, actor: str) -> str:
        """Keep the mail aside with ``reason``; "quarantined", or "duplicate" when recorded already."""
        record = self._mail_record(mail, status="quarantined", reason=reason[:1000], outcome=None, customer_id=None,
                              case_id=None, touchpoint_id=None, occurred_at=occurred_at, actor=actor)
        try:
            self._save(record)
        except AlreadyExistsError:
            return "duplicate"
        return "quarantined"

    def record_mail(self, mail: Inbound, *, found: UUID | None, case_id: UUID | None, occurred_at: datetime,
                    actor: str, release: bool = False) -> str:
        """Record the mail, threaded into ``case_id`` when given and still open to replies, else
        opening a case for its sender: ``found`` (the read models' customer with the sender's
        address) or whom ``customer_id_for_email`` names, registered in the case's transaction if
        new. Mail threaded into a case is that case's customer's: whoever else answers in the
        thread (a colleague from their own address) is not made a customer. Returns the outcome
        ("threaded", "automatic_threaded", "case_opened"), "quarantined" for automatic mail that
        threads into no case, or "duplicate". ``release``: the mail is quarantined already and is
        being processed again."""
        case = self._get(Case, case_id) if case_id is not None else None
        if case is not None and case.status not in (*ACTIVE, "resolved") and mail.automatic is None:
            case = None  # closed: a person writing again starts a new case
        if case is None and mail.automatic is not None:
            return "quarantined" if release else self.quarantine_mail(
                mail, reason=f"automatic mail ({mail.automatic}) that belongs to no case",
                occurred_at=occurred_at, actor=actor)
        touchpoint = {"id": derived(mail.record_id, "touchpoint"), "channel": "email", "direction": "inbound",
                      "kind": "inquiry" if case is None else "follow_up", "subject": mail.case_subject,
                      "summary": mail.summary, "contact_point": mail.sender, "external_ref": mail.message_id}
        when = {"occurred_at": occurred_at, "actor": actor}
        if case is None:
            return self._open_case_by_mail(mail, found, touchpoint, release, **when)
        outcome = "threaded" if mail.automatic is None else "automatic_threaded"
        tp = self.build_touchpoint(customer_id=case.customer_id, case_id=case.id, **touchpoint, **when)
        records: list[Any] = [tp]
        if mail.automatic is None:  # an out-of-office is not the customer's answer: no SLA clock moves
            case.customer_reply(body=mail.summary or NO_TEXT, channel="email", touchpoint_id=tp.id, **when)
            records.append(case)
        return self._save_record(mail, outcome, case.customer_id, case.id, tp.id, records, release, **when)

    def _open_case_by_mail(self, mail: Inbound, found: UUID | None, touchpoint: dict[str, Any], release: bool,
                           *, occurred_at: datetime, actor: str) -> str:
        case_id = derived(mail.record_id, "case")
        name = mail.sender_name.strip()[:200]
        if not is_plain_name(name):  # a display name with line breaks or reordering marks: their address instead
            name = ""
        name = name or mail.sender.split("@")[0] or mail.sender
        try:
            self.open_case(id=case_id, customer_id=self.customer_id_for_email(mail.sender, found),
                           register={"name": name, "contact_points": [{"kind": "email", "value": mail.sender}]},
                           subject=mail.case_subject, channel="email", touchpoint=touchpoint,
                           occurred_at=occurred_at, actor=actor)
        except AlreadyExistsError:
            pass  # opened by an earlier delivery that stopped before its record: complete it
        customer_id = self._get(Case, case_id).customer_id
        return self._save_record(mail, "case_opened", customer_id, case_id, touchpoint["id"], [], release,
                                 occurred_at=occurred_at, actor=actor)

    def _save_record(self, mail: Inbound, outcome: str, customer_id: UUID, case_id: UUID | None,
                     touchpoint_id: UUID, others: list[Any], release: bool, *, occurred_at: datetime,
                     actor: str) -> str:
        if release:
            record = self._get(InboundMail, mail.record_id)
            record.release(outcome=outcome, customer_id=customer_id, case_id=case_id, touchpoint_id=touchpoint_id,
                           attachments=mail.attachments, occurred_at=occurred_at, actor=actor)
        else:
            record = self._mail_record(mail, status="recorded", reason=None, outcome=outcome, customer_id=customer_id,
                                  case_id=case_id, touchpoint_id=touchpoint_id, occurred_at=occurred_at, actor=actor)
        try:
            self._save(record, *others)
        except AlreadyExistsError:
            if self._exists(mail.record_id):
                return "duplicate"
            # The case changed meanwhile (an agent's reply): nothing was written; the caller retries.
            raise ConflictError(InboundMail.kind, mail.key, mail.record_id) from None
        return outcome

    @staticmethod
    def _mail_record(mail: Inbound, **fields: Any) -> InboundMail:
        occurred_at, actor = InboundMail.checked_when(fields.pop("occurred_at"), fields.pop("actor"))
        return InboundMail(
            id=mail.record_id, key=mail.key[:998], message_id=mail.message_id, sender=mail.sender[:500],
            subject=mail.subject[:998], attachments=mail.attachments, raw_sha256=mail.raw_sha256, size=mail.size,
            occurred_at=occurred_at, actor=actor, **fields)
