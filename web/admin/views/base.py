"""The read side of every list: a read-only ORM session over the read models and ``ListView``,
the Flask-Admin sqla view the panel's lists share (search, filters, sort, pages, CSV, details)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, request
from flask_admin import expose, tools
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import BaseForm
from flask_admin.model.base import ViewArgs
from sqlalchemy.orm import scoped_session, sessionmaker

from projections.models import ReadOnlySession
from web.admin.access import Protected
from web.admin.views.display import TYPE_FORMATTERS, history_url, links
from web.admin.views.filters import ReadModelFilters, within_bigint
from web.admin.views.search import LiteralSearch
from web.services import services
from web.spreadsheets import cell


class PanelSession(ReadOnlySession):
    """Reads the current Flask app's read models (each app, e.g. each test, has its own engine)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, **kwargs: Any) -> sa.Engine:
        return services().views


# Beyond these the databases fail instead of finding nothing: SQLite refuses a LIKE pattern over
# 50,000 bytes, an offset or key past 64 bits; PostgreSQL a NUL in any text, a negative offset.
MAX_TERM = 1000  # characters of a search or a filter value
MAX_OFFSET = 2**53  # rows skipped by a page or a lookup: far past any list, far inside 64 bits
MAX_LOOKUP = 100  # rows one ajax lookup answers (the form's widget asks for 10)


def _key_part(column: sa.Column[Any], text: str) -> Any:
    if "\x00" in text:
        raise ValueError("NUL in an id")
    if isinstance(column.type, sa.Integer):
        return within_bigint(int(text))
    return text


def primary_key(model: Any, id: Any) -> tuple[Any, ...] | None:
    """The key an ``id`` (Flask-Admin's comma-joined parts) names, or None when it names no row:
    missing, the wrong number of parts, or a part its column cannot hold."""
    columns = sa.inspect(model).primary_key
    parts = tools.iterdecode(id) if isinstance(id, str) else ()
    if len(parts) != len(columns):
        return None
    try:
        return tuple(_key_part(c, p) for c, p in zip(columns, parts, strict=True))
    except ValueError:
        return None


def unsearchable(text: str) -> str | None:
    """Why the databases cannot search for ``text``, or None when they can."""
    if len(text) > MAX_TERM:
        return f"over {MAX_TERM:,} characters"
    if "\x00" in text:
        return "a NUL character in it"
    return None


def _bounded(number: int | None, high: int) -> int:
    return min(max(number or 0, 0), high)


# One session per request thread, removed when the request ends (``ListView.create_blueprint``).
read_session = scoped_session(sessionmaker(class_=PanelSession))


class ListView(Protected, LiteralSearch, ModelView):
    """A read-model list: nobody creates, edits or deletes rows here (see ``CommandView``)."""

    can_create = False
    can_edit = False
    can_delete = False
    fast_mass_delete = False  # would delete rows without commands: never
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    export_max_rows = 10_000
    can_set_page_size = True
    page_size = 25
    page_size_options = (25, 50, 100)  # the page sizes offered must include the default
    form = BaseForm  # no scaffolded model form: rows are never edited
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS
    column_display_pk = False
    filter_converter = ReadModelFilters()
    details_template = "admin/views/details.html"
    list_template = "admin/views/list.html"
    # Shown above a list (e.g. what a saved queue holds).
    description: str | None = None

    def __init__(self, model: Any, **kwargs: Any) -> None:
        if self.column_formatters_export is None:
            # CSV gets plain text: formatters that make links stay out of it.
            self.column_formatters_export = {k: f for k, f in (self.column_formatters or {}).items()
                                             if getattr(f, "plain", False)}
        super().__init__(model, read_session, **kwargs)

    def get_export_value(self, model: Any, name: Any) -> Any:
        return cell(super().get_export_value(model, name))

    def create_blueprint(self, admin: Any) -> Blueprint:
        blueprint: Blueprint = super().create_blueprint(admin)
        blueprint.teardown_request(lambda exc: read_session.remove())
        return blueprint

    def narrow(self, query: Any) -> Any:
        """The rows this list holds (saved queues narrow their list; details still open any row)."""
        return query

    def get_query(self) -> Any:
        return self.narrow(super().get_query())

    def get_count_query(self) -> Any:
        return self.narrow(super().get_count_query())

    def get_one(self, id: Any) -> Any:
        """The row, or None (as for an unknown id) when ``id`` is missing or malformed."""
        key = primary_key(self.model, id)
        return None if key is None else self.session.get(self.model, key)

    def _get_list_extra_args(self) -> ViewArgs:
        """The list's arguments, within what the databases take: a page before the first is the
        first, one past any row shows none, a search too long is ignored (with a message)."""
        args = super()._get_list_extra_args()
        args.page = _bounded(args.page, MAX_OFFSET // max(self.page_size, *self.page_size_options))
        why = unsearchable(args.search or "")
        if why:
            flash(f"Search ignored: {why}.", "error")
            args.search = None
        return args

    def _get_list_filter_args(self) -> Any:
        """The list's filters, less those whose value the databases cannot search for (with a message)."""
        found = super()._get_list_filter_args()
        if found is None:
            return None
        kept = []
        for chosen in found:
            why = unsearchable(chosen[2])
            if why:
                flash(f"Filter {chosen[1]} ignored: {why}.", "error")
            else:
                kept.append(chosen)
        return kept

    @expose("/ajax/lookup/")
    def ajax_lookup(self) -> Any:
        """Flask-Admin's lookup (the rows a form's picker offers), with its paging and term bounded."""
        loader = self._form_ajax_refs.get(request.args.get("name", ""))
        term = request.args.get("query", "")
        if not loader:
            abort(404)
        why = unsearchable(term)
        if why:
            abort(400, f"Lookup refused: {why}.")
        offset = _bounded(request.args.get("offset", type=int), MAX_OFFSET)
        limit = _bounded(request.args.get("limit", 10, type=int), MAX_LOOKUP)
        data = [loader.format(m) for m in loader.get_list(term, offset, limit)]
        return Response(json.dumps(data), mimetype="application/json")

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        """Links shown on the details page: the record's history, and more in subclasses."""
        return links(("History", history_url(model.id))) if hasattr(model, "id") else []
