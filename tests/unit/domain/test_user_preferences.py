"""A user's time zone preference: an IANA name or none (the installation's default), one event per change."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError

ACTOR = "user:admin@example.com"


@pytest.fixture
def user_id(memory_app: Touchline, now: datetime) -> UUID:
    return memory_app.register_user(email="ann@example.com", name="Ann Agent", role="agent", occurred_at=now,
                                    actor=ACTOR).id


def test_a_user_has_no_zone_until_one_is_chosen_then_back_to_the_default(memory_app: Touchline, user_id: UUID,
                                                                          now: datetime) -> None:
    assert memory_app.get_user(user_id).timezone is None
    memory_app.change_user_preferences(user_id, timezone=" Europe/Berlin ", occurred_at=now, actor=ACTOR)
    assert memory_app.get_user(user_id).timezone == "Europe/Berlin"
    memory_app.change_user_preferences(user_id, timezone=None, occurred_at=now, actor=ACTOR)
    assert memory_app.get_user(user_id).timezone is None
    names = [type(e).__name__ for e in memory_app.events.get(user_id)]
    assert names == ["Registered", "PreferencesChanged", "PreferencesChanged"]


def test_choosing_the_same_zone_again_records_nothing(memory_app: Touchline, user_id: UUID, now: datetime) -> None:
    first = memory_app.change_user_preferences(user_id, timezone="Asia/Tokyo", occurred_at=now, actor=ACTOR)
    again = memory_app.change_user_preferences(user_id, timezone="Asia/Tokyo", occurred_at=now, actor=ACTOR)
    assert first.position is not None and again.position is None and again.version == first.version


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", "Europe/", "x" * 70])
def test_a_zone_that_is_not_an_iana_name_is_refused(memory_app: Touchline, user_id: UUID, now: datetime,
                                                    zone: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        memory_app.change_user_preferences(user_id, timezone=zone, occurred_at=now, actor=ACTOR)
    assert refused.value.field == "timezone"
    assert memory_app.get_user(user_id).timezone is None
