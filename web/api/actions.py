"""``POST /<records>/<id>/<action>`` routes: one command on one record, declared in a line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from marshmallow import Schema

from domain.application import Touchline
from domain.service import Receipt
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.writes import IDEMPOTENCY_DOC, IF_MATCH_DOC, execute, expected_version, when
from web.schemas.common import ReceiptSchema
from web.services import services

# (application, record id, loaded body, common keyword arguments) -> receipt
Command = Callable[[Touchline, UUID, dict[str, Any], dict[str, Any]], Receipt]


def action(blp: Blueprint, records: str, name: str, schema: type[Schema], summary: str, command: Command, *,
           scope: str) -> None:
    """Register ``POST /<records>/<id>/<name>``; ``command`` gets occurred_at, actor and
    expected_version (from If-Match) from the request as keyword arguments."""
    id_name = f"{records.rstrip('s')}_id"

    @requires(scope)
    @blp.arguments(schema, required=any(f.required for f in schema().fields.values()))
    @blp.response(200, ReceiptSchema)
    @blp.doc(summary=summary, parameters=[IDEMPOTENCY_DOC, IF_MATCH_DOC])
    def post(body: dict[str, Any], **path: UUID) -> Any:
        record_id = path[id_name]
        common: dict[str, Any] = {"occurred_at": when(body), "actor": caller().actor,
                                  "expected_version": expected_version()}
        return execute(lambda: command(services().app, record_id, body, common), path_ids={id_name: record_id})

    post.__name__ = f"{records}_{name}"
    blp.route(f"/{records}/<uuid:{id_name}>/{name}", methods=["POST"], endpoint=post.__name__)(post)
