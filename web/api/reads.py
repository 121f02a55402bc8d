"""What read endpoints share: read-your-writes waiting, pages, and bad cursors.

``views(min_position)`` opens a read-model connection once the projections have applied
``min_position`` (the position a write returned), waiting a bounded time; past it the
answer is 503 with Retry-After, never stale data presented as fresh.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa

from projections.api_state import caught_up_position
from projections.queries.paging import CursorError, Page
from web.api.errors import ApiError, field_error
from web.services import services

T = TypeVar("T")
log = logging.getLogger("touchline.api")
POLL_SECONDS = 0.02


def _reached() -> int:
    try:
        with services().views.connect() as conn:
            return caught_up_position(conn)
    except sa.exc.DBAPIError:  # no projection has run yet: nothing is applied
        return 0


def wait_for_position(position: int) -> None:
    """Return once every projection has applied ``position``; 503 after the configured wait."""
    if _reached() >= position:
        return
    head = services().app.recorder.max_notification_id() or 0
    if position > head:
        raise field_error(422, "min_position", f"is past the last event position ({head})")
    deadline = time.monotonic() + float(services().config.get("API_MIN_POSITION_WAIT", 5))
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        if _reached() >= position:
            return
    raise ApiError(503, f"the read models have not reached position {position} yet; retry shortly",
                   code="projections_behind", headers={"Retry-After": "1"})


@contextmanager
def views(min_position: int | None = None) -> Iterator[sa.Connection]:
    if min_position:
        wait_for_position(min_position)
    with services().views.connect() as conn:
        yield conn


def read(query: dict[str, Any], fetch: Callable[[sa.Connection], T]) -> T:
    """Run ``fetch`` on the read models (after ``min_position``); a bad cursor is a 400."""
    with views(query.get("min_position")) as conn:
        try:
            return fetch(conn)
        except CursorError as exc:
            raise field_error(400, "cursor", str(exc), code="bad_cursor") from None
        except sa.exc.StatementError as exc:  # the database's errors, and binding a value failed
            if query.get("cursor"):  # a cursor edited by hand can hold values of the wrong type
                raise field_error(400, "cursor", "cursor does not fit this listing", code="bad_cursor") from None
            if not isinstance(exc, sa.exc.DBAPIError):
                raise
            # Typically: the projections have never run, so their tables do not exist yet.
            log.exception("reading the read models failed")
            raise ApiError(503, "the read models are not available yet (is the projection runner running?)",
                           code="read_models_unavailable", headers={"Retry-After": "5"}) from None


def page(result: Page[Any]) -> dict[str, Any]:
    return {"items": result.items, "next_cursor": result.next_cursor}


def found(row: T | None, kind: str, record_id: UUID | str) -> T:
    if row is None:
        raise ApiError(404, f"{kind} {record_id} not found")
    return row
