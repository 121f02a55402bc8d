"""Which event fields hold personal data (design decision 5).

Erasure will encrypt exactly these fields with a per-customer key, so they are
declared beside the event classes from the start. Each marked event also names
the field that says whose data it is (``subject``): a customer id.
"""

from __future__ import annotations

import dataclasses
from typing import Any

_MARKS: dict[type[Any], tuple[str, frozenset[str]]] = {}


def mark_personal(event_class: type[Any], *fields: str, subject: str = "customer_id") -> None:
    """Declare ``fields`` of ``event_class`` personal data about the customer in ``subject``.

    ``subject`` may be ``"originator_id"`` for the Customer's own events.
    Fails at import time when a name is not a field of the event.
    """
    names = {f.name for f in dataclasses.fields(event_class)}
    unknown = (set(fields) | {subject}) - names
    if unknown:
        raise TypeError(f"{event_class.__qualname__} has no field(s) {sorted(unknown)}")
    _MARKS[event_class] = (subject, frozenset(fields))


def personal_fields(event_class: type[Any]) -> frozenset[str]:
    """The personal-data fields of ``event_class`` (empty when it holds none)."""
    mark = _MARKS.get(event_class)
    return mark[1] if mark else frozenset()


def personal_subject(event: Any) -> Any:
    """The id of the customer whose personal data ``event`` holds, or None."""
    mark = _MARKS.get(type(event))
    return getattr(event, mark[0]) if mark else None


def marked_event_classes() -> dict[type[Any], frozenset[str]]:
    """Every marked event class and its personal fields (for audits and tests)."""
    return {cls: fields for cls, (_, fields) in _MARKS.items()}
