"""What write endpoints share: If-Match, Idempotency-Key, and turning a command's receipt
or error into an answer.

Idempotency: the first request with a key claims it (a row in the read-model database,
unique per token and key) before the command runs; its answer is stored when it
succeeds, and every retry with the same key and the same request gets that answer back
(``Idempotent-Replayed: true``). The same key with a different request is a 422; a retry
while the first is still running is a 409. A failed command releases the key (it wrote
nothing, so running it again is safe). New records get an id derived from the key, so
even a lost answer can never turn a retry into a second record.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from flask import request

from domain.errors import ConflictError, DomainError
from domain.service import Receipt
from projections.api_state import (
    claim_idempotency_key, complete_idempotency_key, purge_idempotency_keys, release_idempotency_key,
)
from web.api.auth import caller, runtime
from web.api.errors import ApiError, domain_error, field_error
from web.services import services

Answer = tuple[dict[str, Any], int, dict[str, str]]
KEY_HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
KEEP_KEYS = timedelta(hours=24)
CONFLICT_ATTEMPTS = 5  # runs of a write without If-Match that keeps losing races, before a 409
IDEMPOTENCY_DOC = {"name": KEY_HEADER, "in": "header", "required": False, "schema": {"type": "string"},
                   "description": "Makes the write safe to retry: a retry with the same key and the same request "
                                  "returns the first answer; the same key with another request is refused (422). "
                                  "1-255 printable ASCII characters, e.g. a UUID; kept 24 hours."}
IF_MATCH_DOC = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                "description": "The record's version you acted on (a write's `version` or `ETag`, or the `version` "
                               "field of a read), e.g. \"3\": if the record changed since, the answer is 412, as "
                               "for a weak tag (W/...); `*` acts on any version. A read's own ETag is a hash of "
                               "its answer, for If-None-Match, not for this."}


def now() -> datetime:
    return services().clock.now()


def when(body: Mapping[str, Any]) -> datetime:
    """Business time of the command: ``occurred_at`` from the body, else now."""
    value: datetime = body.get("occurred_at") or now()
    return value


def expected_version() -> int | None:
    """The version in ``If-Match`` (``3`` or ``"3"``), if any. ``*`` asks for none (any version of
    a record that exists, RFC 9110). If-Match compares strongly, so a weak tag never matches: 412."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    if header.strip().startswith("W/"):
        raise field_error(412, "If-Match", 'a weak tag (W/...) never matches: send the version, e.g. "3"')
    value = header.strip().strip('"')
    if not value.isdigit() or len(value) > 18:
        raise field_error(400, "If-Match", 'must be the version you read, e.g. "3"')
    return int(value)


def idempotency_key() -> str | None:
    key = request.headers.get(KEY_HEADER)
    if key is not None and not _KEY.match(key):
        raise field_error(400, KEY_HEADER, "must be 1-255 printable ASCII characters without spaces")
    return key


def new_id() -> UUID | None:
    """The id of a record a create makes: derived from the Idempotency-Key when there is one."""
    key = idempotency_key()
    return uuid5(NAMESPACE_URL, f"/api/{caller().token_id}/{key}") if key else None


def new_ids(count: int) -> list[UUID | None]:
    """The ids of the records a batch creates, in order: when there is an Idempotency-Key, each
    derived from its place within the id ``new_id`` would give (keys may hold "/": "k/1" is another
    request's key, never an item of "k")."""
    batch = new_id()
    return [uuid5(batch, str(index)) if batch else None for index in range(count)]


def _fingerprint() -> str:
    body = request.get_json(silent=True)
    content = json.dumps(body, sort_keys=True) if body is not None else request.get_data(as_text=True)
    seen = f"{request.method} {request.path}?{request.query_string.decode()} {request.headers.get('If-Match')} {content}"
    return hashlib.sha256(seen.encode("utf-8", "surrogatepass")).hexdigest()


def _commanded(command: Callable[[], Any], path_ids: Mapping[str, UUID], items: str = "") -> Any:
    """Run ``command``. A write that asked for no version (no If-Match) and lost a race with
    another change is run again on the record as it now stands: two notes added at once both
    land, as two clients would do it by hand; with If-Match the caller decides (409)."""
    attempts = CONFLICT_ATTEMPTS if expected_version() is None else 1
    for attempt in range(1, attempts + 1):
        try:
            return command()
        except ConflictError as exc:  # nothing was written: the command loads the record afresh
            if attempt == attempts:
                raise domain_error(exc, path_ids=path_ids, items=items) from None
        except DomainError as exc:
            raise domain_error(exc, path_ids=path_ids, items=items) from None
    raise AssertionError("unreachable")


def _receipt(receipt: Receipt) -> dict[str, Any]:
    return {"id": str(receipt.id), "version": receipt.version, "position": receipt.position}


def execute(command: Callable[[], Receipt], *, status: int = 200, path_ids: Mapping[str, UUID] | None = None,
            extra: Callable[[Receipt], dict[str, Any]] | None = None, shown_once: tuple[str, ...] = ()) -> Answer:
    """Run a command once per Idempotency-Key and answer with its receipt. Fields in ``shown_once``
    (a secret) are in the first answer only: a replay answers without them."""

    def run() -> Answer:
        receipt: Receipt = _commanded(command, path_ids or {})
        body = _receipt(receipt)
        if extra:
            body.update(extra(receipt))
        headers = {"ETag": f'"{receipt.version}"'}
        if status == 201:
            headers["Location"] = f"{request.path.rstrip('/')}/{receipt.id}"
        return body, status, headers

    return _once(run, shown_once)


def execute_batch(command: Callable[[], list[Receipt]], *, items: str) -> Answer:
    """Run a command that creates several records (all or none) once per Idempotency-Key:
    201 with each record's receipt, in the order of the body's list ``items``, and the
    position to wait for to read them all."""

    def run() -> Answer:
        receipts: list[Receipt] = _commanded(command, {}, items)
        positions = [r.position for r in receipts if r.position is not None]
        return {"items": [_receipt(r) for r in receipts], "position": max(positions, default=None)}, 201, {}

    return _once(run, ())


def _once(run: Callable[[], Answer], shown_once: tuple[str, ...]) -> Answer:
    """``run`` once per Idempotency-Key (when the request has one); a retry gets its answer."""
    key = idempotency_key()
    if key is None:
        return run()
    token, fingerprint, engine = caller().token_id, _fingerprint(), services().views_writer
    runtime().ensure_tables()
    with engine.begin() as conn:
        earlier = claim_idempotency_key(conn, token, key, fingerprint, now())
        if earlier is None and runtime().purge_due():
            purge_idempotency_keys(conn, now() - KEEP_KEYS)
    if earlier is not None:
        if earlier["status"] is None:
            raise ApiError(409, "a request with this Idempotency-Key is still running (if it was interrupted, "
                                "check the record and retry with a new key)",
                           code="idempotency_in_progress", headers={"Retry-After": "1"})
        if earlier["fingerprint"] != fingerprint:
            raise field_error(422, KEY_HEADER, "was used for a different request; use a new key",
                              code="idempotency_key_reused")
        stored = earlier["response"]
        return stored["body"], earlier["status"], {**stored["headers"], "Idempotent-Replayed": "true"}
    try:
        body, code, headers = run()
    except BaseException:
        with engine.begin() as conn:
            release_idempotency_key(conn, token, key)
        raise
    kept = {name: value for name, value in body.items() if name not in shown_once}
    with engine.begin() as conn:
        complete_idempotency_key(conn, token, key, code, {"body": kept, "headers": headers})
    return body, code, headers
