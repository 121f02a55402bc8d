"""One active scheduler: a lock that only one process holds, and that its death releases.

- PostgreSQL: a session advisory lock, ``pg_try_advisory_lock(hashtext('<schema>.touchline_scheduler'))``
  (a key apart from the schema-creation lock on ``'<schema>.touchline_events'``), held by a
  dedicated connection. When the holder dies its connection ends and the server releases the
  lock; a standby's next try takes it. The holder checks the lock is still its own (the
  connection may have been cut) before each round of work.
- SQLite (one machine): an exclusive ``fcntl.flock`` on ``<database>.scheduler.lock`` beside the
  database file; the kernel releases it when the process dies.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any, Protocol

import psycopg

from projections.private_files import create_private
from projections.storage import Storage

SCHEDULER_LOCK = "touchline_scheduler"


class LeaderLock(Protocol):
    def acquire(self) -> bool:
        """Try to become the active scheduler (never waits)."""

    def held(self) -> bool:
        """Whether this process still holds the lock."""

    def release(self) -> None: ...


class PostgresLeaderLock:
    def __init__(self, env: dict[str, str]) -> None:
        self.connect_args: dict[str, Any] = {
            "host": env["POSTGRES_HOST"], "port": int(env["POSTGRES_PORT"]), "dbname": env["POSTGRES_DBNAME"],
            "user": env["POSTGRES_USER"], "password": env.get("POSTGRES_PASSWORD") or None,
            "connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT", "10")), "autocommit": True,
            "application_name": "touchline-scheduler",
            # A holder whose machine vanishes is noticed by the server within about a minute.
            "keepalives": 1, "keepalives_idle": 20, "keepalives_interval": 5, "keepalives_count": 3,
        }
        self.key = f"{env.get('POSTGRES_SCHEMA') or 'public'}.{SCHEDULER_LOCK}"
        self.conn: psycopg.Connection[Any] | None = None

    def acquire(self) -> bool:
        try:
            if self.conn is None or self.conn.closed:
                self.conn = psycopg.connect(**self.connect_args)
            row = self.conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.key,)).fetchone()
            return bool(row and row[0])
        except psycopg.OperationalError:
            self._drop()
            return False

    def held(self) -> bool:
        if self.conn is None or self.conn.closed:
            return False
        try:
            # This connection takes no other advisory lock: any it holds is the scheduler's.
            row = self.conn.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                                    " AND granted AND pid = pg_backend_pid())").fetchone()
            return bool(row and row[0])
        except psycopg.Error:
            self._drop()
            return False

    def release(self) -> None:
        self._drop()  # closing the session releases its advisory locks

    def _drop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


class FileLeaderLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[str] | None = None

    def acquire(self) -> bool:
        if self.file is not None:
            return True
        create_private(self.path)  # not emptied here: another process may hold it, its pid inside
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for as long as we lead
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.file = handle
        return True

    def held(self) -> bool:
        return self.file is not None

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)
            self.file.close()
            self.file = None


def leader_lock(storage: Storage) -> LeaderLock:
    """The lock that keeps one scheduler active for this database."""
    if storage.is_sqlite:
        events = Path(storage.event_store_env["SQLITE_DBNAME"])
        return FileLeaderLock(events.with_name(f"{events.name}.scheduler.lock"))
    return PostgresLeaderLock(storage.event_store_env)
