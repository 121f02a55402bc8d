"""Bearer tokens, scopes and the rate limit, checked before any argument is parsed.

Every API view method is marked with the scope it needs (``@requires("read:cases")``),
which also documents the security requirement and the 401/403/429 answers. ``guard``
runs before each request under ``/api/v1``: it finds the token (401), spends one request
of its rate limit (429), checks the scope (403) and puts the caller in ``g.caller``.
A view without a mark is refused (fail closed). Revocation is seen at once: a token checked
before is kept in memory with its version, and each request asks its event stream only
whether anything came after that version (one indexed read that finds nothing while the
token is unchanged); a revocation, saved there by any process, is seen by the next request.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_smorest import Blueprint

from domain.tokens.model import TOKEN_PREFIX, ApiToken, grants, hash_token
from projections.api_state import create_api_tables, lease_requests, record_token_use
from projections.streams import has_events_after
from web.api.errors import ApiError
from web.api.ratelimit import RateLimiter
from web.services import services

F = TypeVar("F", bound=Callable[..., Any])
API_PREFIX = "/api/v1/"
PUBLIC = "public"
SCHEME = "bearerAuth"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="touchline"'}


@dataclass(frozen=True)
class Caller:
    token_id: str
    name: str
    scopes: tuple[str, ...]

    @property
    def actor(self) -> str:
        return f"api:{self.name}"


def requires(scope: str) -> Callable[[F], F]:
    """Mark a view method with the scope it needs, and document it."""
    def decorate(func: F) -> F:
        documented = Blueprint.doc(security=[{SCHEME: [scope]}],
                                   responses={401: "Unauthorized", 403: "Forbidden", 429: "TooManyRequests",
                                              "default": "DEFAULT_ERROR"})(func)
        documented._required_scope = scope  # type: ignore[attr-defined]
        return documented  # type: ignore[no-any-return]
    return decorate


def public(func: F) -> F:
    func._required_scope = PUBLIC  # type: ignore[attr-defined]
    return func


def _required_scope() -> str | None:
    view = current_app.view_functions.get(request.endpoint or "")
    target = getattr(view, "view_class", None)
    method = getattr(target, request.method.lower(), None) if target else view
    if method is None and request.method == "HEAD":
        method = getattr(target, "get", None)
    return getattr(method, "_required_scope", None)


class TokenCache:
    """Active tokens checked before, by hash of the secret, each with its caller. Decoding a
    token's stream costs more than asking it whether it has anything newer; unknown and
    revoked tokens are never kept."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[ApiToken, Caller]] = {}

    def authenticate(self, secret: str) -> Caller | None:
        app, digest = services().app, hash_token(secret)
        known = self._tokens.get(digest)
        if known is not None and not has_events_after(app.recorder, known[0].id, known[0].version):
            return known[1]
        token = app.authenticate_api_token(secret)
        if token is None:
            self._tokens.pop(digest, None)
            return None
        caller = Caller(str(token.id), token.name, tuple(token.scopes))
        self._tokens[digest] = (token, caller)
        return caller


class ApiRuntime:
    """Per-process state of the API: the rate limiter (over the shared buckets), the token cache
    and the throttle of last-use writes."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.limiter = RateLimiter(float(config["API_RATE_LIMIT"]), int(config["API_RATE_BURST"]),
                                   self.shared_bucket)
        self.tokens = TokenCache()
        # A long poll holds a web thread while it waits: a few at most, so others are served.
        self.long_polls = threading.BoundedSemaphore(max(0, int(config["API_LONG_POLLS"])))
        self.use_interval = float(config["API_TOKEN_USE_INTERVAL"])
        self._recorded: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_purge = 0.0
        self._scopes: dict[tuple[str | None, str], str | None] = {}  # (endpoint, method) -> scope

    def required_scope(self) -> str | None:
        """The scope the requested operation needs (None: unmarked), looked up once per operation."""
        key = (request.endpoint, request.method)
        try:
            return self._scopes[key]
        except KeyError:
            scope = self._scopes[key] = _required_scope()
            return scope

    def ensure_tables(self) -> None:
        services().ensure_tables(create_api_tables)

    def shared_bucket(self, token_id: str, now: float, interval: float, burst: int, wanted: int) -> tuple[int, float]:
        """The token's rate-limit bucket in the read-model database, shared by every process."""
        self.ensure_tables()
        with services().views_writer.begin() as conn:
            return lease_requests(conn, token_id, now=now, interval=interval, burst=burst, wanted=wanted)

    def purge_due(self) -> bool:
        """True at most once an hour: time to drop old idempotency records."""
        now = time.monotonic()
        with self._lock:
            if now < self._next_purge:
                return False
            self._next_purge = now + 3600
            return True

    def note_use(self, token_id: str) -> None:
        """Record the token's last use, at most once per ``use_interval`` seconds per process."""
        now = time.monotonic()
        with self._lock:
            if now - self._recorded.get(token_id, -math.inf) < self.use_interval:
                return
            self._recorded[token_id] = now
        self.ensure_tables()
        with services().views_writer.begin() as conn:
            record_token_use(conn, token_id, services().clock.now())


def runtime() -> ApiRuntime:
    found: ApiRuntime = current_app.extensions["touchline_api"]
    return found


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(401, "send an API token: Authorization: Bearer tl_...", headers=CHALLENGE)
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise ApiError(401, "the Authorization header must be 'Bearer tl_...'", code="invalid_token",
                       headers=CHALLENGE)
    return token


def guard() -> None:
    """Authenticate and authorise a request to the API (``before_request``)."""
    if not request.path.startswith(API_PREFIX) or request.endpoint is None:
        return
    api = runtime()
    scope = api.required_scope()
    if scope == PUBLIC or request.blueprint == "api-docs":
        return
    if scope is None:  # a view nobody marked: refuse rather than expose it
        raise ApiError(403, "this operation is not available to API tokens")
    caller = api.tokens.authenticate(_bearer_token())
    if caller is None:
        raise ApiError(401, "the API token is unknown or revoked", code="invalid_token", headers=CHALLENGE)
    wait = api.limiter.take(caller.token_id)
    if wait > 0:
        raise ApiError(429, f"too many requests for token {caller.name}; retry in {math.ceil(wait)} s",
                       headers={"Retry-After": str(max(1, math.ceil(wait)))})
    if not grants(caller.scopes, scope):
        raise ApiError(403, f"token {caller.name} lacks the scope {scope}", code="missing_scope",
                       errors={"scope": [f"needs {scope} or {scope.partition(':')[0]}"]})
    g.caller = caller
    api.note_use(caller.token_id)


def caller() -> Caller:
    found: Caller = g.caller
    return found
