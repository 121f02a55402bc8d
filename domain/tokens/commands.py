"""API token commands of the Application: issue, revoke, authenticate, list.

A token is saved together with its name index and an entry in the token log, in one
transaction: names stay unique, and ``list_api_tokens`` reads the log instead of
scanning the event store. Each request's "last use" is not an event (that would write
on every read); the web layer keeps it in a small table of the read-model database.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import EventSourcedLog
from eventsourcing.domain import DomainEvent

from domain.errors import NotFoundError
from domain.service import Receipt, Service
from domain.tokens.model import ApiToken, ApiTokenName, clean_name, hash_token, new_token, token_id_for, token_name_id

TOKEN_LOG_ID = uuid5(NAMESPACE_URL, "/api-token-log")


class ApiTokenLogged(DomainEvent):
    token_id: UUID


class IssuedToken(NamedTuple):
    receipt: Receipt
    token: str  # the secret: shown once, never stored


class TokenCommands(Service):
    @property
    def _token_log(self) -> EventSourcedLog[ApiTokenLogged]:
        return EventSourcedLog(self.events, TOKEN_LOG_ID, ApiTokenLogged)

    def issue_api_token(self, *, name: str, scopes: list[str], occurred_at: datetime, actor: str) -> IssuedToken:
        """Create a token; the returned secret is the only copy (only its hash is stored)."""
        token = new_token()
        api_token = ApiToken.create(name=name, scopes=scopes, token_hash=hash_token(token),
                                    occurred_at=occurred_at, actor=actor)
        try:  # a name once used: free again only once its token was revoked
            index = self._get(ApiTokenName, token_name_id(api_token.name))
            index.reclaim(token_id=api_token.id, occurred_at=occurred_at, actor=actor)
        except NotFoundError:
            index = ApiTokenName(id=token_name_id(api_token.name), name=api_token.name, token_id=api_token.id,
                                 occurred_at=occurred_at, actor=actor)
        logged = self._token_log.trigger_event(token_id=api_token.id)
        # The index is saved first so a duplicate name is reported as such.
        receipt = self._save(index, api_token, logged)
        return IssuedToken(Receipt(api_token.id, api_token.version, receipt.position), token)

    def revoke_api_token(self, token_id: UUID, *, reason: str = "", occurred_at: datetime, actor: str) -> Receipt:
        """Revoke the token and release its name (a replacement may take it)."""
        token = self._get(ApiToken, token_id)
        token.revoke(reason=reason, occurred_at=occurred_at, actor=actor)
        names: list[ApiTokenName] = []
        try:
            index = self._get(ApiTokenName, token_name_id(token.name))
            if index.token_id == token.id:
                index.release(occurred_at=occurred_at, actor=actor)
                names.append(index)
        except NotFoundError:  # a token from before names were indexed
            pass
        return self._save(token, *names)

    def authenticate_api_token(self, token: str) -> ApiToken | None:
        """The active token with this secret, or None (unknown or revoked): one small read."""
        try:
            found = self._get(ApiToken, token_id_for(hash_token(token)))
        except NotFoundError:
            return None
        return found if found.active else None

    def get_api_token(self, token_id: UUID) -> ApiToken:
        return self._get(ApiToken, token_id)

    def find_api_token(self, name_or_id: str) -> ApiToken:
        """A token by its name (case-insensitive) or id."""
        try:
            return self._get(ApiToken, UUID(name_or_id))
        except ValueError:
            pass
        try:
            index = self._get(ApiTokenName, token_name_id(clean_name(name_or_id)))
        except NotFoundError:
            raise NotFoundError(ApiToken.kind, name_or_id) from None
        return self._get(ApiToken, index.token_id)

    def list_api_tokens(self) -> list[ApiToken]:
        """Every token ever issued, oldest first (revoked ones included)."""
        return [self._get(ApiToken, logged.token_id) for logged in self._token_log.get()]
