"""After a command, the panel shows its result: wait (bounded) until the projections have
applied the command's ``Receipt.position``."""

from __future__ import annotations

import time

import sqlalchemy as sa

from projections.api_state import caught_up_position
from web.services import services

POLL_SECONDS = 0.02
DEFAULT_WAIT_SECONDS = 5.0


def projections_reached() -> int:
    try:
        with services().views.connect() as conn:
            return caught_up_position(conn)
    except sa.exc.DBAPIError:  # no projection has run yet
        return 0


def wait_for_position(position: int | None, seconds: float | None = None) -> bool:
    """True once every projection applied ``position`` (None: nothing to wait for); False when
    ``seconds`` (default: ``API_MIN_POSITION_WAIT``) pass first: say "still updating", never 500."""
    if not position or projections_reached() >= position:
        return True
    limit = seconds if seconds is not None else float(services().config.get("API_MIN_POSITION_WAIT",
                                                                             DEFAULT_WAIT_SECONDS))
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        if projections_reached() >= position:
            return True
    return False
