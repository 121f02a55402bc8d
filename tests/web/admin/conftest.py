"""The panel under test: the app on a fresh database, a user of each role, and Flask test
clients logged in as them through the real login form, with CSRF on (as in production).

    def test_x(panel):
        agent = panel.client("agent")            # logged in as agent@example.com
        page = agent.get("/admin/cases/")
        response = panel.post(agent, "/admin/cases/new/", {"subject": "..."})   # adds the CSRF token
        panel.catch_up()                         # run the projections
    live_panel / stored_live_panel: the projections follow the log in a thread during the test.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.clock import FixedClock
from domain.users.model import ROLES, user_id_for
from web import create_app
from web.admin.passwords import hash_password
from web.services import Services

PASSWORD = "panel-test-password-1"
NAMES = {"admin": "Ada Admin", "agent": "Andy Agent", "auditor": "Aude Auditor"}
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"|'
                   r'name="csrf_token" value="([^"]+)"')


def email_of(role: str) -> str:
    return f"{role}@example.com"


def form_token(response: TestResponse) -> str:
    """The CSRF token in a page's form."""
    found = TOKEN.search(response.get_data(as_text=True))
    assert found, f"no csrf_token in the page {response.request.path} ({response.status_code})"
    return next(g for g in found.groups() if g)


class Panel:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.services: Services = app.extensions["touchline"]
        self.clock: FixedClock = self.services.clock  # type: ignore[assignment]
        self.runner = self.services.projection_runner()
        self.password = PASSWORD
        for role in ROLES:
            self.services.app.register_user(
                email=email_of(role), name=NAMES[role], role=role, password_hash=hash_password(PASSWORD, testing=True),
                occurred_at=self.clock.now(), actor="system:test")
        self.catch_up()

    def user_id(self, role: str) -> UUID:
        return user_id_for(email_of(role))

    def anonymous(self) -> FlaskClient:
        return self.app.test_client()

    def login(self, client: FlaskClient, email: str, password: str) -> TestResponse:
        token = form_token(client.get("/admin/account/login"))
        return client.post("/admin/account/login", data={"email": email, "password": password, "csrf_token": token})

    def client(self, role: str) -> FlaskClient:
        """A client logged in as ``<role>@example.com``."""
        client = self.anonymous()
        response = self.login(client, email_of(role), PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def csrf(self, client: FlaskClient, url: str = "/admin/account/login") -> str:
        """A CSRF token valid for ``client``'s session (any of its forms will take it)."""
        return form_token(client.get(url))

    def post(self, client: FlaskClient, url: str, data: dict[str, Any] | None = None, *,
             token_from: str | None = None, **kwargs: Any) -> TestResponse:
        """POST ``data`` to ``url`` with the CSRF token of the form at ``token_from`` (default: ``url``)."""
        token = self.csrf(client, token_from or url)
        return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)

    def catch_up(self) -> None:
        self.runner.catch_up()

    def event_count(self) -> int:
        return self.services.app.recorder.max_notification_id() or 0


def build_panel(database_url: str, clock: FixedClock, **config: Any) -> Panel:
    return Panel(create_app({"DATABASE_URL": database_url, "CLOCK": clock, "TESTING": True, **config}))


@pytest.fixture
def panel(tmp_path: Path, clock: FixedClock) -> Iterator[Panel]:
    """The panel on SQLite."""
    built = build_panel(f"sqlite:///{tmp_path / 'panel.db'}", clock)
    yield built
    built.services.close()


@pytest.fixture
def stored_panel(database_url: str, clock: FixedClock) -> Iterator[Panel]:
    """The panel on SQLite and on PostgreSQL."""
    built = build_panel(database_url, clock)
    yield built
    built.services.close()


@contextmanager
def projecting(panel: Panel) -> Iterator[Panel]:
    """The projections follow the log while the block runs (as ``touchline serve`` does), so a
    command's page really waits for its position instead of timing out."""
    stop = threading.Event()
    runner = panel.services.projection_runner()
    thread = threading.Thread(target=runner.run_forever, kwargs={"poll_interval": 0.01, "stop": stop}, daemon=True)
    thread.start()
    try:
        yield panel
    finally:
        stop.set()
        thread.join()
        runner.close()


@pytest.fixture
def live_panel(panel: Panel) -> Iterator[Panel]:
    """``panel`` with the projections running in a thread."""
    with projecting(panel):
        yield panel


@pytest.fixture
def stored_live_panel(stored_panel: Panel) -> Iterator[Panel]:
    """``stored_panel`` with the projections running in a thread."""
    with projecting(stored_panel):
        yield stored_panel


Desk = tuple[Panel, FlaskClient]


def at_desk(panel: Panel) -> Iterator[Desk]:
    """An agent logged in, then the projections following the log (so pages wait for real)."""
    agent = panel.client("agent")
    with projecting(panel):
        yield panel, agent


@pytest.fixture
def desk(panel: Panel) -> Iterator[Desk]:
    yield from at_desk(panel)


@pytest.fixture
def stored_desk(stored_panel: Panel) -> Iterator[Desk]:
    yield from at_desk(stored_panel)
