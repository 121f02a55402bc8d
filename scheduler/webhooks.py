"""Webhook delivery: each active subscription follows the event log from its own position.

Per subscription, in log order: POST the next matching event (signed), then, in one
transaction of the read-model database, log the attempt and move the subscription's cursor
past it (``projections.webhook_state``). A crash between the POST and that transaction sends
the event again on the next run with the same ``Touchline-Delivery`` id: at-least-once,
receivers drop the copy. A failure (no answer, a timeout, non-2xx) is logged and retried
with backoff (1, 2, 4... minutes, at most 6 hours) before anything later is sent, so order
holds; after ``webhook_max_failures`` in a row the subscription is paused (an event, with the
last error) and resuming it continues from the same event. Subscriptions are served in
parallel threads, so a slow or failing endpoint never holds the others up.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Lock
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

import sqlalchemy as sa

from domain.errors import DomainError, NotFoundError
from domain.messages.model import retry_delay
from domain.webhooks.catalog import topics_for
from domain.webhooks.model import WebhookSubscription
from projections.audit_personal import learn_erasures
from projections.engine import create_views_engine
from projections.views.webhooks import webhook_subscriptions
from projections.webhook_state import (
    create_webhook_tables,
    get_cursor,
    move_cursor,
    record_attempt,
    set_cursor,
)
from scheduler.context import ACTOR, SchedulerContext
from scheduler.webhook_http import Response, delivery_id, payload, post, signed_headers

log = logging.getLogger("touchline.scheduler")
PARALLEL = 8  # subscriptions served at once
BATCH = 100  # events read from the log at a time
_writers: WeakKeyDictionary[sa.Engine, sa.Engine] = WeakKeyDictionary()
_lock = Lock()


class _Moved(Exception):
    """The cursor was not where this sender left it."""


@dataclass
class WebhookRun:
    delivered: int = 0
    failed: int = 0
    paused: int = 0
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.delivered or self.failed or self.paused or self.errors)

    def __str__(self) -> str:
        return f"{self.delivered} delivered, {self.failed} failed (will retry), {self.paused} paused"


def _writer(engine: sa.Engine) -> sa.Engine:
    """The engine bookkeeping is written with (its tables created first). On SQLite one that takes
    the write lock up front (a reader's transaction that starts writing fails at once beside the
    projection runner), without a pool, kept as long as the reader engine lives."""
    with _lock:
        found = _writers.get(engine)
        if found is None:
            found = engine
            if engine.dialect.name == "sqlite":
                found = create_views_engine(engine.url.render_as_string(hide_password=False), writer=True,
                                            poolclass=sa.pool.NullPool)
            create_webhook_tables(found)
            _writers[engine] = found
        return found


def deliver_webhooks(ctx: SchedulerContext) -> WebhookRun:
    """Deliver what every active subscription has due, in parallel across subscriptions."""
    result = WebhookRun()
    try:
        with ctx.views.connect() as conn:
            rows = conn.execute(sa.select(webhook_subscriptions.c.id, webhook_subscriptions.c.start_position)
                                .where(webhook_subscriptions.c.status == "active")
                                .order_by(webhook_subscriptions.c.start_position)).all()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # the projection runner has not created it yet
        log.debug("webhooks: no webhook_subscriptions table yet")
        return result
    if not rows:
        return result
    writer = _writer(ctx.views)
    learn_erasures(ctx.app)  # erased customers read as erased even if this process had their keys
    head = ctx.app.recorder.max_notification_id() or 0
    with ThreadPoolExecutor(min(PARALLEL, len(rows))) as pool:
        for future in [pool.submit(_serve, ctx, writer, UUID(r.id), r.start_position, head, result) for r in rows]:
            future.result()
    return result


def _serve(ctx: SchedulerContext, writer: sa.Engine, sub_id: UUID, start: int, head: int, result: WebhookRun) -> None:
    try:
        Subscription(ctx, writer, sub_id, start).deliver(head, result)
    except Exception as exc:  # one subscription's trouble never stops the others
        log.exception("webhook %s: delivery stopped", sub_id)
        result.errors.append(f"webhook {sub_id}: {type(exc).__name__}: {exc}")


class Subscription:
    def __init__(self, ctx: SchedulerContext, writer: sa.Engine, sub_id: UUID, start: int) -> None:
        self.ctx, self.writer, self.id, self.start = ctx, writer, sub_id, start

    def deliver(self, head: int, result: WebhookRun) -> None:
        try:
            sub = self.ctx.app.get_webhook(self.id)  # the event store has the last word on status
        except NotFoundError:
            return
        if sub.status != "active":
            return
        cursor = self._cursor(sub)
        now = self.ctx.clock.now()
        if cursor["next_attempt_at"] is not None and cursor["next_attempt_at"] > now:
            return
        topics = topics_for(sub.event_types)
        position, sent = cursor["position"], 0
        while topics and sent < self.ctx.settings.send_limit:
            wanted = min(BATCH, self.ctx.settings.send_limit - sent)
            found = self.ctx.app.recorder.select_notifications(start=position, limit=wanted, stop=head, topics=topics,
                                                               inclusive_of_start=False)
            for notification in found:
                if not self._send(sub, cursor, position, notification, result):
                    return
                position, sent = notification.id, sent + 1
            if len(found) < wanted:  # nothing more that matches up to the head: skip the rest of it
                if head > position:
                    with self.writer.begin() as conn:
                        move_cursor(conn, str(self.id), position, head)
                return

    def _cursor(self, sub: WebhookSubscription) -> dict[str, Any]:
        with self.writer.begin() as conn:
            cursor = get_cursor(conn, str(self.id), self.start)
            if sub.replays > cursor["replays"] and sub.replay_from is not None:  # a replay asked for: apply it once
                changes = {"position": sub.replay_from - 1, "replays": sub.replays, "failures": 0,
                           "next_attempt_at": None}
                set_cursor(conn, str(self.id), **changes)
                cursor.update(changes)
        return cursor

    def _send(self, sub: WebhookSubscription, cursor: dict[str, Any], position: int, notification: Any,
              result: WebhookRun) -> bool:
        """POST one event; True when delivered and recorded (go on), False to stop this subscription."""
        event = self.ctx.app.mapper.to_domain_event(notification)
        shown = payload(event, notification.id)
        body = json.dumps(shown, separators=(",", ":"), sort_keys=True).encode()
        now = self.ctx.clock.now()
        delivery = delivery_id(sub.id, notification.id, cursor["replays"])
        headers = signed_headers(sub.signing_secrets(now), body, now, delivery, shown["type"])
        response = post(sub.url, body, headers, self.ctx.settings.webhook_timeout,
                        allow_private=self.ctx.settings.webhook_allow_private)
        self.ctx.checkpoint("webhook-posted", delivery)
        attempt = {"subscription_id": str(sub.id), "delivery_id": str(delivery),
                   "event_id": shown["id"], "position": notification.id, "event_type": shown["type"],
                   "attempted_at": now, "outcome": "delivered" if response.ok else "failed",
                   "response_code": response.code, "response_body": response.body,
                   "duration_ms": response.duration_ms, "error": response.error}
        if response.ok:
            try:
                with self.writer.begin() as conn:
                    record_attempt(conn, **attempt)
                    if not move_cursor(conn, str(sub.id), position, notification.id, delivered=1, failures=0,
                                       next_attempt_at=None, last_error=None, last_attempt_at=now):
                        raise _Moved  # another sender got there first: its record stands, this one rolls back
            except _Moved:
                return False
            cursor["failures"] = 0
            result.delivered += 1
            return True
        self._failed(sub, cursor, attempt, response, result)
        return False

    def _failed(self, sub: WebhookSubscription, cursor: dict[str, Any], attempt: dict[str, Any], response: Response,
                result: WebhookRun) -> None:
        failures, now = cursor["failures"] + 1, attempt["attempted_at"]
        error = (response.error or "failed")[:300]
        pause = failures >= self.ctx.settings.webhook_max_failures
        with self.writer.begin() as conn:
            record_attempt(conn, **attempt)
            set_cursor(conn, str(sub.id), failures=0 if pause else failures, last_error=error, last_attempt_at=now,
                       next_attempt_at=None if pause else now + retry_delay(failures))
        if not pause:
            result.failed += 1
            log.info("webhook %s: event %s failed (attempt %s): %s", sub.url, attempt["position"], failures, error)
            return
        try:
            self.ctx.app.pause_webhook(sub.id, reason=f"{failures} failed attempts in a row; last: {error}",
                                       occurred_at=now, actor=ACTOR)
        except DomainError:  # paused or deleted by someone meanwhile
            return
        result.paused += 1
        log.warning("webhook %s paused after %s failed attempts: %s", sub.url, failures, error)
