"""Reading the read models from a page: a missing table (projections never ran) is a message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from web.services import services

T = TypeVar("T")
log = logging.getLogger("touchline.admin")
UNAVAILABLE = "The read models are not available yet (is the projection runner running?)."


def read_models(fetch: Callable[[sa.Connection], T]) -> tuple[T | None, str | None]:
    """``fetch``'s result and None, or None and a message for the page when the read models
    cannot be read."""
    try:
        with services().views.connect() as conn:
            return fetch(conn), None
    except sa.exc.DBAPIError:
        log.exception("reading the read models failed")
        return None, UNAVAILABLE
