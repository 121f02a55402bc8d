"""The composition root: builds the Application, the read-model engines and the projection
runner from configuration.

No magic: ``Services`` is created once per process by ``create_app`` and kept in
``app.extensions["touchline"]``; CLI commands and views reach it through ``services()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from flask import current_app

from domain.application import Touchline
from domain.clock import Clock, SystemClock
from projections.engine import create_views_engine
from projections.private_files import create_private
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from projections.storage import Storage, storage_from_url


@dataclass
class Services:
    storage: Storage
    clock: Clock
    app: Touchline
    config: Mapping[str, Any] = field(default_factory=dict)
    _tables_made: set[Callable[[sa.Engine], None]] = field(default_factory=set, repr=False)

    @cached_property
    def views(self) -> sa.Engine:
        """Engine for reading the read models."""
        return create_views_engine(self.storage.views_url)

    @cached_property
    def views_writer(self) -> sa.Engine:
        """Engine for writes to the read-model database: the projection runner's, and the API's
        bookkeeping (takes the write lock up front on SQLite)."""
        return create_views_engine(self.storage.views_url, writer=True)

    def ensure_tables(self, create: Callable[[sa.Engine], None]) -> None:
        """Run ``create`` (a ``metadata.create_all`` of side tables that a process makes on first
        use: the API's bookkeeping, the webhook sender's) once per process, through the writer
        engine: on SQLite it takes the write lock up front and waits for it, where DDL in a
        reader's deferred transaction fails at once while the projection runner commits."""
        if create in self._tables_made:
            return
        try:
            create(self.views_writer)
        except sa.exc.DBAPIError:  # another process created them between the check and the CREATE
            create(self.views_writer)
        self._tables_made.add(create)

    def projection_runner(self, names: list[str] | None = None, *, batch_size: int = 2000) -> ProjectionRunner:
        projections = all_projections()
        if names:
            known = {p.name for p in projections}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise KeyError(f"unknown projection(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
            projections = [p for p in projections if p.name in names]
        runner = ProjectionRunner(self.app, self.views_writer, projections, batch_size=batch_size, reader=self.views)
        runner.prepare()
        return runner

    def close(self) -> None:
        self.app.close()
        for name in ("views", "views_writer"):
            if name in self.__dict__:
                self.__dict__[name].dispose()


def build_services(config: Mapping[str, Any], clock: Clock | None = None) -> Services:
    """Open the event store named by ``config["DATABASE_URL"]`` and wire the services."""
    storage = storage_from_url(config["DATABASE_URL"])
    for path in storage.files:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path)
    app = Touchline(env=storage.event_store_env)
    keyring = getattr(app.mapper, "keyring", None)  # a sealing store knows whose keys were destroyed
    if keyring is not None:
        app.is_erased = keyring.is_erased
    return Services(storage=storage, clock=clock or SystemClock(), app=app, config=config)


def services() -> Services:
    """The services of the current Flask app."""
    found: Services = current_app.extensions["touchline"]
    return found
