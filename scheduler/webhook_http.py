"""One webhook delivery on the wire: its JSON payload, its signed headers, the POST and what
came back (for the attempt log).

Redirects are not followed (a 3xx is a failure: the subscription names the URL to call), the
body read back is capped, and every failure (refused connection, timeout, non-2xx) comes back
as a ``Response`` with an error rather than an exception, so the caller logs every attempt.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.webhooks.model import refused_address
from domain.webhooks.signing import signature_header
from projections.audit import describe, plain

READ_LIMIT = 4096


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx


_opener = urllib.request.build_opener(_NoRedirects)


def delivery_id(subscription_id: UUID, position: int, replays: int) -> UUID:
    """The same for every attempt at one event (and after a crash); new for a replay."""
    return uuid5(NAMESPACE_URL, f"/webhook-deliveries/{subscription_id}/{position}/{replays}")


def payload(event: Any, position: int) -> dict[str, Any]:
    """What a receiver gets: the event as the event feed shows it (personal fields opened or erased),
    with an id of the event itself (the same in every delivery of it, replays included)."""
    event_id = uuid5(NAMESPACE_URL, f"/events/{event.originator_id}/{event.originator_version}")
    return plain({"id": event_id, **describe(event, position)})  # type: ignore[no-any-return]


def signed_headers(secrets: list[str], body: bytes, now: datetime, delivery: UUID, event_type: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": "Touchline-Webhooks/1",
            "Touchline-Signature": signature_header(secrets, int(now.timestamp()), body),
            "Touchline-Delivery": str(delivery), "Touchline-Event-Type": event_type}


@dataclass(frozen=True)
class Response:
    code: int | None  # None: no HTTP answer at all
    body: str
    duration_ms: int
    error: str | None  # None: delivered (2xx)

    @property
    def ok(self) -> bool:
        return self.error is None


def refused_destination(url: str, *, allow_private: bool) -> str | None:
    """Why ``url``'s host must not be called now, or None: each address its name resolves to is
    checked (``refused_address``), so a name that points into the server's own networks (or was
    re-pointed there since the subscription was made) is refused like the address itself. The
    connection resolves the name again: a resolver that answers differently within that moment
    is not caught (DNS rebinding); firewall egress for certainty."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        return None  # the request itself reports that the name does not resolve
    for address in sorted(found):
        reason = refused_address(address.split("%")[0], allow_private=allow_private)
        if reason:
            return f"refused: {host} resolves to {address}, {reason} (TOUCHLINE_WEBHOOK_ALLOW_PRIVATE)"
    return None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, *, allow_private: bool = False) -> Response:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    refused = refused_destination(url, allow_private=allow_private)
    if refused:
        return Response(None, "", took(), refused)
    try:
        with _opener.open(request, timeout=timeout) as answer:
            text = answer.read(READ_LIMIT).decode("utf-8", "replace")
            code = answer.status
    except urllib.error.HTTPError as exc:
        text = exc.read(READ_LIMIT).decode("utf-8", "replace") if exc.fp else ""
        return Response(exc.code, text, took(), f"HTTP {exc.code}")
    except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Response(None, "", took(), f"{type(reason).__name__}: {reason}")
    if not 200 <= code < 300:
        return Response(code, text, took(), f"HTTP {code}")
    return Response(code, text, took(), None)
