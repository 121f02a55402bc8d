"""The integrator REST API under ``/api/v1``, documented by an OpenAPI 3.1 document
generated from the marshmallow schemas (flask-smorest)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from web.api.funnel import blp as funnel_blp


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "Touchline API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(app, spec_kwargs={"info": {"description": "Read Touchline's projections and record customer "
                                                       "touchpoints. All times are ISO 8601 with a timezone."}})
    api.register_blueprint(funnel_blp, url_prefix="/api/v1/funnel")
    return api
