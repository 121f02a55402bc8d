"""What every Touchline aggregate shares: a human name for errors and the touch of time.

Every command method of every aggregate takes ``occurred_at`` (business time: when it
happened in the world, timezone-aware, given by the caller) and ``actor`` (who did
it); both become fields of the event. The library adds the recorded ``timestamp``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.utils import get_topic

from domain.values import actor_id, aware


class Entity(Aggregate):
    """Base class of Touchline aggregates."""

    # Human name of the kind of record, for messages. Subclasses also keep
    # ``last_occurred_at``: business time of their latest event (``modified_on`` is recorded time).
    kind: ClassVar[str] = "Record"

    @property
    def label(self) -> str:
        """How people refer to this record in messages (a tracking code, a name...)."""
        return str(self.id)

    @staticmethod
    def checked_when(occurred_at: datetime, actor: str) -> tuple[datetime, str]:
        """Validate the two arguments every command takes."""
        return aware("occurred_at", occurred_at), actor_id(actor)


def _subclasses(cls: type[Entity]) -> Iterator[type[Entity]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def topics_of_events(*, excluding: tuple[type[Entity], ...] = ()) -> dict[str, str]:
    """Event type (``Case.Opened``) -> its topic, for every aggregate loaded but ``excluding``."""
    found = {}
    for aggregate in _subclasses(Entity):
        if issubclass(aggregate, excluding):
            continue
        for value in vars(aggregate).values():
            if (isinstance(value, type) and issubclass(value, DomainEvent) and value.__module__ == aggregate.__module__
                    and value.__name__ != "Event"):  # the library's base of the aggregate's events: none is one
                found[value.__qualname__] = get_topic(value)
    return found
