"""One setting, ``TOUCHLINE_DATABASE_URL``, decides where events and read models live.

- ``sqlite:///path/touchline.db`` (the default): events in that file, read models in the
  sibling ``touchline-views.db``, so projection writes never queue behind event writes.
- ``postgresql://user:password@host:port/dbname``: one database, event and read-model
  tables side by side, through psycopg 3 (``postgresql+psycopg`` for SQLAlchemy).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

DEFAULT_URL = "sqlite:///var/touchline.db"


class StorageURLError(ValueError):
    """The database URL cannot be used; the message says why."""


@dataclass(frozen=True)
class Storage:
    url: str
    kind: str  # "sqlite" or "postgresql"
    event_store_env: dict[str, str]
    views_url: str
    files: tuple[Path, ...] = ()  # the database files on this machine (SQLite's)

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlite"


def storage_from_url(url: str) -> Storage:
    """Parse ``url`` into the event store's environment and the read models' SQLAlchemy URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        return _sqlite(url, parts.path)
    if scheme in ("postgresql", "postgres"):
        return _postgres(url, parts)
    raise StorageURLError(
        f"unsupported database URL {url!r}: use sqlite:///path/file.db or postgresql://user@host/db"
    )


def _sqlite(url: str, raw_path: str) -> Storage:
    # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy reads them.
    path = raw_path.removeprefix("/")
    if not path or path == ":memory:":
        raise StorageURLError("SQLite needs a file path (sqlite:///path/touchline.db); in-memory is for tests")
    events = Path(path)
    views = events.with_name(f"{events.stem}-views{events.suffix or '.db'}")
    env = {
        # The library's SQLite factory with a mapper that seals personal fields with a key per
        # customer, kept in the same database (projections/crypto.py, projections/keys_sqlite.py).
        "PERSISTENCE_MODULE": "projections.keys_sqlite:SealedSQLiteFactory",
        "SQLITE_DBNAME": str(events),
        "SQLITE_LOCK_TIMEOUT": "10",
        # Concurrent saves share one transaction (see projections/group_commit.py).
        # ...and each event is chained by hash in that transaction (projections/chain_sqlite.py),
        # with new data keys and erasures in that same transaction (projections/keys_sqlite.py).
        "APPLICATION_RECORDER_TOPIC": "projections.keys_sqlite:SealedSQLiteRecorder",
    }
    return Storage(url=url, kind="sqlite", event_store_env=env, views_url=f"sqlite:///{views}", files=(events, views))


def _postgres(url: str, parts: SplitResult) -> Storage:
    dbname = parts.path.lstrip("/")
    if not dbname:
        raise StorageURLError("a PostgreSQL URL must name the database: postgresql://user@host:5432/dbname")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    env = {
        "PERSISTENCE_MODULE": "projections.keys_pg:SealedPostgresFactory",  # personal fields sealed
        # One round trip per save instead of the library's five (see projections/pg_recorder.py),
        # and concurrent saves in one transaction (projections/group_commit.py).
        # Each event is chained by hash inside that function (projections/chain_pg.py); data
        # keys and erasures go in the same transaction (projections/keys_pg.py).
        "APPLICATION_RECORDER_TOPIC": "projections.keys_pg:SealedPostgresRecorder",
        "POSTGRES_DBNAME": unquote(dbname),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": query.get("pool_size", "5"),
        "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", "5"),
        "POSTGRES_CONNECT_TIMEOUT": query.get("connect_timeout", "10"),
        "POSTGRES_LOCK_TIMEOUT": query.get("lock_timeout", "5"),
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"]
    netloc = parts.netloc
    views_url = f"postgresql+psycopg://{netloc}/{dbname}"
    return Storage(url=url, kind="postgresql", event_store_env=env, views_url=views_url)
