"""Fixture ladder: storage (SQLite and PostgreSQL) -> Touchline application -> Flask app.

PostgreSQL tests run against ``TOUCHLINE_TEST_POSTGRES_URL`` (default: the local server,
user postgres, database test), each in a fresh database dropped afterwards. Without a
server they skip with a reason, unless ``TOUCHLINE_REQUIRE_SERVICES=1`` (CI), which
turns a missing service into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from domain.application import Touchline
from domain.clock import FixedClock
from projections.storage import storage_from_url

ADMIN_URL = os.environ.get("TOUCHLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("TOUCHLINE_REQUIRE_SERVICES") == "1"
MAVEN_DIR = Path(os.environ.get("TOUCHLINE_MAVEN_DIR", Path(__file__).resolve().parents[1] / "data" / "maven-crm"))


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)


def _postgres_or_skip() -> None:
    try:
        _admin_connection().close()
    except Exception as exc:  # any connection failure means "no server here"
        if REQUIRE_SERVICES:
            pytest.fail(f"PostgreSQL is required (TOUCHLINE_REQUIRE_SERVICES=1) but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL}: {exc}")


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped on exit."""
    _postgres_or_skip()
    name = f"touchline_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def new_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a fresh database of ``backend`` ("sqlite" files go in ``directory``)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'touchline.db'}"
    else:
        with new_postgres_database() as url:
            yield url


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test."""
    with new_postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL: every storage test runs once per backend."""
    with new_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database per backend shared by a module's tests (for expensive set-ups such
    as importing the whole Maven data set); tests using it must not depend on each other."""
    with new_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def stored_app(database_url: str) -> Iterator[Touchline]:
    """The Touchline application on a real, fresh event store."""
    app = Touchline(env=storage_from_url(database_url).event_store_env)
    yield app
    app.close()


@pytest.fixture
def new_instance(database_url: str) -> Iterator[Callable[[], Touchline]]:
    """Start another Application on the same database, as another process would."""
    started: list[Touchline] = []

    def start() -> Touchline:
        started.append(Touchline(env=storage_from_url(database_url).event_store_env))
        return started[-1]

    yield start
    for app in started:
        app.close()


@pytest.fixture
def memory_app() -> Touchline:
    """The Touchline application on the in-memory store (domain tests, no I/O)."""
    return Touchline()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def maven_dir() -> Path:
    if not MAVEN_DIR.is_dir():
        pytest.fail(f"the Maven CRM data set is missing at {MAVEN_DIR}")
    return MAVEN_DIR


@pytest.fixture
def cli_runner(database_url: str, clock: FixedClock) -> Iterator[FlaskCliRunner]:
    """A runner of the ``touchline`` commands on a fresh database of each backend."""
    from web import create_app  # here, not at the top: the domain's tests need no web app

    flask_app = create_app({"DATABASE_URL": database_url, "CLOCK": clock})
    yield flask_app.test_cli_runner()
    flask_app.extensions["touchline"].close()
