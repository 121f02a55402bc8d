"""The session cookie and its key: HttpOnly, SameSite=Lax, Secure outside tests and local
runs; a SECRET_KEY from TOUCHLINE_SECRET_KEY or generated once into the data directory.
CSRF guards every form but leaves the bearer-token API alone."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask

from tests.web.admin.conftest import PASSWORD, Panel, build_panel, email_of
from web import create_app


def login_cookie(panel: Panel) -> str:
    response = panel.login(panel.anonymous(), email_of("agent"), PASSWORD)
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("touchline_session="))


def app_at(tmp_path: Path, **config: object) -> Flask:
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'touchline.db'}", **config})


def test_the_session_cookie_is_http_only_and_same_site_lax(panel: Panel) -> None:
    cookie = login_cookie(panel)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # tests run on http


def test_the_cookie_is_secure_when_configured(tmp_path: Path, clock) -> None:  # type: ignore[no-untyped-def]
    panel = build_panel(f"sqlite:///{tmp_path / 'p.db'}", clock, SESSION_COOKIE_SECURE="1")
    try:
        assert "Secure" in login_cookie(panel)
    finally:
        panel.services.close()


@pytest.mark.parametrize("config, secure", [
    ({"HOST": "0.0.0.0"}, True),  # served to the network: Secure by default
    ({"HOST": "app.internal"}, True),
    ({"HOST": "127.0.0.1"}, False),  # the local quick start on http://127.0.0.1
    ({"HOST": "0.0.0.0", "SESSION_COOKIE_SECURE": "0"}, False),
    ({"HOST": "127.0.0.1", "SESSION_COOKIE_SECURE": "true"}, True),
    ({"HOST": "0.0.0.0", "TESTING": True}, False),
])
def test_secure_cookies_are_the_default_outside_tests_and_local_runs(tmp_path: Path, config: dict[str, object],
                                                                     secure: bool) -> None:
    app = app_at(tmp_path, **config)
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    app.extensions["touchline"].close()


def test_a_generated_key_is_kept_next_to_the_database_for_the_next_start(tmp_path: Path) -> None:
    first = app_at(tmp_path)
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip() and len(first.config["SECRET_KEY"]) == 64
    second = app_at(tmp_path)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    for app in (first, second):
        app.extensions["touchline"].close()


def test_the_key_from_the_environment_wins_and_nothing_is_written(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_SECRET_KEY", "k" * 40)
    app = app_at(tmp_path)
    assert app.config["SECRET_KEY"] == "k" * 40 and not (tmp_path / "data" / "secret_key").exists()
    app.extensions["touchline"].close()


def test_the_api_needs_no_csrf_token_but_its_bearer_token(panel: Panel) -> None:
    token = panel.services.app.issue_api_token(name="site", scopes=["write"], occurred_at=panel.clock.now(),
                                               actor="system:test").token
    client = panel.anonymous()
    created = client.post("/api/v1/customers", json={"name": "Ada"}, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201
    assert client.post("/api/v1/customers", json={"name": "Ada"}).status_code == 401
