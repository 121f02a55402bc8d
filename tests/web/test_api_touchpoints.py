"""Touchpoint endpoints: record a contact, list repeat contacts, contact rates."""

from __future__ import annotations

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
