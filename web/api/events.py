"""``GET /api/v1/events``: the event feed; ``GET /api/v1/aggregates/<id>/events``: one history.

The feed reads the notification log "after a position" (never "position + 1": PostgreSQL
positions have gaps) up to the head seen when the request started, and answers
``next_after``, which moves past everything scanned, so a follower that always passes it
back misses nothing and sees nothing twice. With ``wait`` the request polls the log
(every 50 ms, one indexed query) until an event arrives or the wait ends. A waiting request
holds a web thread, so a process lets only ``API_LONG_POLLS`` wait at once; beyond that the
answer comes at once with ``Retry-After: 1``, and every other request is still served.
Token events are never shown (they would list other integrators' tokens). One aggregate's
history is an audit read (scope ``read:audit``), recorded as an ``AuditRead`` like the others.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.utils import TopicError
from flask.views import MethodView
from marshmallow import RAISE

from domain.audit.commands import record_audit_read
from domain.base import topics_of_events
from projections.audit import HIDDEN, describe, events_page, head_version, hidden_topics
from projections.audit_personal import learn_erasures
from web.api.auth import caller, requires, runtime
from web.api.blueprint import Blueprint
from web.api.errors import ApiError, field_error
from web.schemas.events import (
    FeedQuerySchema,
    FeedSchema,
    HistoryQuerySchema,
    HistorySchema,
)
from web.services import services

blp = Blueprint("events", __name__, description="The event log, for followers and auditors.")
POLL_SECONDS = 0.05


@cache
def event_topics() -> dict[str, str]:
    """Event type (``Case.Opened``) -> topic, for every visible aggregate's events."""
    return topics_of_events(excluding=HIDDEN)


def event_types(types: str | None) -> list[str]:
    """The event types named in a ``types`` parameter (``Case.Opened,Deal.Won``); unknown ones are a 422."""
    if not types:
        return []
    known = event_topics()
    names = [t.strip() for t in types.split(",") if t.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise field_error(422, "types", f"unknown event type(s) {', '.join(unknown)[:200]}; "
                                        f"e.g. {', '.join(sorted(known)[:4])}")
    return names


def _topics(types: str | None) -> list[str]:
    known = event_topics()
    return [known[n] for n in event_types(types)]


def read_feed(after: int, limit: int, topics: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Visible events after ``after`` (at most ``limit``) and the position to continue after."""
    app, hidden = services().app, hidden_topics()
    learn_erasures(app)  # erased customers read as erased even if this process had their keys
    head = app.recorder.max_notification_id() or 0
    if after > head:  # not a position this log gave out (another store's, or one restored from an older backup)
        raise field_error(422, "after", f"is past the last event position ({head}); pass a next_after of this feed")
    while after < head:
        notifications = app.recorder.select_notifications(start=after, limit=limit, stop=head, topics=topics,
                                                          inclusive_of_start=False)
        # A short page means everything up to the head was scanned (gaps included).
        after = notifications[-1].id if len(notifications) == limit else head
        events = [_decoded(n) for n in notifications if n.topic not in hidden]
        if events:
            return events, after
    return [], after


def _decoded(notification: Any) -> dict[str, Any]:
    try:
        return describe(services().app.mapper.to_domain_event(notification), notification.id, notification.topic)
    except TopicError:  # written by a newer version of Touchline: its type, without fields
        return {"position": notification.id, "aggregate_id": notification.originator_id,
                "aggregate_version": notification.originator_version,
                "type": notification.topic.partition(":")[2] or notification.topic,
                "occurred_at": None, "recorded_at": None, "actor": None, "data": None}


@blp.route("/events")
class Feed(MethodView):
    @requires("read:events")
    @blp.arguments(FeedQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, FeedSchema, headers={"Retry-After": {
        "schema": {"type": "integer"},
        "description": "Only when wait was asked and the server was already waiting for as many requests as it "
                       "serves at once: seconds to wait before asking again."}})
    def get(self, query: dict[str, Any]) -> Any:
        """Events after a position, oldest first; long-poll with wait."""
        topics = _topics(query.get("types"))
        events, after = read_feed(query["after"], query["limit"], topics)
        if events or not query["wait"]:
            return {"events": events, "next_after": after}
        slots = runtime().long_polls
        if not slots.acquire(blocking=False):  # every slot is waiting: answer now, ask again in a second
            return {"events": events, "next_after": after}, 200, {"Retry-After": "1"}
        try:
            deadline = time.monotonic() + query["wait"]
            while not events and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                events, after = read_feed(after, query["limit"], topics)
            return {"events": events, "next_after": after}
        finally:
            slots.release()


@blp.route("/aggregates/<uuid:aggregate_id>/events")
class History(MethodView):
    @requires("read:audit")
    @blp.arguments(HistoryQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, HistorySchema)
    def get(self, query: dict[str, Any], aggregate_id: UUID) -> dict[str, Any]:
        """One aggregate's events by version (business and recorded time, actor, fields), each with
        its position in the event feed."""
        found = services()
        app, limit = found.app, query["limit"]
        if head_version(app, aggregate_id) is None:
            raise ApiError(404, f"no events for aggregate {aggregate_id}")
        events, more = events_page(app, aggregate_id, after_version=query["after_version"], limit=limit)
        record_audit_read(app, channel="api", subject=str(aggregate_id), occurred_at=found.clock.now(),
                          query={"events_after_version": str(query["after_version"]), "limit": str(limit)},
                          actor=caller().actor)
        return {"events": events, "next_after_version": events[-1]["aggregate_version"] if more else None}
