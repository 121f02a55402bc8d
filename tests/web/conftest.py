"""Fixtures for the REST API tests: the app on a fresh database, tokens, and a client that
sends them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from domain.clock import FixedClock
from web import create_app
from web.services import Services

ADMIN = "system:test"
_names = itertools.count(1)


class ApiClient:
    """The Flask test client with tokens: ``api.get(path)`` sends a read+write token."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()
        self.services: Services = app.extensions["touchline"]
        self.runner = self.services.projection_runner()
        self.full = self.token("read", "write")
        self._staff: dict[str, str] = {}

    def token(self, *scopes: str, name: str | None = None) -> str:
        issued = self.services.app.issue_api_token(name=name or f"token-{next(_names)}", scopes=list(scopes),
                                                   occurred_at=self.services.clock.now(), actor=ADMIN)
        return issued.token

    def request(self, method: str, path: str, *, token: str | None = None, headers: dict[str, str] | None = None,
                **kwargs: Any) -> TestResponse:
        sent = {"Authorization": f"Bearer {token or self.full}", **(headers or {})}
        return self.client.open(path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, json=body if body is not None else {}, **kwargs)

    def catch_up(self) -> None:
        self.runner.catch_up()

    def event_count(self) -> int:
        return self.services.app.recorder.max_notification_id() or 0

    def staff(self, name: str) -> str:
        """``user:<id>`` of an agent called ``name``, registered on first use: whom cases, deals
        and promises are given to."""
        if name not in self._staff:
            receipt = self.services.app.register_user(email=f"{name}@staff.example", name=name.title(), role="agent",
                                                      occurred_at=self.services.clock.now(), actor=ADMIN)
            self._staff[name] = f"user:{receipt.id}"
        return self._staff[name]

    def customer(self, name: str = "Ada Lovelace", **fields: Any) -> str:
        response = self.post("/api/v1/customers", {"name": name, **fields})
        assert response.status_code == 201, response.get_json()
        customer_id: str = response.get_json()["id"]
        return customer_id

    def case(self, customer_id: str, subject: str = "Printer jams", **fields: Any) -> dict[str, Any]:
        response = self.post("/api/v1/cases", {"customer_id": customer_id, "subject": subject, "channel": "email",
                                               **fields})
        assert response.status_code == 201, response.get_json()
        found: dict[str, Any] = response.get_json()
        return found


def build_api(database_url: str, clock: FixedClock, **config: Any) -> ApiClient:
    return ApiClient(create_app({"DATABASE_URL": database_url, "CLOCK": clock, "TESTING": True, **config}))


@pytest.fixture
def api(tmp_path: Path, clock: FixedClock) -> Iterator[ApiClient]:
    """The API on SQLite (most API behaviour does not depend on the database)."""
    client = build_api(f"sqlite:///{tmp_path / 'api.db'}", clock)
    yield client
    client.services.close()


@pytest.fixture
def stored_api(database_url: str, clock: FixedClock) -> Iterator[ApiClient]:
    """The API on SQLite and on PostgreSQL."""
    client = build_api(database_url, clock)
    yield client
    client.services.close()
