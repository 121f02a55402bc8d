"""API tokens: only a hash is kept, names are unique, scopes are checked, revocation is final."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.application import Touchline
from domain.errors import AlreadyExistsError, InvalidValueError, NotFoundError
from domain.tokens.model import TokenRevokedError, grants, hash_token

ADMIN = "user:admin"


def issue(app: Touchline, now: datetime, name: str = "website", scopes: list[str] | None = None) -> str:
    return app.issue_api_token(name=name, scopes=["read"] if scopes is None else scopes, occurred_at=now, actor=ADMIN).token


def test_a_token_is_a_tl_secret_and_only_its_hash_is_stored(memory_app: Touchline, now: datetime) -> None:
    token = issue(memory_app, now)
    assert token.startswith("tl_") and len(token) >= 40
    stored = memory_app.find_api_token("website")
    assert stored.token_hash == hash_token(token)
    assert token not in str([vars(e) for e in memory_app.events.get(stored.id)])


def test_a_token_authenticates_by_its_secret_only(memory_app: Touchline, now: datetime) -> None:
    token = issue(memory_app, now)
    found = memory_app.authenticate_api_token(token)
    assert found is not None and found.name == "website"
    assert memory_app.authenticate_api_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_a_revoked_token_no_longer_authenticates_and_cannot_be_revoked_twice(
    memory_app: Touchline, now: datetime
) -> None:
    token = issue(memory_app, now)
    token_id = memory_app.find_api_token("website").id
    memory_app.revoke_api_token(token_id, reason="leaked", occurred_at=now, actor=ADMIN)
    assert memory_app.authenticate_api_token(token) is None
    with pytest.raises(TokenRevokedError):
        memory_app.revoke_api_token(token_id, occurred_at=now, actor=ADMIN)


def test_token_names_are_unique_whatever_the_case(memory_app: Touchline, now: datetime) -> None:
    issue(memory_app, now, name="Website")
    with pytest.raises(AlreadyExistsError):
        issue(memory_app, now, name="website")
    assert [t.name for t in memory_app.list_api_tokens()] == ["Website"]


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read:everything"], ["read:"], ["delete:cases"]])
def test_unknown_scopes_are_refused(memory_app: Touchline, now: datetime, scopes: list[str]) -> None:
    with pytest.raises(InvalidValueError) as caught:
        issue(memory_app, now, scopes=scopes)
    assert caught.value.field == "scopes"


@pytest.mark.parametrize("name", ["", "has space", "x" * 81, "-leading-dash"])
def test_token_names_are_short_plain_words(memory_app: Touchline, now: datetime, name: str) -> None:
    with pytest.raises(InvalidValueError):
        issue(memory_app, now, name=name)


@pytest.mark.parametrize("scopes, needed, allowed", [
    (["read"], "read:cases", True), (["read:cases"], "read:cases", True), (["read:funnel"], "read:cases", False),
    (["write"], "read:cases", False), (["write"], "write:deals", True), (["read", "write:deals"], "write:cases", False),
])
def test_read_and_write_grant_every_area_and_an_area_scope_only_its_own(
    scopes: list[str], needed: str, allowed: bool
) -> None:
    assert grants(scopes, needed) is allowed


def test_tokens_are_found_by_name_or_id(memory_app: Touchline, now: datetime) -> None:
    issue(memory_app, now, name="telephony")
    token_id = memory_app.find_api_token("TELEPHONY").id
    assert memory_app.find_api_token(str(token_id)).name == "telephony"
    with pytest.raises(NotFoundError):
        memory_app.find_api_token("nobody")
