"""Touchpoint endpoints: record a contact, list repeat contacts, contact rates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from tests.web.conftest import ApiClient


def touch(api: ApiClient, customer: str, subject: str, occurred_at: str) -> None:
    response = api.post("/api/v1/touchpoints", {"customer_id": customer, "channel": "phone", "direction": "inbound",
                                                "kind": "inquiry", "subject": subject, "occurred_at": occurred_at})
    assert response.status_code == 201, response.get_json()


def test_a_recorded_touchpoint_answers_201_with_its_location(api: ApiClient) -> None:
    response = api.post("/api/v1/touchpoints", {"customer_id": api.customer(), "channel": "chat",
                                                "direction": "outbound", "kind": "follow_up", "subject": "Checking in",
                                                "summary": "All good", "external_ref": "chat-991"})
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/touchpoints/{response.get_json()['id']}"


def test_repeat_contacts_and_rates_count_the_customer_calling_again(api: ApiClient) -> None:
    customer = api.customer()
    touch(api, customer, "Where is my order?", "2026-03-01T09:00:00+00:00")
    touch(api, customer, "RE: where is my order?", "2026-03-02T08:00:00+00:00")
    touch(api, customer, "New printer", "2026-03-02T08:30:00+00:00")
    api.catch_up()
    repeats = api.get("/api/v1/touchpoints/repeat-contacts?within_days=7").get_json()["items"]
    assert [r["subject"] for r in repeats] == ["RE: where is my order?"]
    since = api.get("/api/v1/touchpoints/repeat-contacts?since=2026-03-02T08:10:00%2B00:00").get_json()
    assert since["items"] == []
    rates = api.get("/api/v1/touchpoints/contact-rates").get_json()
    assert (rates["inbound_contacts"], rates["repeat_contacts"]) == (3, 1)
    assert rates["repeat_contact_rate"] == round(1 / 3, 4)


def test_the_location_of_a_recorded_touchpoint_reads_it_back(stored_api: ApiClient) -> None:
    customer = stored_api.customer()
    response = stored_api.post("/api/v1/touchpoints", {"customer_id": customer, "channel": "phone",
                                                       "direction": "inbound", "kind": "complaint",
                                                       "subject": "Router dead again",
                                                       "summary": "Third time this month", "contact_point": "+1 555 0100"})
    receipt = response.get_json()
    stored_api.catch_up()
    read = stored_api.get(f"{response.headers['Location']}?min_position={receipt['position']}")
    assert read.status_code == 200 and read.headers["ETag"]
    assert {k: read.get_json()[k] for k in ("id", "customer_id", "channel", "kind", "subject", "retracted")} == {
        "id": receipt["id"], "customer_id": customer, "channel": "phone", "kind": "complaint",
        "subject": "Router dead again", "retracted": False}
    # What was said comes back too (the list's read model does not hold it), as corrected.
    assert (read.get_json()["summary"], read.get_json()["contact_point"]) == ("Third time this month", "+1 555 0100")
    stored_api.services.app.correct_touchpoint(UUID(receipt["id"]), changes={"summary": "Fourth time"}, reason="typo",
                                               occurred_at=stored_api.services.clock.now(), actor="user:test")
    stored_api.catch_up()
    assert stored_api.get(response.headers["Location"]).get_json()["summary"] == "Fourth time"
    read = stored_api.get(response.headers["Location"])
    again = stored_api.get(response.headers["Location"], headers={"If-None-Match": read.headers["ETag"]})
    assert again.status_code == 304
    missing = stored_api.get("/api/v1/touchpoints/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    no_scope = stored_api.get(response.headers["Location"], token=stored_api.token("read:cases"))
    assert no_scope.status_code == 403 and no_scope.get_json()["errors"] == {"scope": ["needs read:touchpoints or read"]}


def test_every_collection_with_a_create_documents_a_read_by_id(api: ApiClient) -> None:
    """A create answers ``Location: <collection>/<id>`` (``web.api.writes``): the document must offer it.
    (A batch answers every record's receipt instead, each readable at its collection.)"""
    spec = api.client.get("/api/v1/openapi.json").get_json()
    batch = {"$ref": "#/components/schemas/BatchReceipt"}
    creates = [path for path, operations in spec["paths"].items() if "{" not in path and "201" in (
        answers := operations.get("post", {}).get("responses", {})) and answers["201"]["content"][
        "application/json"]["schema"] != batch]
    assert len(creates) >= 6
    for path in creates:
        reads = [p for p, operations in spec["paths"].items()
                 if "get" in operations and p.startswith(f"{path}/{{") and p.count("/") == path.count("/") + 1]
        assert reads, f"POST {path} answers a Location that nothing reads"


def about(api: ApiClient, customer: str, **links: str) -> Any:
    return api.post("/api/v1/touchpoints", {"customer_id": customer, "channel": "email", "direction": "inbound",
                                            "kind": "inquiry", "subject": "About that", **links})


def test_a_touchpoint_may_link_its_customers_own_case_deal_and_promise(api: ApiClient) -> None:
    customer = api.customer()
    case = api.case(customer)["id"]
    deal = api.post("/api/v1/deals", {"customer_id": customer, "title": "Ten routers", "value": "900", "owner": api.staff("ann")}).get_json()["id"]
    promise = api.post("/api/v1/promises", {"customer_id": customer, "what": "Call back", "owner": api.staff("ann"), "channel": "phone",
                                            "due_at": "2026-03-03T09:00:00+00:00"}).get_json()["id"]
    response = about(api, customer, case_id=case, deal_id=deal, promise_id=promise)
    assert response.status_code == 201, response.get_json()


def test_a_contact_point_its_channel_cannot_use_is_a_422_on_the_field_and_writes_nothing(api: ApiClient) -> None:
    customer = api.customer()
    before = api.event_count()
    response = about(api, customer, contact_point="+44 20 7946 0000")  # a number on an email
    assert response.status_code == 422
    assert "not an email address" in response.get_json()["errors"]["contact_point"][0]
    batch = api.post("/api/v1/touchpoints/batch", {"touchpoints": [
        {"customer_id": customer, "channel": "email", "direction": "inbound", "kind": "inquiry", "subject": "Fine",
         "contact_point": "ada@example.com"},
        {"customer_id": customer, "channel": "sms", "direction": "inbound", "kind": "inquiry", "subject": "Text",
         "contact_point": "ada@example.com"}]})
    assert batch.status_code == 422
    assert list(batch.get_json()["errors"]) == ["touchpoints[1].contact_point"]  # the item, and nothing of the batch
    assert api.event_count() == before


@pytest.mark.parametrize("field", ["case_id", "deal_id", "promise_id"])
def test_a_link_to_a_record_that_does_not_exist_is_refused_on_its_field(api: ApiClient, field: str) -> None:
    customer = api.customer()
    before = api.event_count()
    response = about(api, customer, **{field: "00000000-0000-4000-8000-000000000000"})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == [field]
    assert api.event_count() == before


def test_a_link_to_another_customers_case_is_refused_on_its_field(api: ApiClient) -> None:
    mine, theirs = api.customer("Ada"), api.customer("Bob")
    case = api.case(theirs)["id"]
    before = api.event_count()
    response = about(api, mine, case_id=case)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"case_id": [f"case {case} is another customer's"]}
    assert api.event_count() == before


