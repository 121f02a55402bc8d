"""The Flask application factory: configuration, services, blueprints and the CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import lru_cache
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, jsonify

from projections.runner import projections_position
from projections.storage import DEFAULT_URL
from scheduler.settings import SCHEDULER_DEFAULTS
from web.admin import init_admin
from web.api import init_api
from web.public import init_public
from web.services import build_services

# Every setting, its environment variable (TOUCHLINE_<KEY>) and default: the README's table.
DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": DEFAULT_URL,
    "HOST": "127.0.0.1",  # where `touchline serve` listens
    "PORT": 5000,
    "WEB_THREADS": 8,  # requests `touchline serve` handles at once
    "API_RATE_LIMIT": 600,  # requests per minute per API token, on average...
    "API_RATE_BURST": 120,  # ...and at most this many at once
    "API_TOKEN_USE_INTERVAL": 60,  # seconds between writes of a token's "last used" time
    "API_MIN_POSITION_WAIT": 5,  # seconds a read with min_position waits for the projections
    "API_LONG_POLLS": 2,  # event-feed requests per process that may wait at once (each holds a thread)
    **SCHEDULER_DEFAULTS,  # mail, webhooks and the scheduler's intervals (scheduler/settings.py)
    "SECRET_KEY": None,  # signs panel sessions; generated into the data directory when unset
    "SESSION_COOKIE_SECURE": "auto",  # 1/0; auto: on unless testing, debug or served on loopback only
    "LOGIN_MAX_FAILURES": 5,  # failed panel logins per account...
    "LOGIN_MAX_FAILURES_PER_IP": 20,  # ...or per address, before a lockout of
    "LOGIN_LOCKOUT_MINUTES": 15,  # minutes
    "AUDIT_KEY": None,  # signs audit checkpoints; generated beside the SQLite file when unset (set it on PostgreSQL)
}


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``TOUCHLINE_*`` environment variables, then ``overrides``."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        value = os.environ.get(f"TOUCHLINE_{key}")
        if value is not None:
            config[key] = value
    config.update(overrides or {})
    return config


@lru_cache(maxsize=4096)
def _is_async(func: Callable[..., Any]) -> bool:
    return iscoroutinefunction(func)


class TouchlineFlask(Flask):
    """Flask, asking once per function whether it is ``async``: Flask asks ``inspect`` again on
    every call of every hook and view, and flask-smorest once more per decorator (a twentieth
    of an API write)."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        target = getattr(func, "__func__", func)
        try:
            is_async = _is_async(target)
        except TypeError:  # an unhashable callable
            is_async = iscoroutinefunction(target)
        return self.async_to_sync(func) if is_async else func


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = TouchlineFlask(__name__)
    settings = load_config(config)
    app.config.update(settings)
    app.extensions["touchline"] = build_services(settings, clock=settings.get("CLOCK"))

    @app.get("/health")
    def health() -> Any:
        """Liveness: the event store answers; how far the read models have got (null before
        the projection runner first started)."""
        services = app.extensions["touchline"]
        position = services.app.recorder.max_notification_id()
        return jsonify(status="ok", position=position or 0, projections=projections_position(services.views))

    init_api(app)
    init_admin(app)
    init_public(app)
    return app
