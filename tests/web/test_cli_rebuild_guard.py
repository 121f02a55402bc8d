"""``projections rebuild --as-of T --into URL`` (and ``verify --scratch URL``) never write into the
live databases, however the URL spells them: the read models' database and the event store are
refused by their real path (SQLite: relative, absolute, ``./``, ``..``, a symlink) or by host, port
and database (PostgreSQL), with a one-line message, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from domain.clock import FixedClock
from projections.audit_rebuild import same_database
from web import create_app
from web.cli import cli

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AS_OF = "2026-03-03T00:00:00+00:00"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The service as deployed: ``sqlite:///var/touchline.db``, relative to its working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "var")
    app = create_app({"DATABASE_URL": "sqlite:///var/touchline.db", "CLOCK": FixedClock(NOW), "TESTING": True})
    services = app.extensions["touchline"]
    customer = services.app.register_customer(name="Ann", occurred_at=NOW, actor="user:a").id
    services.app.open_deal(customer_id=customer, product_id=None, title="Printer", value=100, owner="user:a",
                           occurred_at=NOW, actor="user:a")
    services.projection_runner().catch_up()
    yield app
    services.close()


def contents(path: Path) -> dict[str, int]:
    """Each table of a SQLite file with its number of rows."""
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}
    finally:
        engine.dispose()


def rebuild_into(app: Flask, url: str) -> Result:
    return app.test_cli_runner().invoke(cli, ["projections", "rebuild", "--as-of", AS_OF, "--into", url])


@pytest.mark.parametrize("spelling", [
    "sqlite:///var/touchline-views.db",
    "sqlite:///./var/touchline-views.db",
    "sqlite:///var/../var/touchline-views.db",
    "sqlite:///link/touchline-views.db",
    "sqlite:///{root}/var/touchline-views.db",
    "sqlite:///{root}/./var//touchline-views.db",
])
def test_the_live_read_model_database_is_refused_however_it_is_spelled(live: Flask, tmp_path: Path,
                                                                      spelling: str) -> None:
    views = tmp_path / "var" / "touchline-views.db"
    before = contents(views)
    assert before["deals"] == 1
    result = rebuild_into(live, spelling.format(root=tmp_path))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: --into names the live read-model database; give another one"]
    assert contents(views) == before


@pytest.mark.parametrize("spelling", [
    "sqlite:///var/touchline.db",
    "sqlite:///./var/touchline.db",
    "sqlite:///link/touchline.db",
    "sqlite:///{root}/var/touchline.db",
])
def test_the_live_event_store_is_refused_however_it_is_spelled(live: Flask, tmp_path: Path, spelling: str) -> None:
    events = tmp_path / "var" / "touchline.db"
    before = contents(events)
    result = rebuild_into(live, spelling.format(root=tmp_path))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: --into names the live event store; give another database"]
    assert contents(events) == before
    assert "deals" not in contents(events)


@pytest.mark.parametrize("spelling, message", [
    ("sqlite:///./var/touchline-views.db", "--scratch names the live read-model database; give another one"),
    ("sqlite:///{root}/link/touchline-views.db", "--scratch names the live read-model database; give another one"),
    ("sqlite:///{root}/var/touchline.db", "--scratch names the live event store; give another database"),
])
def test_verify_never_rebuilds_into_a_live_database(live: Flask, tmp_path: Path, spelling: str, message: str) -> None:
    views, events = tmp_path / "var" / "touchline-views.db", tmp_path / "var" / "touchline.db"
    before = contents(views), contents(events)
    result = live.test_cli_runner().invoke(cli, ["projections", "verify", "--scratch", spelling.format(root=tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert (contents(views), contents(events)) == before


def test_another_file_beside_the_live_ones_is_built(live: Flask, tmp_path: Path) -> None:
    result = rebuild_into(live, "sqlite:///./var/as-of.db")
    assert result.exit_code == 0, result.output
    assert contents(tmp_path / "var" / "as-of.db")["deals"] == 1


@pytest.mark.parametrize("other, same", [
    ("postgresql://postgres@127.0.0.1:5432/live", True),
    ("postgresql://postgres@127.0.0.1/live", True),  # the default port
    ("postgres://someone:secret@localhost:5432/live", True),  # another user, this machine's other name
    ("postgresql+psycopg://postgres@localhost/live?connect_timeout=3", True),
    ("postgresql://postgres@127.0.0.1:5432/archive", False),
    ("postgresql://postgres@127.0.0.1:5433/live", False),
    ("postgresql://postgres@db.example:5432/live", False),
    ("sqlite:///live", False),
])
def test_postgresql_urls_are_one_database_when_host_port_and_database_are(other: str, same: bool) -> None:
    assert same_database(other, "postgresql://postgres@127.0.0.1:5432/live") == same
