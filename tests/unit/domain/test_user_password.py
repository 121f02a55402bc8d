"""A user's password is an event holding only its argon2 hash; the domain never sees a password."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError
from domain.users.model import User, UserDeactivatedError, secret_fields

ACTOR = "user:admin@example.com"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"


@pytest.fixture
def user_id(memory_app: Touchline, now: datetime) -> UUID:
    return memory_app.register_user(email="ann@example.com", name="Ann Agent", role="agent", occurred_at=now,
                                    actor=ACTOR).id


def test_a_new_user_has_no_password_until_one_is_set(memory_app: Touchline, user_id: UUID, now: datetime) -> None:
    user = memory_app.get_user(user_id)
    assert user.password_hash is None and user.credentials_version == 0
    memory_app.set_user_password(user_id, password_hash=HASH, occurred_at=now, actor=ACTOR)
    user = memory_app.get_user(user_id)
    assert user.password_hash == HASH and not user.must_change_password and user.credentials_version == 1


def test_a_user_can_be_registered_with_a_password_in_one_transaction(memory_app: Touchline, now: datetime) -> None:
    receipt = memory_app.register_user(email="bo@example.com", name="Bo", role="auditor", password_hash=HASH,
                                       occurred_at=now, actor=ACTOR)
    events = list(memory_app.events.get(receipt.id))
    assert [type(e).__name__ for e in events] == ["Registered", "PasswordSet"]
    assert memory_app.get_user(receipt.id).password_hash == HASH


def test_every_new_password_counts_up_the_credentials_version(memory_app: Touchline, user_id: UUID,
                                                               now: datetime) -> None:
    memory_app.set_user_password(user_id, password_hash=HASH, occurred_at=now, actor=ACTOR)
    memory_app.set_user_password(user_id, password_hash=HASH + "x", must_change=True, occurred_at=now, actor=ACTOR)
    user = memory_app.get_user(user_id)
    assert user.credentials_version == 2 and user.must_change_password


@pytest.mark.parametrize("value", ["correct horse battery staple", "", "$2b$12$bcrypthash", None])
def test_anything_but_an_argon2_hash_is_refused(memory_app: Touchline, user_id: UUID, now: datetime,
                                                value: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.set_user_password(user_id, password_hash=value, occurred_at=now, actor=ACTOR)
    assert caught.value.field == "password"
    assert memory_app.get_user(user_id).version == 1  # nothing stored


def test_a_deactivated_user_gets_no_new_password(memory_app: Touchline, user_id: UUID, now: datetime) -> None:
    memory_app.deactivate_user(user_id, reason="left", occurred_at=now, actor=ACTOR)
    with pytest.raises(UserDeactivatedError):
        memory_app.set_user_password(user_id, password_hash=HASH, occurred_at=now, actor=ACTOR)


def test_the_hash_is_marked_secret_for_exports_and_history_views() -> None:
    assert secret_fields(User.PasswordSet) == {"password_hash"}
    assert secret_fields(User.Registered) == frozenset()
