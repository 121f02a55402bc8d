"""Each operation's error answers, listed in the OpenAPI document where they can happen, so a
client generated from it models them (a 412 after If-Match, a 409, a 503 from ``min_position``)
instead of meeting them as the ``default`` response.

An apispec plugin: it sees every operation once flask-smorest and the marshmallow plugin have
filled it in, and adds what its shape implies: a path with an id can be 404; a write can be
409, 400 (a malformed header or body), 413 and 415 when it takes a body, 412 when it takes
``If-Match``; a read that takes ``min_position`` can be 503."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

from web.api.writes import IF_MATCH_DOC

WRITES = ("post", "put", "patch", "delete")
ANSWERS = {  # status -> (component name, description); every one has the shared error shape
    400: ("BadRequest", "The request is malformed: a header, a cursor or the JSON body cannot be read."),
    404: ("NotFound", "No record with this id."),
    409: ("Conflict", ("A concurrent change of the record won, the record exists already, or a request with this "
                       "Idempotency-Key is still running: read again, then retry.")),
    412: ("PreconditionFailed", "If-Match names a version the record has moved past: read it again."),
    413: ("PayloadTooLarge", "The body is larger than TOUCHLINE_MAX_REQUEST_MB."),
    415: ("UnsupportedMediaType", "The body is not JSON (send Content-Type: application/json)."),
    503: ("NotCaughtUp", ("The projections have not reached min_position within the wait: retry after Retry-After "
                          "seconds.")),
}


def error_response(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": "Error"}}}
    if headers:
        response["headers"] = headers
    return response


def statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an API operation of this shape can answer, besides 401, 403, 422 and 429."""
    names = {p.get("name") for p in operation.get("parameters", ()) if isinstance(p, dict)}
    found = [400]
    if "{" in path:
        found.append(404)
    if method in WRITES:
        found.append(409)
        if IF_MATCH_DOC["name"] in names:
            found.append(412)
        if "requestBody" in operation:
            found += [413, 415]
    if "min_position" in names:
        found.append(503)
    return found


class ErrorAnswers(BasePlugin):  # type: ignore[misc]  # apispec ships no type hints for plugins
    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        seconds = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
        for status, (name, description) in ANSWERS.items():
            spec.components.response(name, error_response(description, seconds if status == 503 else None))

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        for method, operation in (operations or {}).items():
            if not operation.get("security"):  # the document and its assets: no API answers
                continue
            responses = operation.setdefault("responses", {})
            for status in statuses(path or "", method, operation):
                responses.setdefault(str(status), ANSWERS[status][0])
