"""``GET /api/v1/users``: the colleagues work is given to, so an integrator can map its own
people (a phone extension, a CRM owner) to the ``user:<id>`` that assigns and owns."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import RAISE

from projections.queries.staff import list_staff
from web.api.auth import requires
from web.api.blueprint import Blueprint
from web.api.reads import page, read
from web.schemas.staff import StaffPageSchema, StaffQuerySchema

blp = Blueprint("staff", __name__, description="Colleagues (users): whom cases, promises and deals are given to.")


@blp.route("/users")
class Users(MethodView):
    @requires("read:users")
    @blp.etag
    @blp.arguments(StaffQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, StaffPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Colleagues by name, with the ref that assigns work to them; filter by role, team, active."""
        return read(query, lambda conn: page(list_staff(
            conn, role=query.get("role"), team=query.get("team"), active=query.get("active"),
            limit=query["limit"], cursor=query.get("cursor"), sort=query["sort"])))
