"""Sorting every list: each sort key, ascending and descending, paged one item at a time across
ties (equal values, NULLs), on both databases; bad sort keys and cursors of another sort.

The expected orders are computed here, in Python, from the items themselves: by the key, then
the tie-breaker (id; the timeline's position) in the same direction; NULLs last ascending and
first descending.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from domain.clock import FixedClock
from projections.queries.customers import CHURN_SORTS, CUSTOMER_SORTS, TIMELINE_SORTS
from projections.queries.records import DEAL_SORTS
from projections.queries.service import CASE_SORTS, PROMISE_SORTS, REPEAT_SORTS
from tests.web.conftest import ApiClient, build_api

Item = dict[str, Any]
Value = Callable[[Item], Any]


def at(day: str) -> str:
    return f"{day}T09:00:00+00:00"


def instant(name: str) -> Value:
    return lambda item: None if item[name] is None else datetime.fromisoformat(item[name])


def field(name: str) -> Value:
    return lambda item: item[name]


def folded(name: str) -> Value:
    return lambda item: item[name].lower()


def by_id(item: Item) -> Any:
    return item["id"]


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.get_json()
    found: dict[str, Any] = response.get_json()
    return found


class World:
    """Six customers with touchpoints, cases, promises and deals, built so that every sort key
    has ties (and NULLs where the key can be NULL). Names sort regardless of case: "ann" ties "Ann"."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api
        names = [("Ann", "2025-01-01"), ("ann", "2025-01-01"), ("Bob", "2025-01-02"), ("cy", None), ("Bob", None),
                 ("Cy", None)]
        self.customers = [api.customer(name, **({"occurred_at": at(day)} if day else {})) for name, day in names]
        c1, c2, c3, c4, _, _ = self.customers
        for customer, days in ((c1, ("2025-02-01", "2025-02-03", "2025-02-05")), (c3, ("2025-02-03", "2025-02-05"))):
            for day in days:  # the same topic again within 7 days: repeat contacts, gaps of 2 days
                self.touch(customer, "Router broken", at(day))
        for customer, title, value, close in ((c1, "Router", 100, 100), (c3, "Router", 100, 50),
                                              (c2, "Printer", 200, 100)):
            deal = self.post("/api/v1/deals", {"customer_id": customer, "title": title, "value": value,
                                               "owner": self.api.staff("ann"), "occurred_at": at("2025-01-10")})
            self.post(f"/api/v1/deals/{deal}/win", {"close_value": close, "occurred_at": at("2025-01-20")})
        for title, value in (("Printer", 200), ("Fax", 10)):
            self.post("/api/v1/deals", {"customer_id": c4, "title": title, "value": value, "owner": self.api.staff("bob")})
        for customer in (c1, c3):
            case = api.case(customer, priority="high", occurred_at=at("2025-03-01"))["id"]
            self.post(f"/api/v1/cases/{case}/resolve", {"resolution": "Fixed", "occurred_at": at("2025-03-02")})
            self.post(f"/api/v1/cases/{case}/rate", {"score": 5, "occurred_at": at("2025-03-02")})
        for action, body in ((None, {}), ("assign", {"assignee": self.api.staff("ann")}), ("pend", {"reason": "awaiting_customer"})):
            case = api.case(c4)["id"]  # three active cases opened at once: new, open, pending
            if action:
                self.post(f"/api/v1/cases/{case}/{action}", body)
        for customer in (c1, c3):
            promise = self.promise(customer, "2026-03-05", made=at("2025-06-01"))
            self.post(f"/api/v1/promises/{promise}/keep", {"evidence": "Called", "occurred_at": at("2025-06-02")})
        for due, moved in (("2026-03-01", "2026-03-01T08:00:00+00:00"), ("2026-03-10", at("2026-03-05"))):
            promise = self.promise(c4, due, made=at("2026-02-20"))  # a move to before it was made is refused
            self.post(f"/api/v1/promises/{promise}/reschedule", {"due_at": moved, "reason": "Asked to"})
        api.catch_up()

    def post(self, path: str, body: dict[str, Any]) -> str:
        found: str = ok(self.api.post(path, body))["id"]
        return found

    def touch(self, customer: str, subject: str, when: str) -> None:
        self.post("/api/v1/touchpoints", {"customer_id": customer, "channel": "phone", "direction": "inbound",
                                          "kind": "inquiry", "subject": subject, "occurred_at": when})

    def promise(self, customer: str, due: str, made: str | None = None) -> str:
        return self.post("/api/v1/promises", {"customer_id": customer, "what": "Call back", "due_at": at(due),
                                              "owner": self.api.staff("ann"), "channel": "phone",
                                              **({"occurred_at": made} if made else {})})


