"""One log line per HTTP request of the web process (``touchline.http``): method, path, status,
bytes sent, milliseconds and the client's address, when the answer is done.

Never the query string (``?email=`` finds a customer by a personal field) nor the secret part of a
link that works without a login (``/unsubscribe/<token>``, ``/survey/<token>``,
``/callback/cancel/<token>``): a log is read by more people, and kept longer, than the database.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

log = logging.getLogger("touchline.http")
LINK_SECRETS = re.compile(r"^(/unsubscribe/|/survey/|/callback/cancel/)[^/]+")
StartResponse = Callable[..., Any]


def shown_path(path: str) -> str:
    return LINK_SECRETS.sub(r"\1***", path)


class AccessLog:
    """WSGI middleware around ``app``."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        started = time.monotonic()
        status = ["-"]

        def recorded(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info)

        sent = 0
        body = self.app(environ, recorded)
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            log.info("%s %s %s %d %.0fms %s", environ.get("REQUEST_METHOD", "-"),
                     shown_path(environ.get("PATH_INFO", "") or "/"), status[0], sent,
                     (time.monotonic() - started) * 1000, environ.get("REMOTE_ADDR", "-"))
