"""The sender: delivers due messages from the outbox, outside the scans (decision 8).

Due messages are found in the ``outbox`` view ((status, due_at) index, only channels that
have a notifier), and each is then read from the event store, which has the last word: a
message the view still shows as queued but that was sent meanwhile is skipped. Order of a
delivery: send, then record ``Sent``. A crash between the two resends the same message with
the same Message-ID on the next run (at-least-once; receivers dedupe it); a crash before the
send leaves it queued. A failure records ``Failed`` with the next attempt's time (backoff),
or ``GaveUp`` when it is permanent or the attempts are spent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

import sqlalchemy as sa

from domain.errors import NotFoundError
from domain.messages.model import REPLY, Message
from domain.personal import ERASED
from projections.views.outbox import outbox
from scheduler.context import ACTOR, SchedulerContext
from scheduler.links import list_unsubscribe_headers
from scheduler.notifiers import DeliveryError, Outgoing
from scheduler.replies import reply_headers

log = logging.getLogger("touchline.scheduler")
o = outbox.c


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0  # sent or given up meanwhile, or not due any more

    def __bool__(self) -> bool:
        return bool(self.sent or self.failed or self.gave_up)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.failed} failed (will retry), {self.gave_up} given up, {self.skipped} skipped"


def due_messages(conn: sa.Connection, now: object, channels: list[str], limit: int) -> list[str]:
    """Messages due by ``now`` that can be sent (a notifier for their channel) or given up on (nobody to
    send to), oldest first."""
    sendable = sa.or_(o.channel.in_(channels), o.recipient.is_(None))
    query = sa.select(o.id).where(o.status.in_(("queued", "failed")), o.due_at <= now, sendable) \
        .order_by(o.due_at, o.id).limit(limit)
    return list(conn.execute(query).scalars())


def deliver_messages(ctx: SchedulerContext) -> Delivery:
    """Deliver every message due now on a configured channel, at most ``send_limit`` of them."""
    result = Delivery()
    with ctx.views.connect() as conn:
        ids = due_messages(conn, ctx.clock.now(), sorted(ctx.notifiers), ctx.settings.send_limit)
    for message_id in ids:
        deliver(ctx, UUID(message_id), result)
    return result


def deliver(ctx: SchedulerContext, message_id: UUID, result: Delivery) -> None:
    try:
        message = ctx.app.get_message(message_id)
    except NotFoundError:
        result.skipped += 1
        return
    if message.status not in ("queued", "failed") or not message.is_due(ctx.clock.now()):
        result.skipped += 1
        return
    if message.recipient is None:
        _failed(ctx, message, DeliveryError(f"no contact point for {message.channel}", permanent=True), result)
        return
    if message.recipient == ERASED:  # queued before the customer's erasure: there is nobody to send it to
        _failed(ctx, message, DeliveryError("the customer's personal data was erased", permanent=True), result)
        return
    notifier = ctx.notifiers.get(message.channel)
    if notifier is None:
        result.skipped += 1
        return
    ctx.checkpoint("sending", message)
    try:
        notifier.send(Outgoing(message.message_id, message.channel, message.recipient, message.subject,
                               message.body, message.created_on,
                               list_unsubscribe_headers(ctx.settings, message) + reply_headers(ctx.app, message)
                               + _auto_submitted(message)))
    except DeliveryError as exc:
        _failed(ctx, message, exc, result)
        return
    ctx.checkpoint("accepted", message)
    ctx.app.record_message_sent(message.id, occurred_at=ctx.clock.now(), actor=ACTOR)
    ctx.checkpoint("recorded", message)
    result.sent += 1


def _auto_submitted(message: Message) -> tuple[tuple[str, str], ...]:
    """RFC 3834: what the scheduler writes by itself says so, so that other systems' auto-replies
    (and our own inbound filter) never answer it; an agent's reply is a person's mail."""
    return () if message.purpose == REPLY else (("Auto-Submitted", "auto-generated"),)


def _failed(ctx: SchedulerContext, message: Message, error: DeliveryError, result: Delivery) -> None:
    ctx.app.record_message_failure(message.id, error=str(error) or type(error).__name__, permanent=error.permanent,
                                   occurred_at=ctx.clock.now(), actor=ACTOR)
    after = ctx.app.get_message(message.id)
    if after.status == "gave_up":
        result.gave_up += 1
        log.warning("gave up on message %s to %s after %s attempt(s): %s", message.message_id, message.channel,
                    after.attempts, error)
    else:
        result.failed += 1
        log.info("message %s failed (attempt %s), next try at %s: %s", message.message_id, after.attempts,
                 after.next_attempt_at, error)