# listing -> (its path, what it offers, how each key reads from an item, the tie-breaker)
LISTINGS: dict[str, tuple[str, Any, dict[str, Value], Value]] = {
    "customers": ("/api/v1/customers", CUSTOMER_SORTS, {
        "name": folded("name"), "registered_at": instant("registered_at"),
        "last_contact_at": instant("last_contact_at"), "won_value": field("won_value")}, by_id),
    "churn": ("/api/v1/customers/churn-candidates", CHURN_SORTS, {
        "quiet_since": instant("quiet_since"), "name": folded("name"), "won_value": field("won_value")}, by_id),
    "timeline": ("/api/v1/customers/{c1}/timeline", TIMELINE_SORTS, {
        "occurred_at": instant("occurred_at"), "position": field("position")}, field("position")),
    "repeat contacts": ("/api/v1/touchpoints/repeat-contacts", REPEAT_SORTS, {
        "occurred_at": instant("occurred_at")}, by_id),
    "cases": ("/api/v1/cases", CASE_SORTS, {
        "opened_at": instant("opened_at"), "resolved_at": instant("resolved_at")}, by_id),
    "active cases": ("/api/v1/cases?status=active", CASE_SORTS, {
        "opened_at": instant("opened_at"), "resolved_at": instant("resolved_at")}, by_id),
    "promises": ("/api/v1/promises", PROMISE_SORTS, {
        "due_at": instant("due_at"), "made_at": instant("made_at")}, by_id),
    "deals": ("/api/v1/deals", DEAL_SORTS, {
        "opened_at": instant("opened_at"), "value": field("value"), "closed_at": instant("closed_at")}, by_id),
}


def expected_order(items: list[Item], value: Value, tie: Value, descending: bool) -> list[Any]:
    present = sorted((i for i in items if value(i) is not None), key=lambda i: (value(i), tie(i)), reverse=descending)
    nulls = sorted((i for i in items if value(i) is None), key=tie, reverse=descending)
    return [tie(i) for i in (nulls + present if descending else present + nulls)]


def walk(api: ApiClient, path: str, sort: str, tie: Value) -> tuple[list[Any], int]:
    """Every item of the listing in ``sort`` order, one per page; and the number of pages."""
    seen, cursor, pages = [], None, 0
    while True:
        query = f"sort={sort}&limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = ok(api.get(f"{path}{'&' if '?' in path else '?'}{query}"))
        seen += [tie(item) for item in page["items"]]
        pages, cursor = pages + 1, page["next_cursor"]
        if cursor is None:
            return seen, pages


@pytest.fixture
def world(stored_api: ApiClient) -> World:
    return World(stored_api)


@pytest.mark.parametrize("listing", list(LISTINGS))
def test_each_sort_key_pages_in_order_both_ways_across_ties(world: World, listing: str) -> None:
    template, sorting, values, tie = LISTINGS[listing]
    path = template.format(c1=world.customers[0])
    assert set(values) == set(sorting.keys), "every offered key is tested"
    items = ok(world.api.get(f"{path}{'&' if '?' in path else '?'}limit=500"))["items"]
    assert len(items) >= 3
    for key, value in values.items():
        keyed = [value(i) for i in items]
        unique = keyed == [tie(i) for i in items]  # the timeline's position: unique by itself
        assert unique or len(set(keyed)) < len(keyed), f"{listing}: the data has no tie on {key}"
        for sort in (key, f"-{key}"):
            seen, pages = walk(world.api, path, sort, tie)
            assert seen == expected_order(items, value, tie, sort.startswith("-")), f"{listing} sort={sort}"
            assert pages == len(items), f"{listing} sort={sort}"


