"""The composition root: builds the Application and everything else from configuration.

No magic: ``Services`` is created once per process by ``create_app`` and kept in
``app.extensions["touchline"]``; CLI commands and views reach it through ``services()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from domain.application import Touchline
from domain.clock import Clock, SystemClock
from projections.storage import Storage, storage_from_url


@dataclass
class Services:
    storage: Storage
    clock: Clock
    app: Touchline
    config: Mapping[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.app.close()


def build_services(config: Mapping[str, Any], clock: Clock | None = None) -> Services:
    """Open the event store named by ``config["DATABASE_URL"]`` and wire the services."""
    storage = storage_from_url(config["DATABASE_URL"])
    if storage.is_sqlite:
        Path(storage.event_store_env["SQLITE_DBNAME"]).parent.mkdir(parents=True, exist_ok=True)
    app = Touchline(env=storage.event_store_env)
    return Services(storage=storage, clock=clock or SystemClock(), app=app, config=config)


def services() -> Services:
    """The services of the current Flask app."""
    found: Services = current_app.extensions["touchline"]
    return found
