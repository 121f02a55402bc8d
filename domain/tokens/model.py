"""API tokens: integrators authenticate with a bearer token carrying scopes.

Only a hash of the token is stored. Tokens are 256 random bits, so a fast hash (SHA-256)
is enough: a password hash (argon2) protects low-entropy secrets against guessing, which
a random token does not need, and it would cost tens of milliseconds and memory on every
request. A deterministic hash also makes the lookup O(1): the aggregate's id is derived
from the hash, so authenticating reads one small stream, and a revocation saved there is
seen by the next request in every process (no lagging projection in between).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import AlreadyExistsError, DomainError, InvalidValueError
from domain.values import text

TOKEN_PREFIX = "tl_"
ACCESS = ("read", "write")
# Areas a scope can be narrowed to: ``read:funnel``, ``write:touchpoints``...
AREAS = ("customers", "touchpoints", "cases", "promises", "deals", "funnel", "events", "sla")
AREAS += ("audit",)  # history and state as of (issue 9)
AREAS += ("webhooks",)  # signed webhooks out (issue 10)
AREAS += ("users",)  # colleagues, read only: whom work is given to
# Areas the API only reads: a write scope on them would grant nothing (a token that looks
# more powerful than it is), so none is issued.
READ_ONLY_AREAS = ("funnel", "events", "audit", "users")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,79}$")


class TokenRevokedError(DomainError):
    """The token was revoked already."""


def new_token() -> str:
    """A fresh secret: ``tl_`` and 43 URL-safe characters (256 random bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id_for(token_hash: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/api-tokens/{token_hash}")


def token_name_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/api-token-names/{name.lower()}")


def clean_name(name: str) -> str:
    cleaned = text("name", name, max_length=80)
    if not _NAME.match(cleaned):
        raise InvalidValueError("name", f"{name!r}: use letters, digits and . _ @ - (up to 80 characters)")
    return cleaned


def clean_scopes(scopes: list[str]) -> list[str]:
    """Validate scopes (``read``, ``write``, ``read:<area>``, ``write:<area>``); sorted, no repeats."""
    cleaned: set[str] = set()
    for raw in scopes:
        scope = str(raw).strip().lower()
        access, _, area = scope.partition(":")
        if access not in ACCESS or (area and area not in AREAS) or scope.endswith(":"):
            raise InvalidValueError("scopes", f"unknown scope {raw!r}; use read, write, or read:<area> / "
                                              f"write:<area> with an area in {', '.join(AREAS)}")
        if access == "write" and area in READ_ONLY_AREAS:
            raise InvalidValueError("scopes", f"{scope} would grant nothing: the API only reads {area} "
                                              f"(read-only areas: {', '.join(READ_ONLY_AREAS)})")
        cleaned.add(scope)
    if not cleaned:
        raise InvalidValueError("scopes", "at least one scope is required")
    return sorted(cleaned)


def grants(scopes: Sequence[str], needed: str) -> bool:
    """Whether ``scopes`` allow ``needed`` (``read:cases``): ``read`` grants every read."""
    access = needed.partition(":")[0]
    return needed in scopes or access in scopes


class ApiToken(Entity):
    kind = "API token"

    @classmethod
    def create(cls, *, name: str, scopes: list[str], token_hash: str, occurred_at: datetime, actor: str) -> ApiToken:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        if not re.fullmatch(r"[0-9a-f]{64}", token_hash):
            raise InvalidValueError("token_hash", "must be a SHA-256 hex digest")
        return cls(id=token_id_for(token_hash), name=clean_name(name), scopes=clean_scopes(scopes),
                   token_hash=token_hash, occurred_at=occurred_at, actor=actor)

    @event("Created")
    def __init__(self, *, id: UUID, name: str, scopes: list[str], token_hash: str, occurred_at: datetime,
                 actor: str) -> None:
        self.name = name
        self.scopes = scopes
        self.token_hash = token_hash
        self.created_by = actor
        self.created_at = occurred_at
        self.revoked_at: datetime | None = None
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        if self.revoked_at is not None:
            raise TokenRevokedError(f"token {self.name} was revoked already")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._revoked(reason=text("reason", reason, required=False, max_length=500),
                      occurred_at=occurred_at, actor=actor)

    @event("Revoked")
    def _revoked(self, reason: str, occurred_at: datetime, actor: str) -> None:
        self.revoked_at = occurred_at
        self.last_occurred_at = occurred_at


class ApiTokenName(Entity):
    """Index from a token's name (unique, case-insensitive among tokens in use) to the token;
    saved with it. Revoking the token releases the name, so a replacement can take it."""

    kind = "API token name"

    @event("Claimed")
    def __init__(self, *, id: UUID, name: str, token_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.name = name
        self.token_id = token_id
        self.released = False
        self.last_occurred_at = occurred_at

    def release(self, *, occurred_at: datetime, actor: str) -> None:
        if not self.released:
            self._released(token_id=self.token_id, occurred_at=occurred_at, actor=actor)

    @event("Released")
    def _released(self, token_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.released = True
        self.last_occurred_at = occurred_at

    def reclaim(self, *, token_id: UUID, occurred_at: datetime, actor: str) -> None:
        """A new token takes a released name (saving both at this version: one wins a race)."""
        if not self.released:  # as when two new tokens race for a new name
            raise AlreadyExistsError(self.kind, self.name)
        self._reclaimed(token_id=token_id, occurred_at=occurred_at, actor=actor)

    @event("Reclaimed")
    def _reclaimed(self, token_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.token_id = token_id
        self.released = False
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.name
