"""Email out: every public agent reply (panel or API) is mailed to the customer once.

The job follows the event log for ``Case.AgentReplied`` (internal notes are never sent) and
queues one outbox message per reply, its cause the case and the reply's version; once the
mail server accepts it, it is recorded on the case as an outbound email touchpoint. Subject ``Re: <subject> [CASE-000123]``; the
recipient is the address the customer last wrote from (else their own email); the delivery
adds In-Reply-To/References to the customer's messages (``reply_headers``), so the mail sits
in their thread and their answer threads back into the case. Replies older than the lookback
(imported history, a scheduler down for days) are not mailed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from domain.application import Touchline
from domain.cases.model import Case
from domain.errors import AlreadyExistsError, DomainError
from domain.messages.model import REPLY, Draft, Message, cause_of
from projections.runner import projections_position
from scheduler.context import ACTOR, SchedulerContext
from scheduler.directory import Directory, route

TOPIC = f"{Case.__module__}:{Case.AgentReplied.__qualname__}"
PAGE = 500
REWIND = 1000  # positions re-read each run: PostgreSQL may commit a lower position late
MAX_REFERENCES = 10
log = logging.getLogger("touchline.scheduler")


@dataclass(frozen=True)
class Thread:
    """The customer's side of a case's mail up to some version: their last address and Message-IDs."""

    contact_point: str | None
    message_ids: list[str]


def thread_of(app: Touchline, case_id: UUID, version: int) -> Thread:
    contact_point, ids = None, []
    for event in app.events.get(case_id, lte=version):
        touchpoint_id = getattr(event, "touchpoint_id", None) \
            if isinstance(event, Case.Opened | Case.CustomerReplied) else None
        if touchpoint_id is None:
            continue
        touchpoint = app.get_touchpoint(touchpoint_id)
        if touchpoint.channel != "email" or touchpoint.direction != "inbound":
            continue
        contact_point = touchpoint.contact_point or contact_point
        if touchpoint.external_ref and touchpoint.external_ref.startswith("<"):
            ids.append(touchpoint.external_ref)
    return Thread(contact_point, ids[-MAX_REFERENCES:])


def reply_subject(case: Case) -> str:
    subject = case.subject
    while subject[:3].lower() == "re:":
        subject = subject[3:].strip()
    tag = f" [{case.tracking_code}]"
    return f"Re: {subject[:300 - len(tag) - 4]}{tag}"


def reply_headers(app: Touchline, message: Message) -> tuple[tuple[str, str], ...]:
    """In-Reply-To and References of a reply's email (none for other messages): the customer's
    messages up to the reply, the same on every attempt."""
    if message.purpose != REPLY:
        return ()
    _, case_id, version = message.cause.split("/")
    ids = thread_of(app, UUID(case_id), int(version)).message_ids
    if not ids:
        return ()
    return (("In-Reply-To", ids[-1]), ("References", " ".join(ids)))


class ReplyMailer:
    """The job (it keeps its place in the log between runs; a restart reads the log again,
    and replies mailed already are skipped by their cause)."""

    def __init__(self) -> None:
        self.positions: WeakKeyDictionary[Touchline, int] = WeakKeyDictionary()  # per event store

    def __call__(self, ctx: SchedulerContext) -> int:
        queued = 0
        projected = projections_position(ctx.views) or 0
        for position, case_id, version, event in self._replies(ctx):
            if position > projected:
                # The customer's address comes from the read models: a reply they have not reached
                # yet (a first start, a rebuild) waits for the next run instead of finding nobody.
                break
            if not event.public or event.occurred_at < ctx.clock.now() - ctx.settings.lookback:
                continue
            case = ctx.app.get_case(case_id, version=version)
            thread = thread_of(ctx.app, case_id, version)
            with ctx.views.connect() as conn:
                directory = Directory(conn)
                directory.load(customer_ids=[case.customer_id])
            channel, recipient = route("email", directory.customer(case.customer_id), thread.contact_point)
            body = f"{event.body}\n\n--\nPlease keep [{case.tracking_code}] in the subject when you answer."
            draft = Draft(cause=cause_of("case-reply", case_id, version), purpose=REPLY, channel=channel,
                          audience="customer", recipient=recipient, subject=reply_subject(case), body=body,
                          customer_id=case.customer_id, case_id=case_id)
            try:
                ctx.app.queue_message(draft, mail_domain=ctx.mail_domain, occurred_at=ctx.clock.now(), actor=ACTOR)
            except AlreadyExistsError:  # mailed already (its cause): a rewind or another scheduler
                continue
            except DomainError as exc:  # never retried for ever in front of every later reply
                log.error("mail_replies: the reply %s of %s cannot be mailed: %s", version, case.tracking_code, exc)
                continue
            queued += 1
        return queued

    def _replies(self, ctx: SchedulerContext) -> Iterator[tuple[int, UUID, int, Any]]:
        seen = self.positions.get(ctx.app)
        start = None if seen is None else max(0, seen - REWIND)
        while True:
            batch = ctx.app.recorder.select_notifications(start=start, limit=PAGE, topics=[TOPIC],
                                                          inclusive_of_start=start is None)
            for n in batch:  # the notification is the stored event: decoded here, not read again
                yield n.id, n.originator_id, n.originator_version, ctx.app.mapper.to_domain_event(n)
                self.positions[ctx.app] = max(self.positions.get(ctx.app, 0), n.id)
            if len(batch) < PAGE:
                return
            start = batch[-1].id


mail_replies = ReplyMailer()
