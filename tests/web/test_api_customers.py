"""Customer endpoints: pages and their edges, filters, the 360 view, timeline, churn, ETags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from projections.queries.customers import LIST_LIMIT
from tests.web.conftest import ApiClient


@pytest.fixture
def five(api: ApiClient) -> list[str]:
    names = ["Ada", "Bea", "Cyd", "Dee", "Eve"]
    for name in reversed(names):
        api.customer(name, segment={"sector": "retail" if name in ("Bea", "Dee") else "software"},
                     contact_points=[{"kind": "email", "value": f"{name.lower()}@example.com"}])
    api.catch_up()
    return names


@pytest.mark.parametrize("limit, pages", [(1, 5), (2, 3), (5, 1), (500, 1)])
def test_pages_cover_every_customer_once_and_the_last_has_no_cursor(
    api: ApiClient, five: list[str], limit: int, pages: int
) -> None:
    seen, cursor, count = [], None, 0
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"/api/v1/customers?{query}").get_json()
        seen += [c["name"] for c in page["items"]]
        count += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == five and count == pages


def test_an_empty_list_is_one_page_without_cursor(api: ApiClient) -> None:
    assert api.get("/api/v1/customers").get_json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("cursor", ["garbage!", "WzFd", "eyJhIjogMX0"])
def test_a_cursor_not_made_by_this_listing_is_a_400(api: ApiClient, five: list[str], cursor: str) -> None:
    response = api.get(f"/api/v1/customers?cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.get_json()["errors"]


def test_customers_filter_by_search_and_sector(api: ApiClient, five: list[str]) -> None:
    assert [c["name"] for c in api.get("/api/v1/customers?search=EVE@").get_json()["items"]] == ["Eve"]
    retail = api.get("/api/v1/customers?sector=retail").get_json()["items"]
    assert [c["name"] for c in retail] == ["Bea", "Dee"]


@pytest.mark.parametrize("typed", ["_", "%", "\\"])
def test_a_search_for_a_wildcard_character_finds_it_typed_not_everyone(api: ApiClient, five: list[str],
                                                                        typed: str) -> None:
    api.customer(f"Odd{typed}Name")
    api.catch_up()
    found = api.get("/api/v1/customers", query_string={"search": typed}).get_json()["items"]
    assert [c["name"] for c in found] == [f"Odd{typed}Name"]


def test_an_integrator_finds_the_customer_by_email_phone_or_its_own_id(api: ApiClient) -> None:
    """A telephony system looks the caller up by number; a shop by its own customer id."""
    ada = api.customer("Ada", contact_points=[{"kind": "email", "value": "ada@example.com"},
                                              {"kind": "mobile", "value": "+1 (555) 010-2030"}], external_ref="shop-17")
    api.customer("Bob", contact_points=[{"kind": "phone", "value": "+1 555 010 2031"}])
    api.catch_up()
    for query in ("email=ADA@example.com", "phone=%2B15550102030", "phone=1-555-010-2030", "external_ref=shop-17"):
        found = api.get(f"/api/v1/customers?{query}").get_json()["items"]
        assert [(c["id"], c["external_ref"]) for c in found] == [(ada, "shop-17")], query
    for query in ("email=nobody@example.com", "phone=5550102030", "external_ref=shop-18"):
        assert api.get(f"/api/v1/customers?{query}").get_json()["items"] == [], query
    bad = api.get("/api/v1/customers?phone=call%20me")
    assert bad.status_code == 422 and "phone" in bad.get_json()["errors"]


def test_any_address_of_a_customer_and_any_id_linked_to_them_finds_them(api: ApiClient) -> None:
    app = api.services.app
    ada = api.customer("Ada", contact_points=[{"kind": "email", "value": "ada@example.com"},
                                              {"kind": "email", "value": "ada@work.example"}], external_ref="shop-17")
    customer = app.get_customer(UUID(ada))
    customer.link_external_ref(external_ref="zendesk:4711", occurred_at=api.services.clock.now(), actor="import:csv")
    app.save(customer)
    api.catch_up()
    for query in ("email=ada@work.example", "external_ref=zendesk:4711", "external_ref=shop-17"):
        assert [c["id"] for c in api.get(f"/api/v1/customers?{query}").get_json()["items"]] == [ada], query


def test_merging_through_the_api_and_a_lookup_then_finds_the_survivor(api: ApiClient) -> None:
    """The phone-only and the email-only record of one caller: merged by the integrator, found
    by either address as the customer that stays."""
    phone_only = api.customer("Carla", contact_points=[{"kind": "phone", "value": "+1 555 010 2030"}])
    email_only = api.customer("Carla C.", contact_points=[{"kind": "email", "value": "carla@example.com"}])
    merged = api.post(f"/api/v1/customers/{email_only}/merge", {"survivor_id": phone_only},
                      headers={"If-Match": '"1"'})
    assert merged.status_code == 200 and merged.get_json()["id"] == phone_only  # the survivor's receipt
    api.catch_up()
    for query in ("email=carla@example.com", "phone=15550102030"):
        assert [c["id"] for c in api.get(f"/api/v1/customers?{query}").get_json()["items"]] == [phone_only], query
    survivor = api.get(f"/api/v1/customers/{phone_only}").get_json()["customer"]
    assert (survivor["phone"], survivor["email"]) == ("+1 555 010 2030", "carla@example.com")  # took the address
    again = api.post(f"/api/v1/customers/{email_only}/merge", {"survivor_id": phone_only})
    assert again.status_code == 409  # merged already: act on the survivor


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"survivor_id": "00000000-0000-4000-8000-000000000001"}, 422, "survivor_id"), ({}, 422, "survivor_id"),
    ({"survivor_id": "not-a-uuid"}, 422, "survivor_id"),
])
def test_a_merge_into_nobody_is_refused_on_survivor_id_and_writes_nothing(
        api: ApiClient, body: dict[str, str], status: int, field: str) -> None:
    duplicate = api.customer("Dup")
    events = api.event_count()
    response = api.post(f"/api/v1/customers/{duplicate}/merge", body)
    assert response.status_code == status and field in response.get_json()["errors"]
    assert api.event_count() == events


def test_an_erased_customer_is_neither_merged_nor_merged_into(api: ApiClient) -> None:
    erased, returned = api.customer("Ada"), api.customer("Ada")
    api.services.app.erase_customer(UUID(erased), reason="GDPR", occurred_at=api.services.clock.now(),
                                    actor="user:admin")
    events = api.event_count()
    into = api.post(f"/api/v1/customers/{returned}/merge", {"survivor_id": erased})
    assert into.status_code == 422 and "was erased" in into.get_json()["errors"]["survivor_id"][0]
    out = api.post(f"/api/v1/customers/{erased}/merge", {"survivor_id": returned})
    assert out.status_code == 409 and out.get_json()["code"] == "customer_erased"
    changed = api.request("PATCH", f"/api/v1/customers/{erased}", json={"name": "Someone New"})  # was discarded
    assert changed.status_code == 409 and changed.get_json()["code"] == "customer_erased"
    assert api.event_count() == events


def test_an_email_address_a_customer_has_already_is_a_409_naming_them(api: ApiClient) -> None:
    key = {"Idempotency-Key": "shop-sync-ada"}
    first = api.post("/api/v1/customers", {"name": "Ada", "contact_points": [
        {"kind": "email", "value": "ada@example.com"}]}, headers=key)
    api.catch_up()
    events = api.event_count()
    again = api.post("/api/v1/customers", {"name": "Ada L.", "contact_points": [
        {"kind": "email", "value": "Ada@Example.com"}]})
    assert (again.status_code, again.get_json()["code"]) == (409, "already_exists")
    assert first.get_json()["id"] in again.get_json()["errors"]["contact_points"][0]
    assert api.event_count() == events
    replay = api.post("/api/v1/customers", {"name": "Ada", "contact_points": [
        {"kind": "email", "value": "ada@example.com"}]}, headers=key)  # a retry of the first: its answer
    assert (replay.status_code, replay.get_json()["id"]) == (201, first.get_json()["id"])


def test_an_unchanged_list_answers_304_to_its_etag_and_a_changed_one_200(api: ApiClient, five: list[str]) -> None:
    first = api.get("/api/v1/customers")
    etag = first.headers["ETag"]
    again = api.get("/api/v1/customers", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    api.customer("Fay")
    api.catch_up()
    changed = api.get("/api/v1/customers", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_360_view_shows_open_cases_promises_deals_and_the_latest_timeline(api: ApiClient) -> None:
    customer = api.customer("Ada", contact_points=[{"kind": "phone", "value": "+44 20 7946 0000"}])
    case = api.case(customer)
    api.post("/api/v1/promises", {"customer_id": customer, "what": "Call back", "due_at": "2026-03-03T10:00:00+00:00",
                                  "owner": api.staff("ann"), "channel": "phone"})
    api.post("/api/v1/deals", {"customer_id": customer, "title": "Printers", "value": 1200, "owner": api.staff("ann")})
    api.catch_up()
    view = api.get(f"/api/v1/customers/{customer}").get_json()
    assert view["customer"]["phone"] == "+44 20 7946 0000"
    assert [c["tracking_code"] for c in view["open_cases"]] == [case["tracking_code"]]
    assert [p["what"] for p in view["open_promises"]] == ["Call back"]
    assert [d["title"] for d in view["deals"]] == ["Printers"]
    assert view["timeline"][0]["event_type"] == "Deal.Opened"  # newest first


def test_a_survivor_of_a_merge_reads_the_duplicates_records_everywhere_its_figures_count_them(
        stored_api: ApiClient) -> None:
    """A merge leaves each record with the customer it was about; every read of the survivor
    (its 360, timeline, a case's conversation, the lists by customer) gathers them, as the panel does."""
    api = stored_api
    survivor, duplicate = api.customer("Carla"), api.customer("Carla C.")
    case = api.case(duplicate)
    api.post("/api/v1/promises", {"customer_id": duplicate, "what": "Call back", "due_at": "2026-03-03T10:00:00+00:00",
                                  "owner": api.staff("ann"), "channel": "phone"})
    api.post("/api/v1/deals", {"customer_id": duplicate, "title": "Upgrade", "value": 100, "owner": api.staff("ann")})
    api.services.app.merge_customers(UUID(duplicate), survivor_id=UUID(survivor), occurred_at=api.services.clock.now(),
                                     actor="user:ann")
    api.catch_up()
    view = api.get(f"/api/v1/customers/{survivor}").get_json()
    assert (view["customer"]["open_cases"], view["customer"]["open_promises"]) == (1, 1)
    assert ([c["id"] for c in view["open_cases"]], [p["what"] for p in view["open_promises"]],
            [d["title"] for d in view["deals"]]) == ([case["id"]], ["Call back"], ["Upgrade"])
    timeline = api.get(f"/api/v1/customers/{survivor}/timeline?limit=500").get_json()["items"]
    assert {"Case.Opened", "Promise.Made", "Deal.Opened"} <= {e["event_type"] for e in timeline}
    assert [e["occurred_at"] for e in timeline] == sorted(e["occurred_at"] for e in timeline)
    conversation = api.get(f"/api/v1/customers/{survivor}/timeline?case_id={case['id']}").get_json()["items"]
    assert [e["event_type"] for e in conversation][:1] == ["Case.Opened"]
    for listing in ("cases", "promises", "deals"):
        items = api.get(f"/api/v1/{listing}?customer_id={survivor}").get_json()["items"]
        assert [i["customer_id"] for i in items] == [duplicate], listing  # still the duplicate's own record
    assert api.get(f"/api/v1/cases?customer_id={duplicate}").get_json()["items"][0]["id"] == case["id"]


def test_the_360_view_lists_the_next_50_open_promises_and_counts_them_all(api: ApiClient) -> None:
    customer = api.customer("Busy")
    app, now = api.services.app, api.services.clock.now()
    for n in range(LIST_LIMIT + 1):  # the latest due first, so the view must order them itself
        app.make_promise(customer_id=UUID(customer), what=f"Call {LIST_LIMIT - n}", owner="ann", channel="phone",
                         due_at=now + timedelta(days=LIST_LIMIT - n), occurred_at=now, actor="user:ann")
    api.catch_up()
    view = api.get(f"/api/v1/customers/{customer}").get_json()
    assert view["customer"]["open_promises"] == LIST_LIMIT + 1
    assert [p["what"] for p in view["open_promises"]] == [f"Call {n}" for n in range(LIST_LIMIT)]


def test_an_unknown_customer_is_a_404(api: ApiClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.get(f"/api/v1/customers/{missing}").status_code == 404
    assert api.get(f"/api/v1/customers/{missing}/timeline").status_code == 404
    assert api.get("/api/v1/customers/not-a-uuid").status_code == 404


def test_the_timeline_pages_in_either_order(api: ApiClient) -> None:
    customer = api.customer()
    for subject in ("First", "Second", "Third"):
        api.post("/api/v1/touchpoints", {"customer_id": customer, "channel": "email", "direction": "inbound",
                                         "kind": "inquiry", "subject": subject})
    api.catch_up()
    oldest = api.get(f"/api/v1/customers/{customer}/timeline?limit=2").get_json()
    rest = api.get(f"/api/v1/customers/{customer}/timeline?limit=2&cursor={oldest['next_cursor']}").get_json()
    types = [e["event_type"] for e in oldest["items"] + rest["items"]]
    assert types[0] == "Customer.Registered" and len(types) == 4 and rest["next_cursor"] is None
    newest = api.get(f"/api/v1/customers/{customer}/timeline?sort=-occurred_at&limit=1").get_json()
    assert "Third" in newest["items"][0]["summary"]


def test_the_timeline_carries_what_was_written_and_gives_a_case_its_whole_conversation(api: ApiClient) -> None:
    customer = api.customer("Ada")
    case = api.case(customer, description="Jams since the firmware update")
    message = "It jams on every page. " * 10 + "Order SO-777."
    api.post("/api/v1/touchpoints", {"customer_id": customer, "case_id": case["id"], "channel": "email",
                                     "direction": "inbound", "kind": "complaint", "subject": "Printer jams",
                                     "summary": message})
    api.post(f"/api/v1/cases/{case['id']}/reply", {"body": "Please send a photo.", "public": True})
    api.post("/api/v1/touchpoints", {"customer_id": customer, "channel": "phone", "direction": "inbound",
                                     "kind": "inquiry", "subject": "Other matter", "summary": "Not about the case"})
    api.catch_up()
    path = f"/api/v1/customers/{customer}/timeline"
    talk = api.get(path, query_string={"case_id": case["id"]}).get_json()["items"]
    assert [(e["event_type"], e["detail"]) for e in talk] == [
        ("Case.Opened", "Jams since the firmware update"), ("Touchpoint.Recorded", message),
        ("Case.AgentReplied", "Please send a photo.")]
    assert {e["case_id"] for e in talk} == {case["id"]}
    everything = api.get(path).get_json()["items"]
    assert [e["detail"] for e in everything if e["event_type"] == "Customer.Registered"] == [None]
    assert "Not about the case" in [e["detail"] for e in everything]
    assert api.get(path, query_string={"case_id": "nope"}).status_code == 422


def test_the_timeline_filters_by_time_channel_and_event_type_across_pages(stored_api: ApiClient) -> None:
    api = stored_api
    api.services.clock.set(datetime(2026, 3, 6, 12, 0, tzinfo=UTC))  # after all of it: nothing is dated ahead
    customer = api.customer(occurred_at="2026-02-01T09:00:00+00:00")
    for day, channel in (("02", "email"), ("03", "phone"), ("04", "email"), ("05", "email")):
        api.post("/api/v1/touchpoints", {"customer_id": customer, "channel": channel, "direction": "inbound",
                                         "kind": "inquiry", "subject": f"Day {day}",
                                         "occurred_at": f"2026-03-{day}T09:00:00+00:00"})
    api.case(customer, occurred_at="2026-03-04T10:00:00+00:00")
    api.catch_up()
    path = f"/api/v1/customers/{customer}/timeline"
    window = "since=2026-03-03T00:00:00%2B00:00&until=2026-03-05T00:00:00%2B00:00"
    assert [(e["occurred_at"][:10], e["event_type"]) for e in api.get(f"{path}?{window}").get_json()["items"]] == [
        ("2026-03-03", "Touchpoint.Recorded"), ("2026-03-04", "Touchpoint.Recorded"), ("2026-03-04", "Case.Opened")]
    first = api.get(f"{path}?channel=email&types=Touchpoint.Recorded&limit=2").get_json()
    rest = api.get(f"{path}?channel=email&types=Touchpoint.Recorded&limit=2&cursor={first['next_cursor']}").get_json()
    assert [e["occurred_at"][:10] for e in first["items"] + rest["items"]] == ["2026-03-02", "2026-03-04",
                                                                                "2026-03-05"]
    assert rest["next_cursor"] is None
    bad = api.get(f"{path}?types=Case.Exploded&channel=pigeon&since=yesterday")
    assert bad.status_code == 422 and {"channel", "since"} <= set(bad.get_json()["errors"])
    unknown_type = api.get(f"{path}?types=Case.Exploded")
    assert unknown_type.status_code == 422 and "types" in unknown_type.get_json()["errors"]


def test_changing_details_records_only_what_changed(api: ApiClient) -> None:
    customer = api.customer("Ada")
    changed = api.request("PATCH", f"/api/v1/customers/{customer}", json={"name": "Ada King"},
                          headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    same = api.request("PATCH", f"/api/v1/customers/{customer}", json={"name": "Ada King"})
    assert same.get_json()["position"] is None and same.get_json()["version"] == 2
    api.catch_up()
    assert api.get(f"/api/v1/customers/{customer}").get_json()["customer"]["name"] == "Ada King"


def test_churn_candidates_are_quiet_past_buyers(api: ApiClient) -> None:
    quiet = api.customer("Quiet")
    deal = api.post("/api/v1/deals", {"customer_id": quiet, "title": "Old order", "value": 500, "owner": api.staff("ann"),
                                      "occurred_at": "2025-01-01T00:00:00+00:00"}).get_json()
    api.post(f"/api/v1/deals/{deal['id']}/win", {"close_value": 500, "occurred_at": "2025-02-01T00:00:00+00:00"})
    api.customer("Never bought")
    api.catch_up()
    found = api.get("/api/v1/customers/churn-candidates?quiet_days=90").get_json()["items"]
    assert [(c["name"], c["quiet_days"] > 90) for c in found] == [("Quiet", True)]


def test_a_segment_holds_at_most_20_attributes_and_the_document_says_so_as_an_object_does(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    segment = spec["components"]["schemas"]["RegisterCustomer"]["properties"]["segment"]
    assert (segment["type"], segment["maxProperties"]) == ("object", 20) and "maxLength" not in segment
    before = api.event_count()
    many = api.post("/api/v1/customers", {"name": "Ada", "segment": {f"k{i}": "v" for i in range(21)}})
    assert many.status_code == 422 and "segment" in many.get_json()["errors"]
    long_name = api.post("/api/v1/customers", {"name": "Ada", "segment": {"x" * 51: "v"}})
    assert long_name.status_code == 422 and next(iter(long_name.get_json()["errors"])).startswith("segment.")
    assert api.event_count() == before
    assert api.post("/api/v1/customers", {"name": "Ada", "segment": {f"k{i}": "v" for i in range(20)}}).status_code == 201