def test_the_default_orders_are_the_documented_ones(world: World) -> None:
    api = world.api
    names = [c["name"] for c in ok(api.get("/api/v1/customers"))["items"]]
    assert [n.lower() for n in names] == ["ann", "ann", "bob", "bob", "cy", "cy"]  # "ann" among the A's
    churn = ok(api.get("/api/v1/customers/churn-candidates"))["items"]
    assert [c["quiet_since"][:10] for c in churn] == ["2025-01-20", "2025-06-02", "2025-06-02"]
    repeats = ok(api.get("/api/v1/touchpoints/repeat-contacts"))["items"]
    assert [r["occurred_at"][:10] for r in repeats] == ["2025-02-05", "2025-02-05", "2025-02-03"]
    queue = ok(api.get("/api/v1/cases?status=active"))["items"]
    assert sorted(c["status"] for c in queue) == ["new", "open", "pending"]


@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/customers/churn-candidates", "/api/v1/cases",
                                  "/api/v1/promises", "/api/v1/deals", "/api/v1/touchpoints/repeat-contacts",
                                  "/api/v1/customers/{c1}/timeline"])
@pytest.mark.parametrize("sort", ["shoe_size", "-", "--name", "name,-id", "id"])
def test_a_sort_key_the_list_does_not_offer_is_a_422_naming_sort(api: ApiClient, path: str, sort: str) -> None:
    response = api.get(f"{path.format(c1=api.customer())}?sort={sort}")
    assert response.status_code == 422
    assert "sort" in response.get_json()["errors"], response.get_json()


def test_a_cursor_made_for_another_sort_or_list_is_a_400_naming_cursor(world: World) -> None:
    api = world.api
    by_name = ok(api.get("/api/v1/customers?limit=1"))["next_cursor"]
    for elsewhere in ("/api/v1/customers?sort=-name", "/api/v1/customers?sort=registered_at",
                      "/api/v1/customers/churn-candidates?sort=name", "/api/v1/deals?sort=value"):
        response = api.get(f"{elsewhere}&limit=1&cursor={by_name}")
        assert response.status_code == 400, elsewhere
        assert response.get_json()["code"] == "bad_cursor" and "cursor" in response.get_json()["errors"]
    assert ok(api.get(f"/api/v1/customers?sort=name&limit=1&cursor={by_name}"))["items"][0]["name"].lower() == "ann"


HOSTILE = ["2025-01-01T09:00:00", "2025-13-01T09:00:00+00:00", "NaN", "Infinity", "-Infinity", True, 1.5,
           -10**30, 10**19, "x" * 300, "\u0000", "\ud800", {"a": 1}, [1], ""]


@pytest.mark.parametrize("listing", list(LISTINGS))
def test_a_cursor_forged_with_any_value_is_a_400_naming_cursor_never_a_500(
        database_url: str, clock: FixedClock, listing: str) -> None:
    api = build_api(database_url, clock, API_RATE_LIMIT=10**6, API_RATE_BURST=10**6)
    template, sorting, _, _ = LISTINGS[listing]
    path = template.format(c1=api.customer())
    api.catch_up()
    for sort in sorting.options:
        width = len(sorting.keys[sort.removeprefix("-")])
        for slot in range(width):
            for value in HOSTILE:
                after = ["2025-01-01T09:00:00+00:00"] * width
                after[slot] = value
                raw = json.dumps({"sort": f"{sorting.listing}:{sort}", "after": after}).encode()
                cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
                response = api.get(f"{path}{'&' if '?' in path else '?'}sort={sort}&cursor={cursor}")
                assert response.status_code in (200, 400), (sort, slot, value, response.get_json())
                if response.status_code == 400:
                    assert response.get_json()["errors"].keys() == {"cursor"}, (sort, slot, value)
    api.services.close()


def test_every_list_documents_its_sort_keys(api: ApiClient) -> None:
    document = ok(api.get("/api/v1/openapi.json"))
    lists = {}
    for path, operations in document["paths"].items():
        get = operations.get("get", {})
        schema = get.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {}).get("schema")
        if schema and "Page" in schema.get("$ref", ""):
            lists[path] = {p["name"]: p for p in get.get("parameters", []) if "name" in p}
    assert len(lists) >= 7
    for path, parameters in lists.items():
        if path.startswith("/api/v1/sla/"):
            continue  # the SLA endpoints' own module decides their order
        sort = parameters.get("sort")
        assert sort and "-" + sort["schema"]["enum"][0] in sort["schema"]["enum"], path
