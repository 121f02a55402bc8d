"""``/api/v1/sla/policies``: list and read SLA policies and their versions; define, revise,
reorder and retire them.

Every change is a new version of the policy; cases keep the version they were opened (or
re-targeted) under, so nothing here rewrites an existing case's targets.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import RAISE

from projections.queries.sla_policies import get_sla_policy, list_sla_policies, list_sla_policy_versions
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.reads import found, page, read
from web.api.writes import IDEMPOTENCY_DOC, IF_MATCH_DOC, execute, expected_version, new_id, when
from web.schemas.common import ListQuerySchema, ReadQuerySchema, ReceiptSchema
from web.schemas.sla_policies import (
    DefineSlaPolicySchema, ReorderSlaPoliciesSchema, RetireSlaPolicySchema, ReviseSlaPolicySchema,
    SlaPolicyPageSchema, SlaPolicyQuerySchema, SlaPolicySchema, SlaPolicyVersionPageSchema, command_fields,
)
from web.services import services

blp = Blueprint("sla-policies", __name__, description="SLA policies: which cases they cover, their targets per "
                                                       "priority and their business calendar; versioned.")


@blp.route("/sla/policies")
class Policies(MethodView):
    @requires("read:sla")
    @blp.etag
    @blp.arguments(SlaPolicyQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, SlaPolicyPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Policies in the order a new case's policy is looked for (by position, then definition):
        the first in force whose conditions match, with targets for its priority, applies."""
        return read(query, lambda conn: page(list_sla_policies(
            conn, active=query.get("active"), limit=query["limit"], cursor=query.get("cursor"),
            sort=query["sort"])))

    @requires("write:sla")
    @blp.arguments(DefineSlaPolicySchema)
    @blp.response(201, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Define a policy; it covers cases opened (or re-prioritised) from now on."""
        return execute(lambda: services().app.define_sla_policy(
            id=new_id(), **command_fields(body), occurred_at=when(body), actor=caller().actor), status=201)


@blp.route("/sla/policies/order")
class Order(MethodView):
    @requires("write:sla")
    @blp.arguments(ReorderSlaPoliciesSchema)
    @blp.response(200, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def put(self, body: dict[str, Any]) -> Any:
        """Set the order policies are tried in: every policy in force, once (positions become 10,
        20, ...; each moved policy gets a new version). Answers the receipt of the policy index."""
        return execute(lambda: services().app.reorder_sla_policies(
            body["policy_ids"], occurred_at=when(body), actor=caller().actor))


@blp.route("/sla/policies/<uuid:policy_id>")
class Policy(MethodView):
    @requires("read:sla")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, SlaPolicySchema)
    def get(self, query: dict[str, Any], policy_id: UUID) -> dict[str, Any]:
        """One policy as it stands, with its version (for If-Match)."""
        return found(read(query, lambda conn: get_sla_policy(conn, str(policy_id))), "SLA policy", policy_id)

    @requires("write:sla")
    @blp.arguments(ReviseSlaPolicySchema)
    @blp.response(200, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC, IF_MATCH_DOC])
    def put(self, body: dict[str, Any], policy_id: UUID) -> Any:
        """Replace the policy's name, position, conditions, targets and calendar: a new version.
        Cases opened before keep the version they were opened under."""
        return execute(lambda: services().app.revise_sla_policy(
            policy_id, **command_fields(body), expected_version=expected_version(), occurred_at=when(body),
            actor=caller().actor), path_ids={"policy_id": policy_id})


@blp.route("/sla/policies/<uuid:policy_id>/retire")
class Retire(MethodView):
    @requires("write:sla")
    @blp.arguments(RetireSlaPolicySchema)
    @blp.response(200, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC, IF_MATCH_DOC])
    def post(self, body: dict[str, Any], policy_id: UUID) -> Any:
        """Retire the policy: it covers no new case; cases it covered keep its targets."""
        return execute(lambda: services().app.retire_sla_policy(
            policy_id, reason=body["reason"], expected_version=expected_version(), occurred_at=when(body),
            actor=caller().actor), path_ids={"policy_id": policy_id})


@blp.route("/sla/policies/<uuid:policy_id>/versions")
class Versions(MethodView):
    @requires("read:sla")
    @blp.etag
    @blp.arguments(ListQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, SlaPolicyVersionPageSchema)
    def get(self, query: dict[str, Any], policy_id: UUID) -> dict[str, Any]:
        """The terms of every version of the policy, the oldest first: what a case's
        ``policy_version`` held it to."""
        def fetch(conn: sa.Connection) -> dict[str, Any]:
            found(get_sla_policy(conn, str(policy_id)), "SLA policy", policy_id)
            return page(list_sla_policy_versions(conn, str(policy_id), limit=query["limit"],
                                                 cursor=query.get("cursor")))
        return read(query, fetch)
