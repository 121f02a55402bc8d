"""``domain.upcasting.upcaster``: versions go up one step at a time and old states are upcast on read.

The same on a real Touchline event and real storage: ``tests/integration/test_upcasting.py``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import event
from eventsourcing.persistence import StoredEvent

from domain.application import Touchline
from domain.base import Entity
from domain.upcasting import upcaster


class Note(Entity):
    """Version 3 of a note: ``words`` became ``text`` in version 2, ``language`` came in version 3."""

    @event("Written")
    def __init__(self, *, id: UUID, text: str, language: str, occurred_at: datetime, actor: str) -> None:
        self.text = text
        self.language = language


@pytest.fixture
def versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let each test register upcasters on ``Note.Written``; they are removed afterwards."""
    for name in ("class_version", "upcast_v1_v2", "upcast_v2_v3"):
        monkeypatch.setattr(Note.Written, name, None, raising=False)
        monkeypatch.delattr(Note.Written, name)


def rename_words(state: dict[str, Any]) -> None:
    state["text"] = state.pop("words")


def add_language(state: dict[str, Any]) -> None:
    state["language"] = "en"


def test_upcasters_are_registered_one_version_after_another(versions: None) -> None:
    with pytest.raises(TypeError, match="at version 1"):
        upcaster(Note.Written, from_version=2)(add_language)
    upcaster(Note.Written, from_version=1)(rename_words)
    upcaster(Note.Written, from_version=2)(add_language)
    assert Note.Written.class_version == 3  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="at version 3"):
        upcaster(Note.Written, from_version=2)(add_language)


def test_a_version_1_event_is_read_through_every_upcaster_in_order(
    versions: None, memory_app: Touchline, now: datetime
) -> None:
    written = Note(id=uuid4(), text="unused", language="unused", occurred_at=now, actor="user:1").collect_events()[0]
    current = memory_app.mapper.to_stored_event(written)
    state = json.loads(current.state)
    state["words"] = "Call Ada back"
    del state["text"], state["language"]  # the shape version 1 stored
    old = StoredEvent(current.originator_id, 1, current.topic, json.dumps(state).encode())
    upcaster(Note.Written, from_version=1)(rename_words)
    upcaster(Note.Written, from_version=2)(add_language)

    note = memory_app.mapper.to_domain_event(old).mutate(None)
    assert isinstance(note, Note)
    assert (note.text, note.language) == ("Call Ada back", "en")


def test_an_event_written_at_the_current_version_is_not_upcast_again(
    versions: None, memory_app: Touchline, now: datetime
) -> None:
    upcaster(Note.Written, from_version=1)(rename_words)
    upcaster(Note.Written, from_version=2)(add_language)
    written = Note(id=uuid4(), text="Hello", language="de", occurred_at=now, actor="user:1").collect_events()[0]

    stored = memory_app.mapper.to_stored_event(written)
    assert json.loads(stored.state)["class_version"] == 3
    read = memory_app.mapper.to_domain_event(stored)
    assert (read.text, read.language) == ("Hello", "de")  # type: ignore[attr-defined]
