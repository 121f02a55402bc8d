"""Settings > Import customers: admins check a CSV file, then import it; the page lists the
rejected rows with their line and offers them as a CSV report; a file that cannot be used, a
missing file or a bad source is an error on its field, and nothing is written."""

from __future__ import annotations

import base64
import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from domain.clock import FixedClock
from domain.customers.model import email_customer_id, imported_customer_id
from tests.web.admin.conftest import Panel, build_panel, projecting
from tests.web.admin.matrix import assert_matrix

URL = "/admin/import/customers/"
ADMIN_ONLY = {"admin": "ok", "agent": "forbidden", "auditor": "forbidden", "anonymous": "login"}
FILE = b"""External ID,Name,Kind,Email,Phone,Sector
Z-1,Ada Lovelace,person,ada@example.com,+44 20 7946 0018,
Z-2,Acme Ltd,company,ops@acme.example,,manufacturing
Z-3,Bad Address,,not-an-address,,
"""


def upload(panel: Panel, client: FlaskClient, data: bytes | None, *, check: bool, name: str = "customers.csv",
           **fields: Any) -> TestResponse:
    form: dict[str, Any] = {"source": "zendesk", **fields}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    if check:
        form["check_only"] = "y"
    return panel.post(client, URL, form, content_type="multipart/form-data")


