"""``/api/v1/customers``: lists, the 360 view, the timeline, churn candidates; register and change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView
from marshmallow import RAISE

from projections.queries.customers import (
    get_customer, get_customer_360, get_timeline, list_churn_candidates, list_customers,
)
from domain.audit.commands import record_audit_read
from domain.errors import NotFoundError
from domain.service import Receipt
from projections.customer_export import customer_export
from projections.queries.public import find_customer_by_email
from web.api.actions import action
from web.api.auth import caller, requires
from web.api.blueprint import Blueprint
from web.api.errors import ApiError
from web.api.events import event_types
from web.api.reads import found, page, read
from web.api.writes import IDEMPOTENCY_DOC, IF_MATCH_DOC, execute, expected_version, new_id, when
from web.schemas.common import ReadQuerySchema, ReceiptSchema
from web.schemas.events import CustomerExportSchema
from web.schemas.customers import (
    ChangeCustomerSchema, ChurnPageSchema, ChurnQuerySchema, Customer360Schema, CustomerPageSchema,
    CustomerQuerySchema, MergeCustomerSchema, RegisterCustomerSchema, TimelinePageSchema, TimelineQuerySchema,
)
from web.services import services

blp = Blueprint("customers", __name__, description="Customers: lists, the 360 view and timeline, churn "
                                                    "candidates; register, change details, merge; a person's data export.")


@blp.route("/customers")
class Customers(MethodView):
    @requires("read:customers")
    @blp.etag
    @blp.arguments(CustomerQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, CustomerPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Customers (by name, or as sort says); search in name and email, filter by sector; find the
        one with an email address, a phone number or your system's id (``external_ref``)."""
        return read(query, lambda conn: page(list_customers(
            conn, search=query.get("search"), sector=query.get("sector"), email=query.get("email"),
            phone=query.get("phone"), external_ref=query.get("external_ref"), limit=query["limit"],
            cursor=query.get("cursor"), sort=query["sort"])))

    @requires("write:customers")
    @blp.arguments(RegisterCustomerSchema)
    @blp.response(201, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC])
    def post(self, body: dict[str, Any]) -> Any:
        """Register a customer (a person or a company). An email address that a customer has already
        is a 409 naming them (find them with ``?email=``): one customer per address, as mail and the
        public forms keep it."""
        def register() -> Receipt:  # checked when it runs: a retry with its Idempotency-Key replays instead
            refuse_known_email(body.get("contact_points") or [])
            return services().app.register_customer(
                id=new_id(), name=body["name"], kind=body["kind"], contact_points=body.get("contact_points"),
                segment=body.get("segment"), external_ref=body.get("external_ref"),
                occurred_at=when(body), actor=caller().actor)

        return execute(register, status=201)


def refuse_known_email(contact_points: list[dict[str, str]]) -> None:
    """409 when a live customer has one of these email addresses already (as the read models show)."""
    emails = [p["value"].strip().lower() for p in contact_points if p.get("kind") == "email" and p.get("value")]
    if not emails:
        return
    with services().views.connect() as conn:
        for email in emails:
            known = find_customer_by_email(conn, email)
            if known is not None:
                raise ApiError(409, f"customer {known} has the email address {email} already",
                               code="already_exists", errors={"contact_points": [f"{email} is customer {known}"]})


@blp.route("/customers/churn-candidates")
class ChurnCandidates(MethodView):
    @requires("read:customers")
    @blp.etag
    @blp.arguments(ChurnQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ChurnPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Customers who bought before and have been quiet for quiet_days: the win-back list."""
        return read(query, lambda conn: page(list_churn_candidates(
            conn, now=services().clock.now(), quiet_days=query["quiet_days"], limit=query["limit"],
            cursor=query.get("cursor"), sort=query["sort"])))


@blp.route("/customers/<uuid:customer_id>")
class Customer(MethodView):
    @requires("read:customers")
    @blp.etag
    @blp.arguments(ReadQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, Customer360Schema)
    def get(self, query: dict[str, Any], customer_id: UUID) -> dict[str, Any]:
        """Everything about one customer: summary, open cases and promises, deals, latest timeline."""
        return found(read(query, lambda conn: get_customer_360(conn, str(customer_id), timeline_limit=20)),
                     "customer", customer_id)

    @requires("write:customers")
    @blp.arguments(ChangeCustomerSchema)
    @blp.response(200, ReceiptSchema)
    @blp.doc(parameters=[IDEMPOTENCY_DOC, IF_MATCH_DOC])
    def patch(self, body: dict[str, Any], customer_id: UUID) -> Any:
        """Change name, contact points or segment (only what is sent; nothing recorded if nothing changed)."""
        return execute(lambda: services().app.change_customer_details(
            customer_id, name=body.get("name"), contact_points=body.get("contact_points"),
            segment=body.get("segment"), expected_version=expected_version(),
            occurred_at=when(body), actor=caller().actor), path_ids={"customer_id": customer_id})


@blp.route("/customers/<uuid:customer_id>/timeline")
class Timeline(MethodView):
    @requires("read:customers")
    @blp.etag
    @blp.arguments(TimelineQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, TimelinePageSchema)
    def get(self, query: dict[str, Any], customer_id: UUID) -> dict[str, Any]:
        """Every event about the customer, in business-time order (or as sort says), each with the
        full text it carries (``detail``: what the customer wrote, a reply, a handover note); filtered
        by time, channel, event types and case (a case's whole conversation) when asked."""
        types = event_types(query.get("types"))

        def fetch(conn: Any) -> dict[str, Any]:
            found(get_customer(conn, str(customer_id)), "customer", customer_id)
            return page(get_timeline(conn, str(customer_id), limit=query["limit"], cursor=query.get("cursor"),
                                     sort=query["sort"], since=query.get("since"), until=query.get("until"),
                                     channel=query.get("channel"), types=types,
                                     case_id=str(query["case_id"]) if query.get("case_id") else None))
        return read(query, fetch)


action(blp, "customers", "merge", MergeCustomerSchema,
       "Merge this customer (a duplicate) into survivor_id: nothing is rewritten, both histories stay. No unmerge.",
       lambda app, i, b, kw: app.merge_customers(i, survivor_id=b["survivor_id"], **kw), scope="write:customers")


@blp.route("/customers/<uuid:customer_id>/export")
class Export(MethodView):
    @requires("read:audit")
    @blp.response(200, CustomerExportSchema)
    def get(self, customer_id: UUID) -> dict[str, Any]:
        """Everything about the person (GDPR access and portability): the customer and everyone
        merged with them, and every case, touchpoint, promise, deal and message about them, each
        with its whole history (personal fields opened, or [erased]). Recorded as an audit read."""
        svc = services()
        try:
            survivor = svc.app.survivor(customer_id)
        except NotFoundError:
            raise ApiError(404, f"no customer {customer_id}") from None
        found = customer_export(svc.app, svc.views, survivor, now=svc.clock.now())
        record_audit_read(svc.app, channel="api", subject=str(survivor), query={"export": "customer"},
                          occurred_at=svc.clock.now(), actor=caller().actor)
        return found