def test_a_customer_merged_away_keeps_their_cases_for_the_survivors_contacts(api: ApiClient) -> None:
    kept, merged = api.customer("Ada"), api.customer("Ada L.")
    case = api.case(merged)["id"]
    api.services.app.merge_customers(UUID(merged), survivor_id=UUID(kept), occurred_at=api.services.clock.now(),
                                     actor="user:admin")
    assert about(api, kept, case_id=case).status_code == 201


def test_a_bad_link_in_a_batch_names_the_item_and_records_none(api: ApiClient) -> None:
    mine, theirs = api.customer("Ada"), api.customer("Bob")
    case = api.case(theirs)["id"]
    item = {"customer_id": mine, "channel": "email", "direction": "inbound", "kind": "inquiry", "subject": "Hi"}
    before = api.event_count()
    response = api.post("/api/v1/touchpoints/batch", {"touchpoints": [item, {**item, "case_id": case}]})
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["touchpoints[1].case_id"]
    assert api.event_count() == before


def test_a_contact_dated_in_the_future_is_refused_on_occurred_at_and_skew_is_allowed(api: ApiClient) -> None:
    """A contact dated next year would stand as the customer's latest and hide them from churn lists."""
    customer = api.customer("Ada")
    now = api.services.clock.now()
    item = {"customer_id": customer, "channel": "email", "direction": "inbound", "kind": "inquiry", "subject": "Hi"}
    before = api.event_count()
    ahead = api.post("/api/v1/touchpoints", {**item, "occurred_at": (now + timedelta(days=365)).isoformat()})
    assert ahead.status_code == 422 and "in the future" in ahead.get_json()["errors"]["occurred_at"][0]
    batch = api.post("/api/v1/touchpoints/batch", {"touchpoints": [
        item, {**item, "occurred_at": (now + timedelta(hours=1)).isoformat()}]})
    assert batch.status_code == 422 and list(batch.get_json()["errors"]) == ["touchpoints[1].occurred_at"]
    customer_ahead = api.post("/api/v1/customers", {"name": "Bob", "occurred_at": "2999-01-01T00:00:00+00:00"})
    assert customer_ahead.status_code == 422 and "occurred_at" in customer_ahead.get_json()["errors"]
    assert api.event_count() == before
    skewed = api.post("/api/v1/touchpoints", {**item, "occurred_at": (now + timedelta(minutes=4)).isoformat()})
    assert skewed.status_code == 201  # another system's clock a little fast
