"""The base class of projections: which events a projection handles and how.

A projection is one module: its tables and a ``Projection`` subclass whose methods are
decorated with ``@handles(EventClass, ...)``. Each handler gets the decoded event, its
``Context`` (log position, recorded time) and the batch's ``Rows``. Bump ``version``
when the handlers or tables change: the runner then rebuilds the projection from zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar, NamedTuple

import sqlalchemy as sa

from projections.rows import Rows

Handler = Callable[[Any, Any, "Context", Rows], None]


class Context(NamedTuple):
    """Where an event sits in the log and when it was recorded (a tuple: built per event)."""

    position: int
    recorded_at: datetime


def handles(*event_classes: type[Any]) -> Callable[[Handler], Handler]:
    """Mark a method as the handler of ``event_classes``."""

    def mark(method: Handler) -> Handler:
        method.__dict__.setdefault("_handles", []).extend(event_classes)
        return method

    return mark


class Projection:
    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[sa.Table, ...]]
    # Tables whose rows are written once and rarely read again: not kept between batches,
    # so the cache holds the hot rows (customers, open cases) instead.
    write_mostly: ClassVar[tuple[sa.Table, ...]] = ()

    def handlers(self) -> dict[type[Any], Callable[[Any, Context, Rows], None]]:
        """Event class -> bound handler, collected from ``@handles`` marks."""
        found: dict[type[Any], Callable[[Any, Context, Rows], None]] = {}
        for klass in reversed(type(self).__mro__):
            for attribute in vars(klass).values():
                for event_class in getattr(attribute, "_handles", ()):
                    found[event_class] = getattr(self, attribute.__name__)
        return found

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        """Load the rows a batch will touch in a few queries (optional; speeds up catch-up)."""

    @staticmethod
    def ids(events: Iterable[Any], attribute: str) -> set[str]:
        """String ids found in ``attribute`` of ``events`` (for ``prefetch``)."""
        return {str(v) for e in events if (v := getattr(e, attribute, None)) is not None}

