"""Requests no page of the panel sends, answered as their honest neighbours are instead of with a
500: a record command, bulk command, details or attempts page whose id is missing or malformed
finds no record, as for an unknown id; a page, lookup, search or filter value beyond what the
databases take (64-bit offsets, SQLite's 50,000-byte LIKE pattern, PostgreSQL's NUL, NaN amounts)
is bounded, or refused with a message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from flask_admin.contrib.sqla.filters import FilterLike
from flask_admin.model.filters import (
    BaseFloatFilter,
    BaseFloatListFilter,
    BaseIntFilter,
    BaseIntListFilter,
)

from domain.clock import FixedClock
from tests.web.admin.conftest import Panel, build_panel
from tests.web.admin.pages_data import T0
from web.admin.commands import CommandView
from web.admin.views.base import ListView

# Every list with record commands, and the command tried on it.
COMMANDS = {"cases": "resolve", "my_cases": "resolve", "unassigned_cases": "resolve", "promises": "keep",
            "promises_due_today": "keep", "overdue_promises": "keep", "deals": "win", "customers": "erase",
            "touchpoints": "retract", "repeat_contacts": "retract", "users": "deactivate", "tokens": "revoke",
            "sla_policies": "retire", "articles": "publish", "webhooks": "pause", "outbox": "requeue"}
LISTS = (*COMMANDS, "sla_breaches", "sla_open", "message-templates")
BULK = {"cases": "resolve", "my_cases": "resolve", "unassigned_cases": "resolve", "promises": "keep",
        "promises_due_today": "keep", "overdue_promises": "keep", "tokens": "revoke", "articles": "publish",
        "webhooks": "pause", "outbox": "requeue"}
BULK_VALUES = {"resolution": "Fixed", "evidence": "Called back", "reason": "Tidying up"}  # fills any bulk form
AT_ONCE = {"cases": "assign_to_me", "my_cases": "assign_to_me", "unassigned_cases": "assign_to_me",
           "articles": "publish", "webhooks": "resume", "outbox": "requeue"}  # list actions without a form
LOOKUPS = ("cases", "my_cases", "unassigned_cases", "promises", "promises_due_today", "overdue_promises", "deals",
           "customers", "touchpoints", "repeat_contacts")  # lists whose forms pick a customer
CONTAINS = ("customers", "users", "tokens", "sla_policies", "articles")  # lists with a text "contains" filter
MALFORMED_IDS = {"no-id": "", "empty-id": "?id=", "two-parts": "?id=a,b"}
HUGE = "99999999999999999999"
# What the databases cannot search for: past SQLite's LIKE pattern limit; a NUL, which PostgreSQL refuses.
UNSEARCHABLE = {"too-long": ("x" * 60_000, "over 1,000 characters"), "nul": ("a%00b", "a NUL character in it")}


@pytest.fixture(scope="module")
def shared_panel(module_database_url: str) -> Iterator[Panel]:
    """One panel per backend for the whole module: none of these requests writes anything."""
    built = build_panel(module_database_url, FixedClock(T0))
    yield built
    built.services.close()


@pytest.fixture(scope="module")
def admin(shared_panel: Panel) -> FlaskClient:
    return shared_panel.client("admin")


@pytest.fixture(scope="module")
def exporter(shared_panel: Panel) -> FlaskClient:
    """Another admin session, for CSV exports: their messages wait for a page that ``admin`` must not see."""
    return shared_panel.client("admin")


def list_views(panel: Panel) -> dict[str, ListView]:
    return {v.url.removeprefix("/admin/"): v for v in panel.app.extensions["admin"][0]._views
            if isinstance(v, ListView)}


def filter_keys(panel: Panel, name: str, *kinds: type) -> list[str]:
    return [key for key, (_, flt) in (list_views(panel)[name]._filter_args or {}).items() if isinstance(flt, kinds)]


def test_these_cases_cover_every_list_of_the_panel(shared_panel: Panel) -> None:
    views = list_views(shared_panel)
    assert set(views) == set(LISTS)
    assert {n for n, v in views.items() if isinstance(v, CommandView) and v.row_commands} == set(COMMANDS)
    assert {n for n, v in views.items() if any(c.bulk for c in getattr(v, "row_commands", ()))} == set(BULK)
    assert {n for n, v in views.items() if v._form_ajax_refs} == set(LOOKUPS)
    assert {n for n in views if filter_keys(shared_panel, n, FilterLike)} == set(CONTAINS)


# Ids -----------------------------------------------------------------------------------
@pytest.mark.parametrize("query", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
@pytest.mark.parametrize("name", COMMANDS)
def test_a_record_command_without_a_usable_id_is_not_found(shared_panel: Panel, admin: FlaskClient, name: str,
                                                           query: str) -> None:
    url = f"/admin/{name}/act/{COMMANDS[name]}/{query}"
    assert admin.get(url).status_code == 404
    assert admin.post(url, data={"csrf_token": shared_panel.csrf(admin)}).status_code == 404


@pytest.mark.parametrize("rowid", ["", "a,b"])
@pytest.mark.parametrize("name", BULK)
def test_a_bulk_command_on_a_malformed_id_reports_it_not_found(shared_panel: Panel, admin: FlaskClient, name: str,
                                                               rowid: str) -> None:
    before = shared_panel.event_count()
    response = admin.post(f"/admin/{name}/bulk/{BULK[name]}/", follow_redirects=True,
                          data={**BULK_VALUES, "rowid": rowid, "csrf_token": shared_panel.csrf(admin)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"record {rowid} not found" in page and "done for 0 of 1 selected" in page
    assert shared_panel.event_count() == before


@pytest.mark.parametrize("name", AT_ONCE)
def test_a_list_action_on_a_malformed_id_reports_it_not_found(shared_panel: Panel, admin: FlaskClient,
                                                              name: str) -> None:
    response = admin.post(f"/admin/{name}/action/", follow_redirects=True,
                          data={"action": AT_ONCE[name], "rowid": "a,b", "csrf_token": shared_panel.csrf(admin)})
    assert response.status_code == 200
    assert "record a,b not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", LISTS)
def test_details_of_an_id_with_the_wrong_number_of_parts_do_not_exist(admin: FlaskClient, name: str) -> None:
    # One part too many for a plain id; one too few for an SLA target's (case, target, cycle).
    response = admin.get(f"/admin/{name}/details/?id=a,b", follow_redirects=True)
    assert response.status_code == 200
    assert "Record does not exist." in response.get_data(as_text=True)


@pytest.mark.parametrize("query", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
def test_the_attempts_of_no_webhook_are_not_found(admin: FlaskClient, query: str) -> None:
    assert admin.get(f"/admin/webhooks/attempts/{query}").status_code == 404


# Pages and lookups ---------------------------------------------------------------------
@pytest.mark.parametrize("name", LISTS)
def test_a_page_past_any_offset_the_database_takes_is_an_empty_page(admin: FlaskClient, name: str) -> None:
    assert admin.get(f"/admin/{name}/?page={HUGE}").status_code == 200


@pytest.mark.parametrize("paging", [f"limit={HUGE}", f"offset={HUGE}"])
@pytest.mark.parametrize("name", LOOKUPS)
def test_a_lookup_answers_a_bounded_page(admin: FlaskClient, name: str, paging: str) -> None:
    response = admin.get(f"/admin/{name}/ajax/lookup/?name=customer_id&query=a&{paging}")
    assert response.status_code == 200 and isinstance(response.get_json(), list)


# Search and filters --------------------------------------------------------------------
@pytest.mark.parametrize("term", UNSEARCHABLE.values(), ids=UNSEARCHABLE.keys())
@pytest.mark.parametrize("name", LISTS)
def test_a_search_the_database_cannot_run_is_ignored_with_a_message(admin: FlaskClient, exporter: FlaskClient,
                                                                    name: str, term: tuple[str, str]) -> None:
    text, why = term
    response = admin.get(f"/admin/{name}/?search={text}")
    assert response.status_code == 200
    assert f"Search ignored: {why}." in response.get_data(as_text=True)
    assert exporter.get(f"/admin/{name}/export/csv/?search={text}").status_code == 200


@pytest.mark.parametrize("term", UNSEARCHABLE.values(), ids=UNSEARCHABLE.keys())
@pytest.mark.parametrize("name", LOOKUPS)
def test_a_lookup_the_database_cannot_run_is_refused(admin: FlaskClient, name: str, term: tuple[str, str]) -> None:
    response = admin.get(f"/admin/{name}/ajax/lookup/?name=customer_id&query={term[0]}")
    assert response.status_code == 400 and f"Lookup refused: {term[1]}." in response.get_data(as_text=True)


@pytest.mark.parametrize("term", UNSEARCHABLE.values(), ids=UNSEARCHABLE.keys())
@pytest.mark.parametrize("name", CONTAINS)
def test_a_contains_filter_the_database_cannot_run_is_ignored_with_a_message(
        shared_panel: Panel, admin: FlaskClient, exporter: FlaskClient, name: str, term: tuple[str, str]) -> None:
    text, why = term
    for key in filter_keys(shared_panel, name, FilterLike):
        response = admin.get(f"/admin/{name}/?flt0_{key}={text}")
        assert response.status_code == 200
        assert f"ignored: {why}." in response.get_data(as_text=True)
        assert exporter.get(f"/admin/{name}/export/csv/?flt0_{key}={text}").status_code == 200


def test_a_new_record_form_prefilled_with_a_malformed_customer_id_picks_none(shared_panel: Panel,
                                                                             admin: FlaskClient) -> None:
    # A 500 on PostgreSQL (a NUL in text); SQLite looks it up like any character and finds nothing.
    for name in LOOKUPS:
        if getattr(list_views(shared_panel)[name], "create_command", None) is not None:
            assert admin.get(f"/admin/{name}/new/?customer_id=a%00b").status_code == 200, name


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e300", "1,nan"])
def test_a_deal_value_filter_refuses_what_no_amount_is(shared_panel: Panel, admin: FlaskClient, value: str) -> None:
    keys = filter_keys(shared_panel, "deals", BaseFloatFilter, BaseFloatListFilter)
    assert len(keys) == 6  # equal, not equal, greater, smaller, in list, not in list
    for key in keys:
        response = admin.get(f"/admin/deals/?flt0_{key}={value}")
        assert response.status_code == 200
        assert f"Invalid Filter Value: {value}" in response.get_data(as_text=True)
        assert "Invalid Filter Value" not in admin.get(f"/admin/deals/?flt0_{key}=1500.5").get_data(as_text=True)


def test_a_count_filter_refuses_a_number_past_64_bits(shared_panel: Panel, admin: FlaskClient) -> None:
    for key in filter_keys(shared_panel, "customers", BaseIntFilter, BaseIntListFilter):
        response = admin.get(f"/admin/customers/?flt0_{key}={HUGE}")
        assert response.status_code == 200
        assert f"Invalid Filter Value: {HUGE}" in response.get_data(as_text=True)

