"""``touchline customers erase``, on SQLite and PostgreSQL: by id or email, bad input exits
non-zero with a message, and after an erasure the API, ``audit show``, ``audit export`` (and a
store imported from it) and ``audit verify`` all agree: "[erased]", figures and trail intact."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask import Flask

from domain.clock import FixedClock
from domain.personal import ERASED
from tests.web.conftest import ApiClient, build_api
from tests.web.test_cli_audit import apps, databases, invoke, same_tables, views_url  # noqa: F401 (fixtures)

SECRETS = ("Ada", "ada@example.com", "smells smoke")


@pytest.fixture
def stored_api(database_url: str, clock: FixedClock) -> Iterator[ApiClient]:
    """The API on both databases, with an audit key (``audit verify`` needs one on PostgreSQL)."""
    client = build_api(database_url, clock, AUDIT_KEY="test audit key")
    yield client
    client.services.close()


@pytest.fixture
def ada(stored_api: ApiClient) -> dict[str, str]:
    customer = stored_api.customer("Ada Lovelace", contact_points=[{"kind": "email", "value": "ada@example.com"}])
    case = stored_api.case(customer, subject="Ada's printer", description="Ada smells smoke")
    stored_api.customer("Bob Byte", contact_points=[{"kind": "email", "value": "bob@example.com"}])
    stored_api.catch_up()
    return {"customer": customer, "case": case["id"]}


def erase(api: ApiClient, *args: str) -> Any:
    return invoke(api.app, "customers", "erase", *args)


def test_erase_by_email_then_every_api_read_shows_erased(stored_api: ApiClient, ada: dict[str, str]) -> None:
    result = erase(stored_api, "ADA@example.com", "--reason", "GDPR request 17")
    assert result.exit_code == 0, result.output
    assert f"erased customer {ada['customer']}" in result.output
    stored_api.catch_up()
    customer = stored_api.get(f"/api/v1/customers/{ada['customer']}").get_json()
    timeline = stored_api.get(f"/api/v1/customers/{ada['customer']}/timeline").get_json()
    history = stored_api.get(f"/api/v1/aggregates/{ada['case']}").get_json()
    text = json.dumps([customer, timeline, history])
    assert not [s for s in SECRETS if s in text], text
    assert ERASED in json.dumps(customer) and "Personal data erased: GDPR request 17" in json.dumps(timeline)
    bob = stored_api.get("/api/v1/customers").get_json()
    assert "bob@example.com" in json.dumps(bob)


def test_erase_by_the_email_of_a_merged_duplicate_erases_the_person_it_was_merged_into(
        stored_api: ApiClient, ada: dict[str, str]) -> None:
    duplicate = stored_api.customer("A. Lovelace", contact_points=[{"kind": "email", "value": "ada.l@work.example"}])
    app = stored_api.services.app
    app.merge_customers(UUID(duplicate), survivor_id=UUID(ada["customer"]), occurred_at=stored_api.services.clock.now(),
                        actor="user:admin")
    stored_api.catch_up()
    result = erase(stored_api, "ada.l@work.example", "--reason", "GDPR request 18")
    assert result.exit_code == 0, result.output
    assert f"{duplicate} was merged into {ada['customer']}" in result.output
    assert app.get_customer(UUID(ada["customer"])).name == app.get_customer(UUID(duplicate)).name == ERASED


def test_after_erasure_new_records_about_the_customer_are_a_409_naming_customer_id(
        stored_api: ApiClient, ada: dict[str, str]) -> None:
    """A telephony system that kept the id would post calls whose content is thrown away."""
    assert erase(stored_api, ada["customer"], "--reason", "GDPR").exit_code == 0
    events = stored_api.event_count()
    response = stored_api.post("/api/v1/touchpoints", {"customer_id": ada["customer"], "channel": "phone",
                                                       "direction": "inbound", "kind": "inquiry", "subject": "Hello"})
    assert (response.status_code, response.get_json()["code"]) == (409, "customer_erased")
    assert "register them again" in response.get_json()["errors"]["customer_id"][0]
    assert stored_api.event_count() == events


@pytest.mark.parametrize("args, message", [
    (["00000000-0000-0000-0000-000000000007", "--reason", "x"], "no customer 00000000-0000-0000-0000-000000000007"),
    (["nobody@example.com", "--reason", "x"], "no customer with the email address 'nobody@example.com'"),
    (["nonsense", "--reason", "x"], "neither a customer id (UUID) nor an email address"),
    (["ada@example.com", "--reason", " "], "reason"),
])
def test_erase_refuses_bad_input(stored_api: ApiClient, ada: dict[str, str], args: list[str], message: str) -> None:
    result = erase(stored_api, *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert stored_api.get(f"/api/v1/customers/{ada['customer']}").get_json()["customer"]["name"] == "Ada Lovelace"


def test_erase_needs_a_reason_and_refuses_a_second_erasure(stored_api: ApiClient, ada: dict[str, str]) -> None:
    assert erase(stored_api, ada["customer"]).exit_code == 2  # usage: --reason is required
    assert erase(stored_api, ada["customer"], "--reason", "GDPR").exit_code == 0
    again = erase(stored_api, ada["customer"], "--reason", "GDPR")
    assert again.exit_code == 1 and "was erased already" in again.output


def test_audit_show_export_import_and_verify_after_erasure(
        stored_api: ApiClient, ada: dict[str, str], tmp_path: Path, database_url: str,
        databases: Callable[[], str], apps: Callable[[str], Flask]) -> None:  # noqa: F811
    assert erase(stored_api, ada["customer"], "--reason", "GDPR").exit_code == 0
    shown = invoke(stored_api.app, "audit", "show", ada["case"])
    assert shown.exit_code == 0 and ERASED in shown.output and not [s for s in SECRETS if s in shown.output]
    out = tmp_path / "events.ndjson"
    assert invoke(stored_api.app, "audit", "export", "--out", str(out)).exit_code == 0
    exported = out.read_text()
    assert not [s for s in SECRETS if s in exported] and "Bob Byte" in exported and '"sealed"' not in exported
    verified = invoke(stored_api.app, "audit", "verify")
    assert verified.exit_code == 0, verified.output

    copy_url = databases()
    copy = apps(copy_url)
    assert invoke(copy, "audit", "import", "--allow-unverified", str(out)).exit_code == 0  # another key signed it
    stored_api.catch_up()
    copy.extensions["touchline"].projection_runner().catch_up()
    assert same_tables(views_url(stored_api.services.storage.views_url),
                       views_url(copy.extensions["touchline"].storage.views_url)) == []
    copied = build_api(copy_url, stored_api.services.clock)
    try:
        names = {c["name"] for c in copied.get("/api/v1/customers").get_json()["items"]}
    finally:
        copied.services.close()
    assert names == {ERASED, "Bob Byte"}


def test_a_persons_data_export_holds_every_record_about_them_with_its_history(
        stored_api: ApiClient, ada: dict[str, str], tmp_path: Path) -> None:
    """Their right of access: the merged duplicate's records too, personal fields readable, the
    file owner-only, the read recorded; after an erasure the same export holds nothing of them."""
    api, app = stored_api, stored_api.services.app
    duplicate = api.customer("A. Lovelace", contact_points=[{"kind": "email", "value": "ada.l@work.example"}])
    api.post("/api/v1/touchpoints", {"customer_id": duplicate, "channel": "phone", "direction": "inbound",
                                     "kind": "inquiry", "subject": "Ada calls about the smoke"})
    app.merge_customers(UUID(duplicate), survivor_id=UUID(ada["customer"]), occurred_at=api.services.clock.now(),
                        actor="user:admin")
    api.catch_up()
    out = tmp_path / "ada.json"
    result = invoke(api.app, "customers", "export", "ada.l@work.example", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"exported customer {ada['customer']} (into which {duplicate} was merged)" in result.output
    assert out.stat().st_mode & 0o777 == 0o600
    found = json.loads(out.read_text(encoding="utf-8"))
    assert {c["id"] for c in found["customers"]} == {ada["customer"], duplicate}
    assert [c["id"] for c in found["cases"]] == [ada["case"]]
    assert [e["type"] for e in found["cases"][0]["events"]][:1] == ["Case.Opened"]
    assert found["cases"][0]["events"][0]["data"]["description"] == "Ada smells smoke"
    assert [t["events"][0]["data"]["subject"] for t in found["touchpoints"]] == ["Ada calls about the smoke"]
    assert "bob@example.com" not in out.read_text(encoding="utf-8")  # nobody else's
    assert found["read_models_position"] == api.event_count() - 1  # the one event after: this export's audit read
    assert api.get(f"/api/v1/customers/{ada['customer']}/export").get_json()["cases"] == found["cases"]

    erase(api, ada["customer"], "--reason", "GDPR")
    api.catch_up()
    after = api.get(f"/api/v1/customers/{duplicate}/export").get_json()
    text = json.dumps(after)
    assert after["customer_id"] == ada["customer"] and not [s for s in SECRETS if s in text], text


def test_the_export_needs_the_audit_scope_and_a_customer(stored_api: ApiClient, ada: dict[str, str]) -> None:
    api = stored_api
    narrow = api.token("read:customers")
    assert api.get(f"/api/v1/customers/{ada['customer']}/export", token=narrow).status_code == 403
    assert api.get(f"/api/v1/customers/{ada['case']}/export").status_code == 404  # a case, not a customer
    result = invoke(api.app, "customers", "export", "nobody@example.com", "--out", "/tmp/never-written.json")
    assert result.exit_code == 1 and "no customer with the email address" in result.output
