"""Customers: the list (name linking to the 360 page), registering one, changing details, and (admins)
erasing one's personal data (GDPR)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, url_for
from markupsafe import Markup
from wtforms import TextAreaField

from domain.customers.model import CUSTOMER_KINDS, clean_contact_points, new_contact_points
from domain.errors import InvalidValueError
from domain.personal import ERASED
from projections import models
from projections.queries.customers import get_customer
from projections.queries.public import find_customer_by_email
from projections.views.customer360 import PHONE_DIGITS
from web.admin.access import ADMINS, role
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.common import RowForm
from web.admin.forms.customers import CustomerDetailsForm, RegisterCustomerForm
from web.admin.views import filters
from web.admin.views.display import fmt_time, link, links, page_url
from web.services import services


def contact_points(v: dict[str, Any], current: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """The form's email and phone, then ``current``'s other contact points: the form showed (and
    replaces) the first email and the first phone or mobile, as the customers list does."""
    rest = list(current or [])
    for kinds in (("email",), ("phone", "mobile")):
        shown = next((p for p in rest if p["kind"] in kinds), None)
        if shown:
            rest.remove(shown)
    typed = [{"kind": k, "value": v[k].strip()} for k in ("email", "phone") if (v[k] or "").strip()]
    # An address typed that they have already (a second one, now the first) is kept once.
    return typed + new_contact_points(clean_contact_points(typed), rest)


def segment(v: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**(current or {}), **{k: v[k] for k in ("sector", "size", "location")}}


def refuse_known_email(v: dict[str, Any], customer_id: UUID | None = None) -> None:
    """One customer per address, as the API, mail and the public forms keep it: an email address
    another customer has is an error on the field, naming them (to open, or to merge with)."""
    email = (v["email"] or "").strip().lower()
    if not email:
        return
    with services().views.connect() as conn:
        known = find_customer_by_email(conn, email)
        row = get_customer(conn, str(known)) if known is not None and known != customer_id else None
    if row is not None:
        raise InvalidValueError("email", f"{row['name']} (customer {known}) has this email address already")


def register_customer(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    refuse_known_email(v)
    return app.register_customer(name=v["name"], kind=v["kind"], contact_points=contact_points(v),
                                 segment=segment(v), **kw)


def change_details(app: Any, customer_id: UUID, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    refuse_known_email(v, customer_id)
    current = app.get_customer(customer_id)
    return app.change_customer_details(customer_id, name=v["name"],
                                       contact_points=contact_points(v, current.contact_points),
                                       segment=segment(v, current.segment), **kw)


class EraseForm(RowForm):
    reason = TextAreaField("Why", render_kw={"rows": 2},
                           description="Recorded with the erasure (a request's reference; not personal data). The "
                                       "personal data of this customer and of every record merged with them becomes "
                                       "unreadable everywhere, for good; the history and the figures stay.")


def erase_customer(app: Any, customer_id: UUID, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    if role() not in ADMINS:
        abort(403)
    return app.erase_customer(customer_id, reason=v["reason"] or "", occurred_at=kw["occurred_at"], actor=kw["actor"])


CUSTOMER_COMMANDS = (
    RowCommand("erase", "Erase personal data (GDPR)", EraseForm, erase_customer,
               offered=lambda row: role() in ADMINS and row.name != ERASED, versioned=False, style="danger",
               done="Personal data erased: this customer and every record merged with them read [erased] from now "
                    "on; the history and the figures stay."),
)


def fmt_name(view: Any, context: Any, model: Any, name: str) -> Any:
    """The name linking to the 360 page; a merged-away duplicate says so (its figures stopped at
    the merge: the survivor's row counts them)."""
    shown = link("customer360.show", model.name, customer_id=model.id)
    if model.merged_into is None:
        return shown
    return Markup('{} <span class="badge badge-secondary" title="merged into another customer">merged</span>').format(
        shown)


class CustomersView(CommandView):
    create_command = staticmethod(register_customer)
    edit_command = staticmethod(change_details)
    create_form_class = RegisterCustomerForm
    edit_form_class = CustomerDetailsForm
    column_list = ["name", "kind", "email", "phone", "sector", "location", "open_cases", "open_promises",
                   "last_contact_at"]
    column_details_list = ["name", "kind", "email", "phone", "sector", "size", "location", "registered_at",
                           "first_touch_at", "last_touch_at", "last_contact_at", "touches", "open_cases",
                           "cases_total", "open_promises", "won_value", "merged_into", "version"]
    column_sortable_list = [("name", ("name_key",)), "kind", "email", "sector", "location", "open_cases", "open_promises",
                            "last_contact_at"]
    column_searchable_list = ["name", "email", "phone"]
    phone_digits = PHONE_DIGITS  # "6175550185" finds "+1 617 555 0185"
    column_filters = [filters.one_of(models.Customer.kind, "Kind", CUSTOMER_KINDS), "sector", "size", "location",
                      "open_cases", "last_contact_at"]
    column_default_sort = "name_key"
    column_labels = {"last_contact_at": "Last contact", "won_value": "Won value"}
    column_formatters = {"name": fmt_name,
                         **{c: fmt_time for c in ("registered_at", "first_touch_at", "last_touch_at",
                                                  "last_contact_at")}}

    row_commands = CUSTOMER_COMMANDS

    def _command(self, name: str) -> RowCommand:
        if name == "erase" and role() not in ADMINS:  # admins only, the form included
            abort(403)
        return super()._command(name)

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        found = [*links(("Customer 360", page_url("customer360.show", customer_id=model.id))),
                 *super().record_links(model)]
        if self.can_write() and model.name != ERASED and model.merged_into is None:  # they would only be refused
            found += [(label, url_for(f"admin_{area}.create_view", customer_id=model.id)) for label, area in
                      (("Record a touchpoint", "touchpoints"), ("Open a case", "cases"), ("Make a promise", "promises"),
                       ("Open a deal", "deals"))]
        return found
