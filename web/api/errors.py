"""One error shape for the whole API: ``{"code", "message", "errors": {field: [messages]}}``.

``ApiError`` is raised by views and helpers; ``handle_http_exception`` renders it and
every other HTTP error under ``/api/`` (flask-smorest's 422, Flask's 404/405, a 500) in
that shape. Domain errors are translated by ``domain_error`` where the context (which id
the URL names) decides between 404 and 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from domain.customers.model import CustomerErasedError
from domain.errors import (
    AlreadyExistsError, ConflictError, DomainError, InvalidValueError, ItemError, NotFoundError, StaleVersionError,
)

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 412: "precondition_failed", 413: "too_large", 415: "unsupported_media_type",
    422: "validation_failed", 428: "precondition_required", 429: "rate_limited", 500: "internal_error",
    503: "unavailable",
}


class ApiError(HTTPException):
    """An HTTP error with a code, a message, errors by field and extra headers."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 errors: Mapping[str, list[str]] | None = None, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = status
        self.error_code = code or CODES.get(status, "error")
        self.message = message
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})


def field_error(status: int, field: str, message: str, *, code: str | None = None) -> ApiError:
    return ApiError(status, f"{field}: {message}", code=code, errors={field: [message]})


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested messages -> ``{"field[0].sub": [...]}`` (as domain errors name fields)."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{prefix}[{key}]" if isinstance(key, int) else prefix if key == "_schema" and prefix else \
                f"{prefix}.{key}" if prefix else str(key)  # a nested object's own error names the object
            for field, texts in flatten(value, name).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    if isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        return {prefix or "_": list(messages)}
    if isinstance(messages, list | tuple):
        flat = {}
        for i, value in enumerate(messages):
            for field, texts in flatten(value, f"{prefix}[{i}]").items():
                flat.setdefault(field, []).extend(texts)
        return flat
    return {prefix or "_": [str(messages)]}


LOCATIONS = ("json", "query", "querystring", "headers", "path", "view_args", "form", "files", "cookies")


def validation_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    raw = data.get("errors") or data.get("messages") or {}
    flat: dict[str, list[str]] = {}
    for location, messages in raw.items() if isinstance(raw, Mapping) else []:
        if location in LOCATIONS and isinstance(messages, Mapping) and "_schema" in messages:
            messages = {**messages, "body": messages["_schema"]}
            del messages["_schema"]
        grouped = flatten(messages, "" if isinstance(messages, Mapping) else "body") if location in LOCATIONS \
            else flatten({location: messages})
        for field, texts in grouped.items():
            flat.setdefault(field, []).extend(texts)
    return flat


def render(status: int, code: str, message: str, errors: Mapping[str, list[str]] | None = None,
           headers: Mapping[str, str] | None = None) -> Response:
    response = jsonify(code=code, message=message, errors=dict(errors or {}))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def handle_http_exception(error: HTTPException) -> Response | HTTPException:
    """Render an HTTP error of an API route as JSON; leave other routes to Flask."""
    if not request.path.startswith("/api/"):
        return error
    status = error.code or 500
    if status == 304:
        return error.get_response()
    if isinstance(error, ApiError):
        return render(status, error.error_code, error.message, error.errors, error.headers)
    if status == 413:
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20
        return render(413, "too_large", f"the request body is over the limit of {limit} MB",
                      {"body": [f"over {limit} MB: send less at once"]})
    data: Mapping[str, Any] = getattr(error, "data", None) or {}
    errors = validation_errors(data)
    if errors:
        message = "the request is not valid: " + "; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items())
    else:
        message = data.get("message") or error.description or error.name
    headers = dict(data.get("headers") or {})
    if status == 405 and (allowed := error.get_response().headers.get("Allow")):
        headers["Allow"] = allowed
    return render(status, CODES.get(status, "error"), message, errors, headers)


def domain_error(exc: DomainError, *, path_ids: Mapping[str, UUID] | None = None, items: str = "") -> ApiError:
    """Translate a command's error: a missing record named by the URL is 404, a missing
    record named in the body is 422 on the field that named it. An item of a batch (the
    body's list ``items``) is named by its place: ``touchpoints[2].customer_id``."""
    if isinstance(exc, ItemError):
        inner = domain_error(exc.error, path_ids=path_ids)
        place = f"{items}[{exc.index}]"
        errors = {f"{place}.{field}": texts for field, texts in inner.errors.items()} or {place: [inner.message]}
        message = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in errors.items())
        return ApiError(inner.code or 422, message, code=inner.error_code, errors=errors, headers=inner.headers)
    if isinstance(exc, InvalidValueError):
        return field_error(422, exc.field, exc.message)
    if isinstance(exc, NotFoundError):
        if any(str(exc.key) == str(v) for v in (path_ids or {}).values()):
            return ApiError(404, str(exc))
        field = exc.kind.lower().replace(" ", "_") + "_id"
        return field_error(422, field, str(exc))
    if isinstance(exc, CustomerErasedError):
        return ApiError(409, str(exc), code="customer_erased", errors={"customer_id": [str(exc)]})
    if isinstance(exc, StaleVersionError):
        return ApiError(412, str(exc), code="stale_version",
                        errors={"If-Match": [f"the current version is {exc.actual}"]})
    if isinstance(exc, AlreadyExistsError):
        return ApiError(409, str(exc), code="already_exists")
    if isinstance(exc, ConflictError):
        return ApiError(409, str(exc), code="concurrent_change")
    return ApiError(409, str(exc), code="state_conflict")
