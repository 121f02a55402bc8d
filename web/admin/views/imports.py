"""Import customers from a CSV file (admins): check it first, then import; rejected rows are
listed with their line and reason, and offered as a CSV report, as ``touchline import customers``
writes it. The importer is ``web.importers.customers``."""

from __future__ import annotations

import base64
import csv
import io
from pathlib import PurePath
from typing import Any

from eventsourcing.persistence import PersistenceError
from flask import Response, request
from flask_admin import BaseView, expose
from werkzeug.datastructures import CombinedMultiDict

from web.admin.access import ADMINS, Protected
from web.admin.forms.imports import ImportCustomersForm
from web.admin.waiting import wait_for_position
from web.importers.csvfiles import FileRefusedError, Reject, write_rows
from web.importers.customer_rows import COLUMNS, SEGMENT_PREFIX
from web.importers.customers import (
    check_source,
    import_customers,
    owners_in,
)
from web.importers.summary import ImportSummary
from web.services import services

SHOWN_REJECTS = 500  # on the page; the report has them all
TEMPLATE_ROWS = (
    ("external_id", "name", "kind", "email", "phone", "sector", "location", f"{SEGMENT_PREFIX}tier"),
    ("Z-1001", "Ada Lovelace", "person", "ada@example.com", "+44 20 7946 0018", "", "London", "gold"),
    ("Z-1002", "Acme Ltd", "company", "ops@acme.example", "", "manufacturing", "Leeds", ""),
)


def counts(summary: ImportSummary) -> dict[str, int]:
    new, changed = summary.created.get("Customer", 0), summary.changed.get("Customer", 0)
    rejected, skipped = len(summary.rejects), len(summary.skipped)
    return {"new": new, "changed": changed, "rejected": rejected, "skipped": skipped,
            "unchanged": sum(summary.rows_read.values()) - new - changed - rejected - skipped}


def report_link(rejects: list[Reject]) -> str:
    """The reject report as a ``data:`` URL: the page offers it without keeping the rows anywhere."""
    out = io.StringIO()
    write_rows(out, rejects)
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(out.getvalue().encode()).decode()


class ImportCustomersView(Protected, BaseView):
    read_roles = ADMINS
    write_roles = ADMINS

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        posted = request.method == "POST"
        form = ImportCustomersForm(CombinedMultiDict((request.files, request.form)) if posted else None)
        checked = bool(form.check_only.data)
        summary, caught_up = self._run(form, checked) if posted else None, True
        if summary is not None and not checked:
            caught_up = wait_for_position(summary.position)
            form.check_only.data = True  # the next file is checked first too
        return self.render("admin/views/import_customers.html", form=form, summary=summary, caught_up=caught_up,
                           checked=checked, counts=counts(summary) if summary else None,
                           file=next(iter(summary.rows_read), "") if summary else "", shown=SHOWN_REJECTS,
                           columns=COLUMNS, segment_prefix=SEGMENT_PREFIX,
                           report=report_link(summary.rejects) if summary and summary.rejects else None)

    def _run(self, form: ImportCustomersForm, check_only: bool) -> ImportSummary | None:
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = ["Choose a CSV file to import."]
            return None
        try:
            source = check_source(form.source.data or "")
        except FileRefusedError as exc:
            form.source.errors = [str(exc)]
            return None
        found = services()
        name = PurePath(upload.filename.replace("\\", "/")).name  # a browser may send the whole path
        try:
            return import_customers(found.app, found.clock, name, upload.read(), source=source,
                                    owners=owners_in(found.views), check_only=check_only,
                                    ignore_other=bool(form.ignore_other.data))
        except FileRefusedError as exc:
            form.file.errors = [f"{exc}. Nothing was imported."]
        except PersistenceError as exc:  # batches saved before it are kept: a second run finishes the import
            form.file.errors = [f"The import was stopped by the database ({exc}). The rows saved before that are "
                                "kept: import the same file again to finish (saved rows are not imported twice)."]
        return None

    @expose("/template.csv")
    def template(self) -> Response:
        out = io.StringIO()
        csv.writer(out).writerows(TEMPLATE_ROWS)
        return Response(out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=customers-template.csv"})
