"""How to evolve an event: stored events are never rewritten, old shapes are upcast on read.

Every stored event keeps the shape it was written with. When an event class must change
shape (a field added, renamed, split or re-typed), give it a new version and an upcaster
that turns the stored state of the previous version into the next one. eventsourcing's
``Mapper.to_domain_event`` runs the chain (``upcast_v1_v2``, ``upcast_v2_v3``...) on every
read, before the event is applied to an aggregate or handed to a projection; events saved
from then on carry their ``class_version`` in the stored state and are not upcast again.

Our events are named by ``@event("Registered")`` decorators, so the class exists only once
the aggregate class is built. Register the upcaster right below the aggregate, in its
``model.py``::

    class Customer(Entity):
        @event("Registered")
        def __init__(self, *, id, ..., segment: dict[str, str], occurred_at, actor) -> None:
            ...                                   # 1. the method takes the new shape

    @upcaster(Customer.Registered, from_version=1)   # 2. Registered is now version 2
    def _registered_v1_v2(state: dict[str, Any]) -> None:
        state["segment"] = {}                     # version 1 had no segment

Rules for an upcaster:
- It mutates ``state`` (the decoded event fields, with ``originator_id``,
  ``originator_version`` and ``timestamp``) in place and returns nothing.
- It does one step only; the next change adds ``from_version=2``, and so on. Never edit or
  remove an upcaster while events of that version may be stored (exports and backups too).
- It is pure and fills in what was true when the old event happened: no clock, no lookups.
- A new field holding personal data is marked with ``mark_personal`` like the others.
- A test stores the old shape and loads it (``tests/integration/test_upcasting.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Upcast = Callable[[dict[str, Any]], None]


def upcaster(event_class: type[Any], *, from_version: int) -> Callable[[Upcast], Upcast]:
    """Register the decorated function as ``event_class``'s upcast from ``from_version`` to the
    next version, and raise the class's ``class_version`` to that next version."""

    def register(upcast: Upcast) -> Upcast:
        current = getattr(event_class, "class_version", 1)
        if from_version != current:
            raise TypeError(
                f"{event_class.__qualname__} is at version {current}: "
                f"its next upcaster goes from version {current}, not {from_version}"
            )
        setattr(event_class, f"upcast_v{from_version}_v{from_version + 1}", staticmethod(upcast))
        event_class.class_version = from_version + 1
        return upcast

    return register
