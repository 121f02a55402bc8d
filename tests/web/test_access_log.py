"""The web process's access log: one line per request, when its answer is done, with method,
path, status, bytes and time; never the query string nor the secret of a link that works
without a login."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from werkzeug.test import Client

from web.access_log import AccessLog


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    status = "404 NOT FOUND" if environ["PATH_INFO"] == "/missing" else "200 OK"
    start_response(status, [("Content-Type", "text/plain")])
    return [b"hello ", b"world"]


@pytest.mark.parametrize("path, query, shown, status", [
    ("/api/v1/customers", "email=ada@example.com", "GET /api/v1/customers 200 11 ", "200"),
    ("/unsubscribe/u-4f1c9a.Xy3", "", "GET /unsubscribe/*** 200 11 ", "200"),
    ("/callback/cancel/c-4f1c-1772443800.AbC", "", "GET /callback/cancel/*** 200 11 ", "200"),
    ("/survey/s-4f1c-1.Q", "", "GET /survey/*** 200 11 ", "200"),
    ("/missing", "", "GET /missing 404 11 ", "404"),
])
def test_each_request_is_one_line_without_query_or_link_secrets(caplog: pytest.LogCaptureFixture, path: str,
                                                                 query: str, shown: str, status: str) -> None:
    with caplog.at_level(logging.INFO, logger="touchline.http"):
        answer = Client(AccessLog(app)).get(path, query_string=query, environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert answer.get_data() == b"hello world" and answer.status_code == int(status)  # logged once sent
    [line] = [r.getMessage() for r in caplog.records if r.name == "touchline.http"]
    assert line.startswith(shown) and line.endswith("ms 192.0.2.7")
    assert "ada@example.com" not in line and ".Xy3" not in line and "AbC" not in line
