"""One webhook delivery on the wire: its JSON payload, its signed headers, the POST and what
came back (for the attempt log).

Redirects are not followed (a 3xx is a failure: the subscription names the URL to call), the
body read back is capped, and every failure (refused connection, timeout, non-2xx) comes back
as a ``Response`` with an error rather than an exception, so the caller logs every attempt.
The host's name is resolved once: its addresses are checked, and the connection goes to the
address checked (TLS still verifies the certificate against the name), so a resolver that
answers differently a moment later (DNS rebinding) cannot send the POST anywhere else.
"""

from __future__ import annotations

import http.client
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


def _pinned_opener(address: str | None) -> urllib.request.OpenerDirector:
    """An opener whose connections go to ``address`` (None: as the URL says, e.g. a literal address)."""
    if address is None:
        return urllib.request.build_opener(_NoRedirects)

    class PinnedHTTP(http.client.HTTPConnection):
        def connect(self) -> None:
            if self._tunnel_host:  # through a proxy: the proxy resolves and connects
                super().connect()
                return
            self.sock = socket.create_connection((address, self.port), self.timeout, self.source_address)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    class PinnedHTTPS(http.client.HTTPSConnection):
        def connect(self) -> None:
            if self._tunnel_host:
                super().connect()
                return
            sock = socket.create_connection((address, self.port), self.timeout, self.source_address)
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(PinnedHTTP, req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(PinnedHTTPS, req, context=self._context)  # type: ignore[attr-defined]

    return urllib.request.build_opener(_NoRedirects, HTTP, HTTPS)


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


def refused_destination(url: str, *, allow_private: bool) -> tuple[str | None, str | None]:
    """(why ``url``'s host must not be called now, or None; the address to connect to, or None to
    let the request resolve it: a name that does not resolve is reported by the request). Each
    address the name resolves to is checked (``refused_address``), so a name that points into the
    server's own networks (or was re-pointed there since the subscription was made) is refused like
    the address itself; the connection then goes to the first of the addresses checked."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None, None
    found = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in sorted(found):
        reason = refused_address(address.split("%")[0], allow_private=allow_private)
        if reason:
            return f"refused: {host} resolves to {address}, {reason} (TOUCHLINE_WEBHOOK_ALLOW_PRIVATE)", None
    return None, found[0] if found else None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, *, allow_private: bool = False) -> Response:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    refused, address = refused_destination(url, allow_private=allow_private)
    if refused:
        return Response(None, "", took(), refused)
    parts = urlsplit(url)
    if urllib.request.getproxies().get(parts.scheme) and not urllib.request.proxy_bypass(parts.hostname or ""):
        address = None  # the proxy connects, to the name: pinning would bypass it
    try:
        with _pinned_opener(address).open(request, timeout=timeout) as answer:
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
