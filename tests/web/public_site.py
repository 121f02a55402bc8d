"""What the public page tests share: the web app on a fresh database and a fixed clock, and a
visitor that fetches a form and sends it back (CSRF token and spam-guard stamp included)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.application import Touchline
from domain.clock import FixedClock
from tests.web.admin.conftest import form_token
from web import create_app
from web.services import Services

STAMP = re.compile(r'name="stamp"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="stamp"')
FILL_SECONDS = 3  # PUBLIC_FORM_MIN_SECONDS by default: a person takes at least this long
ADMIN = "system:test"


@dataclass
class Site:
    flask: Flask
    client: FlaskClient
    services: Services
    clock: FixedClock

    @property
    def app(self) -> Touchline:
        return self.services.app

    def events(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def catch_up(self) -> None:
        self.services.projection_runner().catch_up()

    def form(self, path: str) -> dict[str, str]:
        """The hidden fields of the form on ``path`` (a fresh visit)."""
        page = self.client.get(path)
        assert page.status_code == 200, page.get_data(as_text=True)
        fields = {"csrf_token": form_token(page)}
        if found := STAMP.search(page.get_data(as_text=True)):
            fields["stamp"] = next(g for g in found.groups() if g)
        return fields

    def send(self, path: str, data: dict[str, Any], *, hidden: dict[str, str] | None = None,
             seconds: float = FILL_SECONDS) -> TestResponse:
        """Visit ``path``, take ``seconds`` to fill in ``data``, send it (with ``hidden``: those of an earlier visit)."""
        fields = hidden or self.form(path)
        self.clock.advance(seconds=seconds)
        return self.client.post(path, data={**fields, **data})

    def customer(self, name: str, email: str) -> UUID:
        return self.app.register_customer(name=name, contact_points=[{"kind": "email", "value": email}],
                                          occurred_at=self.clock.now(), actor=ADMIN).id


def build_site(database_url: str, clock: FixedClock, **config: Any) -> Site:
    flask = create_app({"DATABASE_URL": database_url, "CLOCK": clock, "TESTING": True,
                        "SECRET_KEY": "public-pages-test-secret", **config})
    services: Services = flask.extensions["touchline"]
    site = Site(flask, flask.test_client(), services, clock)
    site.catch_up()  # creates the read models
    return site


@pytest.fixture(name="site")
def site_fixture(database_url: str, clock: FixedClock) -> Iterator[Site]:
    built = build_site(database_url, clock)
    yield built
    built.services.close()


def error_of(response: TestResponse, field: str) -> str:
    """The error shown next to ``field`` ("" when none)."""
    found = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else ""
