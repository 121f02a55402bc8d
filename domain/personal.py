"""Which event fields hold personal data (design decision 5).

Erasure encrypts exactly these fields with a per-customer key (``projections.crypto``), so
they are declared beside the event classes. Each marked event also names the field that says
whose data it is (``subject``): a customer id.

A mark is a field name or a path into it: ``"changes.subject"`` (one key of a dict field),
``"contact_points[].value"`` (one key of each item of a list field). Only the leaves a path
names are personal, so the rest (a contact point's kind, a corrected channel) survives erasure.
"""

from __future__ import annotations

import dataclasses
from typing import Any

# What a personal field reads as once its subject's key is destroyed.
ERASED = "[erased]"

Path = tuple[str, ...]

_MARKS: dict[type[Any], tuple[str, frozenset[str], tuple[Path, ...]]] = {}
_ERASURES: set[type[Any]] = set()


def _parse(path: str) -> Path:
    """``"contact_points[].value"`` -> ``("contact_points", "[]", "value")``."""
    parts: list[str] = []
    for part in path.split("."):
        if part.endswith("[]"):
            parts.extend((part[:-2], "[]"))
        else:
            parts.append(part)
    return tuple(parts)


def mark_personal(event_class: type[Any], *fields: str, subject: str = "customer_id") -> None:
    """Declare ``fields`` (names or paths) of ``event_class`` personal data about the customer
    in ``subject``. ``subject`` may be ``"originator_id"`` for the Customer's own events.
    Fails at import time when a name is not a field of the event.
    """
    paths = tuple(_parse(f) for f in fields)
    names = {f.name for f in dataclasses.fields(event_class)}
    unknown = ({p[0] for p in paths} | {subject}) - names
    if unknown:
        raise TypeError(f"{event_class.__qualname__} has no field(s) {sorted(unknown)}")
    _MARKS[event_class] = (subject, frozenset(p[0] for p in paths), paths)


def mark_erasure(event_class: type[Any]) -> None:
    """Declare that saving ``event_class`` destroys the key of its aggregate (the subject)."""
    _ERASURES.add(event_class)


def personal_fields(event_class: type[Any]) -> frozenset[str]:
    """The personal-data fields of ``event_class`` (empty when it holds none)."""
    mark = _MARKS.get(event_class)
    return mark[1] if mark else frozenset()


def personal_paths(event_class: type[Any]) -> tuple[Path, ...]:
    """The marked paths of ``event_class`` (``()`` when it holds no personal data)."""
    mark = _MARKS.get(event_class)
    return mark[2] if mark else ()


def subject_field(event_class: type[Any]) -> str | None:
    """The field naming whose data ``event_class`` holds, or None when it is not marked."""
    mark = _MARKS.get(event_class)
    return mark[0] if mark else None


def personal_subject(event: Any) -> Any:
    """The id of the customer whose personal data ``event`` holds, or None."""
    mark = _MARKS.get(type(event))
    return getattr(event, mark[0]) if mark else None


def is_erasure(event_class: type[Any]) -> bool:
    return event_class in _ERASURES


def erasure_classes() -> frozenset[type[Any]]:
    return frozenset(_ERASURES)


def marked_event_classes() -> dict[type[Any], frozenset[str]]:
    """Every marked event class and its personal fields (for audits and tests)."""
    return {cls: fields for cls, (_, fields, _) in _MARKS.items()}
