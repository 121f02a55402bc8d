"""The Flask application factory: configuration, services, blueprints and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, jsonify

from projections.runner import projections_position
from web.admin import init_admin
from web.api import init_api
from web.public import init_public
from web.services import build_services
from web.settings import load_config


class TouchlineFlask(Flask):
    """Flask, asking once per function whether it is ``async``: Flask asks ``inspect`` again on
    every call of every hook and view, and flask-smorest once more per decorator (a twentieth
    of an API write). The answers are kept per app, not in a module-wide cache: hooks are
    closures over their app, and a global cache kept every app ever made alive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._is_async: dict[Any, bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        target = getattr(func, "__func__", func)
        try:
            is_async = self._is_async[target]
        except KeyError:
            is_async = self._is_async[target] = iscoroutinefunction(target)
        except TypeError:  # an unhashable callable
            is_async = iscoroutinefunction(target)
        return self.async_to_sync(func) if is_async else func


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = TouchlineFlask(__name__)
    settings = load_config(config)
    app.config.update(settings)
    # A body is read whole (JSON, forms): past this, 413 before any of it is read.
    app.config["MAX_CONTENT_LENGTH"] = int(settings["MAX_REQUEST_MB"]) * 1024 * 1024
    app.extensions["touchline"] = build_services(settings, clock=settings.get("CLOCK"))

    @app.get("/health")
    def health() -> Any:
        """Liveness: the event store answers; how far the read models have got and how far behind
        the log they are (null before the projection runner first started)."""
        services = app.extensions["touchline"]
        position = services.app.recorder.max_notification_id() or 0
        projected = projections_position(services.views)
        # lag: log entries the slowest read model has still to apply (what a monitor alerts on).
        return jsonify(status="ok", position=position, projections=projected,
                       lag=None if projected is None else max(position - projected, 0))

    init_api(app)
    init_admin(app)
    init_public(app)
    return app
