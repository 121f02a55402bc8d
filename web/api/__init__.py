"""The integrator REST API under ``/api/v1``, documented by an OpenAPI 3.1 document
generated from the marshmallow schemas (flask-smorest) at ``/api/v1/openapi.json``, with
Swagger UI at ``/api/v1/docs`` served from the files the ``flask-swagger-ui`` package ships
(no CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flask_swagger_ui
from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from web.api import (
    aggregates,
    cases,
    customers,
    deals,
    events,
    funnel,
    promise_keeping,
    promises,
    sla,
    sla_policies,
    staff,
    touchpoints,
    webhooks,
)
from web.api.auth import SCHEME, ApiRuntime, guard, public
from web.api.errors import handle_http_exception
from web.api.responses import ErrorAnswers, error_response
from web.api.sessions import NoSessionOnApi
from web.schemas.common import ErrorSchema

SWAGGER_DIST = Path(flask_swagger_ui.__file__).parent / "dist"
BLUEPRINTS = (customers.blp, touchpoints.blp, cases.blp, promises.blp, deals.blp, funnel.blp, sla.blp,
              events.blp)
BLUEPRINTS += (sla_policies.blp,)
BLUEPRINTS += (aggregates.blp,)
BLUEPRINTS += (promise_keeping.blp,)
BLUEPRINTS += (webhooks.blp,)
BLUEPRINTS += (staff.blp,)
DESCRIPTION = """Read Touchline's projections, follow its event log, and record customers' touchpoints,
cases, promises and deals.

* **Authentication**: `Authorization: Bearer tl_...` with a token from `touchline tokens create`. Scopes:
  `read` and `write` grant every read or write; `read:<area>` / `write:<area>` one area.
* **Errors** (every 4xx): `{"code", "message", "errors": {field: [messages]}}`.
* **Pages**: lists answer `{"items", "next_cursor"}`; pass `cursor=<next_cursor>` for the next page.
* **Caching**: reads answer an `ETag`; send it back in `If-None-Match` to get `304 Not Modified`.
* **Writes** answer `{"id", "version", "position"}`. `Idempotency-Key` makes a retry safe; `If-Match: "<version>"`
  makes a change conditional (412 when the record changed). Without `If-Match`, a write that loses a
  race with another change to the record is run again on the record as it now stands (a 409 only when
  that keeps happening); with it, a lost race is a 409 and the caller decides. Pass `min_position=<position>` to a read of the
  projections to see your own write (read-your-writes); the event feed reads the log itself.
  `POST /touchpoints/batch` records up to 100 contacts in one request, all or none.
* **Statuses**: each operation lists the errors it can answer (400, 404, 409, 412, 413, 415, 503 where its
  shape allows them, besides 401, 403, 422 and 429), all in the same error shape. A body over `TOUCHLINE_MAX_REQUEST_MB` (16 MB by default) is a 413 (from
  `touchline serve` itself, in plain text, when it declares more than 1 MB beyond).
* **Rate limit** per token: 429 with `Retry-After` (seconds).
* All times are ISO 8601 with a timezone."""


class TouchlineApi(Api):  # type: ignore[misc]  # flask-smorest ships no type hints
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        return handle_http_exception(error)


def _document_security(api: Api) -> None:
    api.spec.components.security_scheme(SCHEME, {"type": "http", "scheme": "bearer", "bearerFormat": "tl_..."})
    integer = {"schema": {"type": "integer"}}
    api.spec.components.response("Unauthorized", error_response(
        "No token, or an unknown or revoked one.", {"WWW-Authenticate": {"schema": {"type": "string"}}}))
    api.spec.components.response("Forbidden", error_response("The token lacks the scope this operation needs."))
    api.spec.components.response("TooManyRequests", error_response(
        "The token's rate limit is spent; retry after Retry-After seconds.",
        {"Retry-After": {**integer, "description": "Seconds to wait."}}))


def _assets() -> Blueprint:
    assets = Blueprint("api-assets", __name__)

    @assets.get("/api/v1/docs/assets/<path:filename>")
    @public
    def swagger_asset(filename: str) -> Response:
        """Swagger UI's JavaScript and CSS, from the flask-swagger-ui package."""
        return send_from_directory(SWAGGER_DIST, filename, max_age=86400)

    return assets


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "Touchline API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", "/api/v1/docs/assets/")
    api = TouchlineApi(app, spec_kwargs={"info": {"description": DESCRIPTION}, "extra_plugins": [ErrorAnswers()]})
    _document_security(api)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix="/api/v1")
    app.register_blueprint(_assets())
    app.extensions["touchline_api"] = ApiRuntime(app.config)
    app.before_request(guard)
    app.session_interface = NoSessionOnApi()
    return api