def text_of(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


def field_error(response: TestResponse, field: str) -> str:
    """The text after the field's input: where its error shows."""
    return text_of(response).split(f'id="{field}"', 1)[1][:700]


def test_only_admins_reach_the_import_page(panel: Panel) -> None:
    assert_matrix(panel, [(f"GET {URL}", "", None, ADMIN_ONLY), (f"GET {URL}template.csv", "", None, ADMIN_ONLY)])
    agent = panel.client("agent")
    token = panel.csrf(agent, "/admin/customers/")
    before = panel.event_count()
    response = agent.post(URL, data={"file": (io.BytesIO(FILE), "c.csv"), "source": "csv", "csrf_token": token},
                          content_type="multipart/form-data")
    assert response.status_code == 403
    assert panel.event_count() == before


def test_a_check_lists_what_the_import_would_do_and_writes_nothing(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    page = upload(panel, admin, FILE, check=True)
    assert page.status_code == 200
    shown = text_of(page)
    assert "Checked customers.csv: nothing was written." in shown
    assert "would register 2 new customers and update 0; 0 already match; 1 row would be rejected" in shown
    assert "<td>4</td><td>email: &#39;not-an-address&#39; is not an email address</td>" in shown
    assert panel.event_count() == before
    # The report, as the command writes it: file, line, reason, the raw row.
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="import-rejects.csv"', shown)
    assert link, shown
    report = list(csv.reader(io.StringIO(base64.b64decode(link.group(1)).decode())))
    assert report == [["file", "line", "reason", "raw"],
                      ["customers.csv", "4", "email: 'not-an-address' is not an email address",
                       "Z-3,Bad Address,,not-an-address,,"]]


def test_an_import_registers_the_customers_and_the_list_shows_them(panel: Panel) -> None:
    admin = panel.client("admin")
    with projecting(panel):
        page = upload(panel, admin, FILE, check=False)
    shown = text_of(page)
    assert "Imported customers.csv:</strong> 2 new customers, 0 updated, 0 already up to date, 1 row rejected." in shown
    assert "still updating" not in shown
    ada = panel.services.app.get_customer(imported_customer_id("zendesk", "Z-1"))
    assert (ada.name, ada.external_ref) == ("Ada Lovelace", "zendesk:Z-1")
    listed = admin.get("/admin/customers/").get_data(as_text=True)
    assert "Ada Lovelace" in listed and "Acme Ltd" in listed
    assert re.search(r'<input checked[^>]*id="check_only"', page.get_data(as_text=True))  # checked first again
    # Again: nothing new, the rejected row still rejected.
    again = text_of(upload(panel, admin, FILE, check=False))
    assert "0 new customers, 0 updated, 2 already up to date, 1 row rejected" in again


def test_a_row_with_a_known_address_updates_that_customer(panel: Panel) -> None:
    app = panel.services.app
    app.register_customer(id=email_customer_id("ada@example.com"), name="ada@example.com", occurred_at=panel.clock.now(),
                          actor="system:mail", contact_points=[{"kind": "email", "value": "ada@example.com"}])
    panel.catch_up()
    shown = text_of(upload(panel, panel.client("admin"), FILE, check=True))
    assert "would register 1 new customer and update 1" in shown


def test_a_file_that_cannot_be_used_is_an_error_on_the_file_field(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    wrong = upload(panel, admin, b"name,emial\nAda,ada@example.com\n", check=False)
    assert wrong.status_code == 200
    assert "wrong columns: unexpected &#39;emial&#39;" in field_error(wrong, "file")
    assert "Nothing was imported." in field_error(wrong, "file")
    latin1 = upload(panel, admin, "name,email\nJosé,jose@example.com\n".encode("latin-1"), check=False)
    assert "not UTF-8 text on line 2" in field_error(latin1, "file")
    missing = upload(panel, admin, None, check=False)
    assert "Choose a CSV file to import." in field_error(missing, "file")
    empty = upload(panel, admin, b"", check=False)
    assert "is empty (no header row)" in field_error(empty, "file")
    assert panel.event_count() == before


def test_a_source_that_cannot_name_a_system_is_an_error_on_its_field(panel: Panel) -> None:
    before = panel.event_count()
    page = upload(panel, panel.client("admin"), FILE, check=False, source="my crm")
    assert "cannot name a system" in field_error(page, "source")
    assert panel.event_count() == before
    blank = text_of(upload(panel, panel.client("admin"), FILE, check=True, source=" "))
    assert "would register 2 new customers" in blank  # left blank: the default source, csv


def test_an_upload_without_the_csrf_token_is_refused(panel: Panel) -> None:
    admin = panel.client("admin")
    response = admin.post(URL, data={"file": (io.BytesIO(FILE), "c.csv"), "source": "csv"},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    assert imported_customer_id("csv", "Z-1") not in panel.services.app.repository


def test_the_template_is_a_file_the_import_takes_without_a_rejected_row(panel: Panel) -> None:
    admin = panel.client("admin")
    template = admin.get(f"{URL}template.csv")
    assert template.headers["Content-Disposition"] == "attachment; filename=customers-template.csv"
    shown = text_of(upload(panel, admin, template.get_data(), check=True))
    assert "would register 2 new customers and update 0; 0 already match; 0 rows would be rejected" in shown
    assert "Import customers" in text_of(admin.get("/admin/"))  # in the menu


def test_a_file_over_the_request_limit_comes_back_to_the_page_with_a_message(clock: FixedClock, tmp_path: Path) -> None:
    small = build_panel(f"sqlite:///{tmp_path / 'small.db'}", clock, MAX_REQUEST_MB=1)
    try:
        admin = small.client("admin")
        big = b"name,email\n" + b"".join(b"Customer %d,c%d@example.com\n" % (n, n) for n in range(60_000))
        before = small.event_count()
        response = upload(small, admin, big, check=False)
        assert (response.status_code, response.headers["Location"]) == (303, URL)
        page = text_of(admin.get(URL))
        assert "over the limit of 1 MB (TOUCHLINE_MAX_REQUEST_MB), so nothing of it was read" in page
        assert small.event_count() == before
    finally:
        small.services.close()


def test_a_database_stopping_the_import_is_a_message_not_an_error_page(
    panel: Panel, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr("web.admin.views.imports.import_customers", stopped)
    page = upload(panel, panel.client("admin"), FILE, check=False)
    assert page.status_code == 200
    assert "The import was stopped by the database (database is locked)" in field_error(page, "file")
    assert "import the same file again to finish" in field_error(page, "file")


def test_other_columns_are_read_past_when_the_box_is_ticked(panel: Panel) -> None:
    export = b"Record ID,First Name,Last Name,Email,Lifecycle Stage\n17,Ada,Lovelace,ada@example.com,lead\n"
    admin = panel.client("admin")
    refused = upload(panel, admin, export, check=True)
    assert "unexpected &#39;Record ID&#39;, &#39;Lifecycle Stage&#39;" in field_error(refused, "file")
    shown = text_of(upload(panel, admin, export, check=True, ignore_other="y"))
    assert "would register 1 new customer" in shown and "Columns read past: Record ID, Lifecycle Stage." in shown
