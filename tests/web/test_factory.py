"""The app factory: configuration, the services it wires, and the health endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import Flask

from projections.storage import StorageURLError
from web import create_app


@pytest.fixture
def flask_app(database_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    yield app
    app.extensions["touchline"].close()


def test_environment_variables_configure_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    monkeypatch.setenv("TOUCHLINE_PORT", "8123")
    app = create_app()
    app.extensions["touchline"].close()
    assert app.config["PORT"] == 8123  # checked and converted: environment values arrive as text
    assert (tmp_path / "from-env.db").is_file()


def test_explicit_config_beats_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'explicit.db'}"})
    app.extensions["touchline"].close()
    assert (tmp_path / "explicit.db").is_file()
    assert not (tmp_path / "from-env.db").exists()


def test_health_reports_the_log_position_and_how_far_the_projections_got(flask_app: Flask) -> None:
    client = flask_app.test_client()
    assert client.get("/health").get_json() == {"status": "ok", "position": 0, "projections": None, "lag": None}

    flask_app.extensions["touchline"].app.register_customer(
        name="Ada Lovelace", occurred_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc), actor="user:admin"
    )
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "position": 1, "projections": None, "lag": None}
    runner = flask_app.extensions["touchline"].projection_runner()
    assert (client.get("/health").get_json()["projections"], client.get("/health").get_json()["lag"]) == (0, 1)
    runner.catch_up()
    assert client.get("/health").get_json() == {"status": "ok", "position": 1, "projections": 1, "lag": 0}


def test_bad_database_url_stops_the_factory_with_the_reason() -> None:
    with pytest.raises(StorageURLError, match="unsupported database URL 'mysql://root@localhost/crm'"):
        create_app({"DATABASE_URL": "mysql://root@localhost/crm"})


def test_an_app_that_served_requests_is_freed_once_dropped(tmp_path: Path) -> None:
    """Nothing module-wide keeps an app alive (a process making many, the tests, would keep
    every one, with its engines and caches, and spend seconds per collection walking them)."""
    import gc
    import weakref

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'freed.db'}", "TESTING": True})
    client = app.test_client()
    assert client.get("/health").status_code == 200
    assert client.get("/admin/account/login").status_code == 200  # the panel's hooks (CSRF) run too
    assert client.get("/api/v1/customers").status_code == 401
    app.extensions["touchline"].close()
    dropped = weakref.ref(app)
    del app, client
    gc.collect()
    assert dropped() is None
