"""The history of any record: its events (type, version, who, business and recorded time,
fields) and its state as of a chosen version, replayed from the event store.

Secrets never show (``domain.users.model.secret_fields``: a password hash), and API tokens'
records are not listed, as in the API's history endpoint.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import redirect, request, url_for
from flask_admin import BaseView, expose

from domain.audit.commands import record_audit_read
from domain.errors import InvalidValueError
from projections.audit import (
    AsOf,
    events_page,
    head_version,
    plain,
    resolve,
    state_as_of,
)
from projections.queries.staff import staff_names
from web.admin.access import HISTORY_READERS, Protected, actor
from web.admin.localtime import local_time
from web.admin.pages.customer360 import parse_id
from web.admin.pages.reading import read_models
from web.services import services

EVENTS_PAGE = 100


def state_fields(state: Any) -> list[tuple[str, str]]:
    """The replayed state as (name, readable value) pairs, recorded times first."""
    aggregate = state.aggregate
    fields: list[tuple[str, Any]] = [("id", aggregate.id), ("version", aggregate.version),
                                     ("created_on (recorded)", aggregate.created_on),
                                     ("modified_on (recorded)", aggregate.modified_on)]
    fields += list(state.fields.items())
    return [(name, readable(value)) for name, value in fields]


def readable(value: Any) -> str:
    if isinstance(value, datetime):  # in the viewer's zone, as the event list above it
        return local_time(value, seconds=True)
    shown = plain(value)
    if isinstance(shown, dict | list):
        return json.dumps(shown, indent=1, ensure_ascii=False)
    return "—" if shown is None else str(shown)


def _version(raw: str | None, current: int) -> tuple[int, str | None]:
    """The version asked for, or the current one and a message saying why not."""
    if raw is None or raw == "":
        return current, None
    try:
        version = int(raw)
    except ValueError:
        return current, f"Version {raw[:20]!r} is not a number; showing the current version {current}."
    if not 1 <= version <= current:
        return current, f"There is no version {version}: versions run from 1 to {current}; showing {current}."
    return version, None


def _instant(name: str) -> tuple[datetime | None, str | None]:
    """``as_of`` / ``known_at`` from the query string, or a message saying why not."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None, None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None, f"{name} {raw[:40]!r} is not a date and time (e.g. 2017-06-30T23:59:59+00:00)."
    if value.tzinfo is None:
        return None, f"{name} {raw[:40]!r} needs a timezone (e.g. +00:00)."
    return value, None


def _asked(current: int) -> tuple[AsOf, str | None]:
    """What the page was asked to show (at most one of version, as_of, known_at)."""
    as_of, bad_as_of = _instant("as_of")
    known_at, bad_known_at = _instant("known_at")
    if bad_as_of or bad_known_at:
        return AsOf(), f"{bad_as_of or bad_known_at} Showing the current version {current}."
    version, problem = _version(request.args.get("version"), current)
    explicit = version if request.args.get("version") and not problem else None
    try:
        return AsOf.checked(explicit, as_of, known_at), problem
    except InvalidValueError as exc:
        return AsOf(), f"{exc} Showing the current version {current}."


class HistoryView(Protected, BaseView):
    """Admins and auditors read any record's history (issue 9: history is an auditor's tool;
    agents see a record's current state on its own pages). Every view is recorded."""

    read_roles = HISTORY_READERS

    def is_visible(self) -> bool:
        return False  # reached from records

    def _not_found(self, message: str) -> Any:
        return self.render("admin/pages/not_found.html", message=message), 404

    @expose("/")
    def index(self) -> Any:
        """Open a history by record id or case tracking code."""
        wanted = (request.args.get("q") or "").strip()
        if not wanted:
            return self.render("admin/pages/history_search.html", wanted=wanted, message=None)
        key = resolve(services().app, services().views, wanted)
        if key is None:
            return self.render("admin/pages/history_search.html", wanted=wanted,
                               message=f"{wanted[:60]!r} is neither a record id nor a known case code."), 404
        return redirect(url_for(".show", aggregate_id=str(key)))

    @expose("/<aggregate_id>")
    def show(self, aggregate_id: str) -> Any:
        key = parse_id(aggregate_id)
        if key is None:
            return self._not_found(f"{aggregate_id[:60]!r} is not a record id.")
        app = services().app
        current = head_version(app, key)
        if current is None:
            return self._not_found(f"No record {key}.")
        asked, problem = _asked(current)
        try:
            after = min(max(0, int(request.args.get("after", 0))), current)
        except ValueError:
            after = 0
        events, more = events_page(app, key, after_version=after, limit=EVENTS_PAGE)
        state = state_as_of(app, key, asked)
        assert state is not None  # the record exists: head_version found it
        record_audit_read(app, channel="panel", subject=str(key), query=asked.query(),
                          occurred_at=services().clock.now(), actor=actor())
        if state.aggregate is None:
            when = "as of " + asked.as_of.isoformat() if asked.as_of else "as known at " + str(asked.known_at)
            problem = f"{state.kind} {key} did not exist yet {when}."
        names, _ = read_models(lambda conn: staff_names(conn, {e["actor"] for e in events}))
        aggregate = state.aggregate
        return self.render(
            "admin/pages/history.html", key=key, names=names or {},
            customer_id=getattr(aggregate, "customer_id", None), kind=state.kind,
            label=getattr(aggregate, "label", str(key)), events=events, current=current,
            version=state.version, problem=problem, fields=state_fields(state) if aggregate is not None else [],
            asked=asked, after=after, next_after=events[-1]["aggregate_version"] if more else None,
            readable=readable)
