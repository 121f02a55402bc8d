"""Login throttling: after ``LOGIN_MAX_FAILURES`` failed logins on an account (or
``LOGIN_MAX_FAILURES_PER_IP`` from one address) within ``LOGIN_LOCKOUT_MINUTES``, that account
(or address) is locked for ``LOGIN_LOCKOUT_MINUTES``. The counts live in the read-model
database (``projections.login_state``), so every web process shares them; time is the
services' clock. Behind a proxy, let ProxyFix set ``remote_addr`` or every user shares one address.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import request

from projections.login_state import clear_failures, create_login_tables, locked_until, record_failure
from web.services import Services


class LoginThrottle:
    def __init__(self, services: Services) -> None:
        config = services.config
        self.services = services
        self.per_account = int(config["LOGIN_MAX_FAILURES"])
        self.per_address = int(config["LOGIN_MAX_FAILURES_PER_IP"])
        self.window = timedelta(minutes=float(config["LOGIN_LOCKOUT_MINUTES"]))
        self._ready = False

    def _engine(self) -> sa.Engine:
        # The writer engine (BEGIN IMMEDIATE, waits for the lock): on SQLite a reader's transaction
        # that turns into a write while the projection runner holds the lock fails at once.
        if not self._ready:
            create_login_tables(self.services.views_writer)
            self._ready = True
        return self.services.views_writer

    @staticmethod
    def _keys(email: str) -> tuple[str, str]:
        return f"account:{email.strip().lower()[:254]}", f"ip:{request.remote_addr or '-'}"

    def minutes_locked(self, email: str) -> int:
        """Minutes until ``email`` (or this address) may try again; 0 when not locked."""
        now = self.services.clock.now()
        self._engine()
        with self.services.views.connect() as conn:
            until: datetime | None = locked_until(conn, list(self._keys(email)), now)
        return max(1, math.ceil((until - now).total_seconds() / 60)) if until else 0

    def failed(self, email: str) -> None:
        account, address = self._keys(email)
        now = self.services.clock.now()
        with self._engine().begin() as conn:
            record_failure(conn, account, now, limit=self.per_account, window=self.window)
            record_failure(conn, address, now, limit=self.per_address, window=self.window)

    def succeeded(self, email: str) -> None:
        with self._engine().begin() as conn:
            clear_failures(conn, self._keys(email)[0])
