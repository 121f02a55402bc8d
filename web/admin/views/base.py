"""The read side of every list: a read-only ORM session over the read models and ``ListView``,
the Flask-Admin sqla view the panel's lists share (search, filters, sort, pages, CSV, details)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from flask_admin.contrib.sqla import ModelView
from flask_admin.form import BaseForm
from sqlalchemy.orm import scoped_session, sessionmaker

from projections.models import ReadOnlySession
from web.admin.access import Protected
from web.admin.views.display import TYPE_FORMATTERS, history_url, links
from web.admin.views.filters import ReadModelFilters
from web.services import services


class PanelSession(ReadOnlySession):
    """Reads the current Flask app's read models (each app, e.g. each test, has its own engine)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, **kwargs: Any) -> sa.Engine:
        return services().views


# One session per request thread, removed when the request ends (``ListView.create_blueprint``).
read_session = scoped_session(sessionmaker(class_=PanelSession))


class ListView(Protected, ModelView):
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

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        """Links shown on the details page: the record's history, and more in subclasses."""
        return links(("History", history_url(model.id))) if hasattr(model, "id") else []
