"""How list and details pages show values: instants in the viewer's zone, named; people by name,
links to a record's details, its customer's 360 page and its history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, url_for
from flask_admin.model import typefmt
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.routing import BuildError

from domain.users.model import (
    user_ref as staff_ref,  # how a colleague picked in a form is named
)
from projections.views.directory import users
from web.admin.access import HISTORY_READERS, actor, role
from web.admin.localtime import local_time
from web.services import services

# The former name: instants are shown in the viewer's zone now (``web.admin.localtime``).
utc = local_time


def my_refs() -> tuple[str, ...]:
    """Every way the current user can appear as assignee or owner (actor, user:<id>, bare id of imports)."""
    return tuple(dict.fromkeys((actor(), staff_ref(current_user.id), str(current_user.id))))


def held_by_colleague(ref: str | None) -> bool:
    """Whether ``ref`` (an assignee or owner) names someone other than the current user; a team
    queue (``team:callbacks``) is nobody in particular yet."""
    return bool(ref) and ref not in my_refs() and not str(ref).startswith("team:")


def staff_names() -> dict[str, str]:
    """Reference -> name of every user, read once per request (staff are few)."""
    if "staff_names" not in g:
        names: dict[str, str] = {}
        with services().views.connect() as conn:
            for row in conn.execute(sa.select(users.c.id, users.c.email, users.c.name)):
                for ref in (staff_ref(row.id), f"user:{row.email}", row.id):
                    names[ref] = row.name
        g.staff_names = names
    found: dict[str, str] = g.staff_names
    return found


def person(ref: str | None) -> str:
    """A user reference as the user's name (unknown references as they are)."""
    if not ref:
        return ""
    return staff_names().get(ref, ref)


def page_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a page of another part of the panel, or None while that part is not there."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def link(endpoint: str, text: object, **values: Any) -> Markup | str:
    url = page_url(endpoint, **values)
    return Markup('<a href="{}">{}</a>').format(url, text) if url else str(text)


def customer_link(customer_id: str | None, name: object = None) -> Markup | str:
    """The customer's name (or id) linking to their 360 page."""
    if not customer_id:
        return ""
    return link("customer360.show", name or customer_id, customer_id=customer_id)


def history_url(record_id: str) -> str | None:
    """The record's history page, for those who may read it (no link that answers 403)."""
    if role() not in HISTORY_READERS:
        return None
    return page_url("history.show", aggregate_id=record_id)


def links(*found: tuple[str, str | None]) -> list[tuple[str, str]]:
    """(label, url) pairs whose page exists."""
    return [(label, url) for label, url in found if url]


# Flask-Admin column formatters: (view, context, model, name) -> value.
# Formatters marked ``plain`` give text, so CSV exports use them too; the others give links.
def plain(formatter: Any) -> Any:
    formatter.plain = True
    return formatter


@plain
def fmt_time(view: Any, context: Any, model: Any, name: str) -> str:
    return local_time(getattr(model, name))


@plain
def fmt_person(view: Any, context: Any, model: Any, name: str) -> str:
    return person(getattr(model, name))


def fmt_customer(view: Any, context: Any, model: Any, name: str) -> Markup | str:
    customer = getattr(model, "customer", None)
    return customer_link(model.customer_id, customer.name if customer else None)


def fmt_details(view: Any, context: Any, model: Any, name: str) -> Markup:
    """The column's value linking to the record's details page."""
    return link(".details_view", escape(getattr(model, name)), id=model.id)


TYPE_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime: lambda view, value, name: local_time(value)}
