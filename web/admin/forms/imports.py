"""The form that imports a customers CSV file (``web.admin.views.imports``)."""

from __future__ import annotations

from flask_admin.form import BaseForm
from wtforms import BooleanField, FileField, StringField

from web.importers.customers import DEFAULT_SOURCE


class ImportCustomersForm(BaseForm):
    file = FileField("CSV file", description="UTF-8, a header row first; the columns are listed below.")
    source = StringField(
        "Source", default=DEFAULT_SOURCE,
        description="The system the external_id values come from (zendesk, hubspot...): the same source and "
                    "external_id are the same customer on every import, so importing a file again updates them.")
    ignore_other = BooleanField("Ignore other columns",
                                description="Read past the columns listed below as unknown (an export's own, such as "
                                            "an owner or a lifecycle stage) instead of refusing the file.")
    check_only = BooleanField("Check only", default=True,
                              description="Report what the import would do, and the rows it would reject; write "
                                          "nothing. Untick to import.")
