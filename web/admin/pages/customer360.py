"""The customer 360 page: contact points, segment, open cases with their SLA clocks, promises,
deals and the whole timeline, so an agent taking over a case knows what the last one knew;
and possible duplicates, offered for merging (a domain command: both histories are kept).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from domain.customers.model import new_contact_points
from domain.errors import (
    ConflictError,
    DomainError,
    InvalidValueError,
    StaleVersionError,
)
from domain.personal import ERASED
from projections.queries.customer_page import get_customer_page
from projections.queries.customers import get_customer, list_customers
from projections.queries.paging import CursorError
from web.admin.access import HISTORY_READERS, Protected, actor, require_write, role
from web.admin.pages.reading import read_models
from web.admin.waiting import wait_for_position
from web.services import services

TIMELINE_PAGE = 50


def parse_id(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


class Customer360View(Protected, BaseView):
    """Every role reads the page; admins and agents merge duplicates."""

    def is_visible(self) -> bool:
        return False  # reached from the customers list and from other records

    def _not_found(self, message: str) -> Any:
        return self.render("admin/pages/not_found.html", message=message), 404

    @expose("/")
    def index(self) -> Any:
        """Find a customer by name or email (the lists have the full search)."""
        search = (request.args.get("q") or "").strip()
        found, unavailable = read_models(lambda conn: list_customers(conn, search=search, limit=20).items) \
            if search else ([], None)
        return self.render("admin/pages/customer_search.html", search=search, found=found, unavailable=unavailable)

    @expose("/<customer_id>")
    def show(self, customer_id: str) -> Any:
        key = parse_id(customer_id)
        if key is None:
            return self._not_found(f"{customer_id[:60]!r} is not a customer id.")
        cursor = request.args.get("cursor") or None
        now = services().clock.now()

        def fetch(conn: Any) -> dict[str, Any] | None:
            try:
                return get_customer_page(conn, str(key), now=now, timeline_limit=TIMELINE_PAGE, cursor=cursor)
            except CursorError:
                flash("That page of the timeline no longer fits; showing the newest events.", "warning")
                return get_customer_page(conn, str(key), now=now, timeline_limit=TIMELINE_PAGE)

        page, unavailable = read_models(fetch)
        if unavailable:
            return self.render("admin/pages/not_found.html", message=unavailable), 503
        if page is None:
            return self._not_found(f"No customer {key}.")
        return self.render("admin/pages/customer360.html", page=page, now=now, cursor=cursor,
                           can_merge=self.can_write(), can_see_history=role() in HISTORY_READERS)

    @expose("/<customer_id>/merge", methods=("GET",))
    def confirm_merge(self, customer_id: str) -> Any:
        """Both customers side by side before the merge: which one survives, what it absorbs."""
        survivor_id, duplicate_id = parse_id(customer_id), parse_id(request.args.get("duplicate", ""))
        if survivor_id is None or duplicate_id is None:
            return self._not_found("Choose a customer and the duplicate to merge into it.")
        pair, unavailable = read_models(lambda conn: (get_customer(conn, str(survivor_id)),
                                                      get_customer(conn, str(duplicate_id))))
        if unavailable or pair is None or None in pair:
            return self._not_found(unavailable or "One of the two customers does not exist.")
        survivor, duplicate = pair
        # The read model shows an erased customer by its erased name; the merge command refuses them.
        erased = [c["id"] for c in pair if c["name"] == ERASED]
        refused = f"Customer {erased[0]} was erased: it cannot be merged, nor anything into it." if erased else None
        merged = next((c for c in (duplicate, survivor) if c["merged_into"] is not None), None)
        if merged is not None and not refused:  # a colleague merged meanwhile, or an old link
            into = read_models(lambda conn: get_customer(conn, str(merged["merged_into"])))[0]
            refused = (f"{merged['name']} was merged into {into['name'] if into else merged['merged_into']} "
                       "already: open that customer to merge anything more.")
        if survivor_id == duplicate_id:
            refused = "A customer cannot be merged into itself: pick the other record."
        return self.render("admin/pages/merge.html", survivor=survivor, duplicate=duplicate, refused=refused,
                           can_merge=self.can_write() and not refused,
                           taken=new_contact_points(survivor["contact_points"], duplicate["contact_points"]))

    @expose("/<customer_id>/merge", methods=("POST",))
    @require_write
    def merge(self, customer_id: str) -> Any:
        """Merge the duplicate named in the form into this customer."""
        survivor_id = parse_id(customer_id)
        if survivor_id is None:
            return self._not_found(f"{customer_id[:60]!r} is not a customer id.")
        back = redirect(url_for(".show", customer_id=str(survivor_id)))
        duplicate_id = parse_id((request.form.get("duplicate_id") or "").strip())
        if duplicate_id is None:
            flash("Merge: choose the duplicate customer to merge (its id was missing or not an id).", "error")
            return back
        seen = (request.form.get("duplicate_version") or "").strip()  # as the review page showed it
        try:
            receipt = services().app.merge_customers(duplicate_id, survivor_id=survivor_id,
                                                     expected_version=int(seen) if seen.isdigit() else None,
                                                     occurred_at=services().clock.now(), actor=actor())
        except ConflictError as exc:
            flash(f"Merge: {exc}", "warning")
            return back
        except StaleVersionError:
            flash("Not merged: the duplicate changed since this page was opened. Check the two records again.",
                  "warning")
            return redirect(url_for(".confirm_merge", customer_id=str(survivor_id), duplicate=str(duplicate_id)))
        except InvalidValueError as exc:
            flash(f"Merge: {exc.message}.", "error")
            return back
        except DomainError as exc:
            flash(f"Merge: {exc}.", "error")
            return back
        if wait_for_position(receipt.position):
            flash("Merged: this customer now holds both histories.", "success")
        else:
            flash("Merged. The page is still catching up; reload in a moment to see both histories.", "info")
        return back

