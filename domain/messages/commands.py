"""Outbox commands of the Application: issue notices in batches, record delivery outcomes.

``issue_notices`` saves many notices in one transaction (the scheduler's batches); overdue
follow-ups are appended after the version the scan saw, without loading the promise. If that
transaction collides with anything (a stale read model, a message id taken by another
scheduler, a promise changed by an agent), the batch is prepared again from fresh loads, and
if it still collides each notice is saved alone, so one collision costs its own notice only,
and a notice already recorded is never repeated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.base import Entity
from domain.cases.model import Case
from domain.errors import DomainError, NotFoundError
from domain.mail.model import derived
from domain.messages.appends import follow_ups_after
from domain.messages.model import REPLY, Draft, Message
from domain.messages.notices import (
    CaseAcknowledgement,
    Notice,
    NoticeOutcome,
    PromiseFollowUp,
)
from domain.messages.templates import MessageTemplate, template_id
from domain.promises.model import Promise
from domain.service import Receipt, Service
from domain.touchpoints.model import SUMMARY_MAX, Touchpoint


class MessageCommands(Service):
    def issue_notices(
        self, notices: Sequence[Notice], *, mail_domain: str, occurred_at: datetime, actor: str,
        preloaded: Mapping[UUID, Entity] | None = None,
    ) -> NoticeOutcome:
        """Record each notice on its source and queue its messages, in one save when possible.
        ``preloaded``: sources the caller loaded already (to write the messages); follow-ups with
        a ``version`` are appended after it unloaded. If any of that is stale by now, the save
        conflicts, and the batch is prepared again from fresh loads (then, if it still
        conflicts, each notice alone), so a collision never repeats a notice nor loses one."""
        outcome = NoticeOutcome()
        args = (mail_domain, occurred_at, actor, outcome)
        # Two notices on one case change one loaded case: the cache is shared by the batch.
        ready = self._ready(notices, *args, dict(preloaded or {}), blind=True)
        if not ready or self._saved(ready, outcome):
            return outcome
        # Rolled back: nothing of it was written. Again from fresh loads, still in one save.
        ready = self._ready([n for n, _ in ready], *args, {}, blind=False)
        if not ready or self._saved(ready, outcome):
            return outcome
        for notice, _ in ready:  # still a collision: one by one, from fresh loads
            records = self._prepared(notice, *args, {}, blind=False)
            if records and not self._saved([(notice, records)], outcome):
                outcome.conflicts += 1
        return outcome

    def _ready(self, notices: Sequence[Notice], mail_domain: str, occurred_at: datetime, actor: str,
               outcome: NoticeOutcome, loaded: dict[UUID, Entity], *, blind: bool) -> list[tuple[Notice, list[Any]]]:
        prepared = ((n, self._prepared(n, mail_domain, occurred_at, actor, outcome, loaded, blind=blind))
                    for n in notices)
        return [(notice, records) for notice, records in prepared if records]

    def _saved(self, ready: list[tuple[Notice, list[Any]]], outcome: NoticeOutcome) -> bool:
        """Save every record of ``ready`` in one transaction; False when it collided (nothing written)."""
        unique = list({id(r): r for _, records in ready for r in records}.values())
        try:
            recordings = self.save(*unique)
        except IntegrityError:
            return False
        outcome.done += len(ready)
        outcome.messages += sum(isinstance(r, Message) for r in unique)
        position = max((r.notification.id for r in recordings), default=None)
        if position is not None:
            outcome.position = max(outcome.position or 0, position)
        return True

    def _prepared(self, notice: Notice, mail_domain: str, occurred_at: datetime, actor: str,
                  outcome: NoticeOutcome, loaded: dict[UUID, Entity], *, blind: bool) -> list[Any] | None:
        """The source with its new event (or the new events alone, ``blind`` and versioned) and
        the queued messages; None when there is nothing (left) to do, counted in ``outcome``.
        ``loaded`` shares sources between notices."""

        def get(cls: type[Any], source_id: UUID) -> Any:
            if source_id not in loaded:
                loaded[source_id] = self._get(cls, source_id)
            return loaded[source_id]

        def queue(draft: Draft) -> Message:
            return Message.queue(draft, mail_domain=mail_domain, occurred_at=occurred_at, actor=actor)

        try:
            if blind and isinstance(notice, PromiseFollowUp) and notice.version is not None:
                messages = [queue(d) for d in notice.drafts]
                return [*follow_ups_after(notice, messages, occurred_at=occurred_at, actor=actor), *messages]
            found = self._prepare(notice, get, queue, occurred_at, actor)
        except DomainError as exc:  # not found, state or value rules: this notice only
            outcome.errors.append(f"{type(notice).__name__} {_source_id(notice)}: {exc}")
            return None
        if found is None:
            outcome.already += 1
        return found

    @staticmethod
    def _prepare(notice: Notice, get: Any, queue: Any, occurred_at: datetime, actor: str) -> list[Entity] | None:
        when = {"occurred_at": occurred_at, "actor": actor}
        if isinstance(notice, PromiseFollowUp):
            promise = get(Promise, notice.promise_id)
            if promise.status != "open" or promise.due_at != notice.due_at:
                return None  # kept, cancelled or rescheduled since the scan
            messages = [queue(d) for d in notice.drafts]
            recorded = [m for d, m in zip(notice.drafts, messages)
                        if promise.record_follow_up(purpose=d.purpose, message_id=str(m.id), **when)]
            return [promise, *recorded] if recorded else None
        case = get(Case, notice.case_id)
        if isinstance(notice, CaseAcknowledgement):
            message = queue(notice.draft)
            return [case, message] if case.acknowledge(message_id=str(message.id), **when) else None
        messages = [queue(d) for d in notice.drafts]
        if not case.record_sla_notice(level=notice.level, target=notice.target, cycle=notice.cycle,
                                      due_at=notice.due_at, message_ids=[str(m.id) for m in messages], **when):
            return None
        return [case, *messages]

    def queue_message(self, draft: Draft, *, mail_domain: str, occurred_at: datetime, actor: str) -> Receipt:
        """Queue one message with no source to record on (AlreadyExistsError for a cause seen before)."""
        return self._save(Message.queue(draft, mail_domain=mail_domain, occurred_at=occurred_at, actor=actor))

    def get_message(self, message_id: UUID) -> Message:
        return self._get(Message, message_id)

    def _message_act(self, message_id: UUID, method: str, **kwargs: Any) -> Receipt:
        message = self._get(Message, message_id)
        if getattr(message, method)(**kwargs) is False:
            return self._unchanged(message)
        return self._save(message)

    def record_message_sent(self, message_id: UUID, *, occurred_at: datetime, actor: str) -> Receipt:
        """The server accepted the message. An agent's reply becomes a contact on its case now, as
        an outbound touchpoint in the same transaction: not when it was queued, since a reply that
        is never delivered (refused, given up) was no contact."""
        message = self._get(Message, message_id)
        if not message.record_sent(occurred_at=occurred_at, actor=actor):
            return self._unchanged(message)
        contact = self._reply_contact(message, occurred_at=occurred_at, actor=actor)
        return self._save(message, *([contact] if contact else []))

    def _reply_contact(self, message: Message, *, occurred_at: datetime, actor: str) -> Touchpoint | None:
        touchpoint_id = derived(message.id, "touchpoint")  # the id a reply's queueing used to record it under
        if message.purpose != REPLY or message.case_id is None or self._exists(touchpoint_id):
            return None
        # The case's customer, checked when the reply was queued (``build_touchpoint`` is not a Service's).
        return Touchpoint.record(
            id=touchpoint_id, customer_id=message.customer_id, case_id=message.case_id, channel=message.channel,
            direction="outbound", kind="follow_up", subject=message.subject, summary=message.body[:SUMMARY_MAX],
            contact_point=message.recipient, deal_id=None, promise_id=None, external_ref=message.message_id,
            occurred_at=occurred_at, actor=actor)

    def record_message_failure(self, message_id: UUID, *, error: str, permanent: bool = False,
                               occurred_at: datetime, actor: str) -> Receipt:
        return self._message_act(message_id, "record_failure", error=error, permanent=permanent,
                                 occurred_at=occurred_at, actor=actor)

    def requeue_message(self, message_id: UUID, *, occurred_at: datetime, actor: str) -> Receipt:
        return self._message_act(message_id, "requeue", occurred_at=occurred_at, actor=actor)


    def save_message_template(self, *, purpose: str, subject: str, body: str, expected_version: int | None = None,
                              occurred_at: datetime, actor: str) -> Receipt:
        """Define the template of ``purpose`` or revise it (a new version); the caller checks the
        Jinja source first (``scheduler.templates.check_template``)."""
        try:
            template = self._get(MessageTemplate, template_id(purpose), expected_version)
        except NotFoundError:
            return self._save(MessageTemplate.define(purpose=purpose, subject=subject, body=body,
                                                     occurred_at=occurred_at, actor=actor))
        if not template.revise(subject=subject, body=body, occurred_at=occurred_at, actor=actor):
            return self._unchanged(template)
        return self._save(template)

    def get_message_template(self, purpose: str, *, version: int | None = None) -> MessageTemplate:
        return self._get(MessageTemplate, template_id(purpose), version=version)

def _source_id(notice: Notice) -> UUID:
    return notice.promise_id if isinstance(notice, PromiseFollowUp) else notice.case_id
