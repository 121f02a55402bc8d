"""The API's Blueprint: flask-smorest's, parsing arguments with one schema object per class,
and JSON bodies straight into their schema.

webargs builds a new schema object from a schema class on every request, and marshmallow's
constructor copies every declared field (80 us for a touchpoint, a tenth of what recording
one costs). Schemas keep no state between loads, so each class's first object serves every
later request, on every thread.

A JSON body that is an object is loaded by its schema directly, skipping webargs' location
machinery (a quarter of a touchpoint's validation). Anything else (not JSON, not an object,
or invalid) goes through webargs' own parse, so every error is reported exactly as before. A
body sent as another media type is a 415 naming Content-Type (webargs would read it as no body).
JSON nested deeper than the parser can follow (``[[[[...``) is invalid JSON, a 400, not a
``RecursionError`` and a 500.
"""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
from flask import request
from marshmallow import Schema, ValidationError
from webargs.core import _UNKNOWN_DEFAULT_PARAM
from webargs.flaskparser import FlaskParser, is_json_request

from web.api.errors import field_error


class SchemaReusingParser(FlaskParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            found = self._schemas.get(argmap)
            if found is None:
                found = self._schemas.setdefault(argmap, argmap())
            return found
        schema: Schema = super()._get_schema(argmap, req)
        return schema

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("the JSON nests too deeply", req.get_data(as_text=True), 0) from None

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None,
              unknown: Any = _UNKNOWN_DEFAULT_PARAM, validate: Any = None, **kwargs: Any) -> Any:
        if (location or self.location) == "json" and validate is None and unknown is _UNKNOWN_DEFAULT_PARAM \
                and self.unknown is _UNKNOWN_DEFAULT_PARAM:
            req = request if req is None else req
            if not is_json_request(req) and req.get_data(cache=True):  # read as no body, it would be a 422
                raise field_error(415, "Content-Type", "must be application/json for a body",
                                  code="unsupported_media_type")
            try:
                body = self._raw_load_json(req)
            except ValueError:  # not JSON: webargs answers below
                body = None
            if isinstance(body, dict):
                try:
                    return self._get_schema(argmap, req).load(body)
                except ValidationError:
                    pass  # reported by webargs' parse below, in its shape
        return super().parse(argmap, req, location=location, unknown=unknown, validate=validate, **kwargs)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # flask-smorest ships no type hints
    ARGUMENTS_PARSER = SchemaReusingParser()
