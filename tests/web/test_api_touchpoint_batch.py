"""``POST /api/v1/touchpoints/batch``: up to 100 contacts in one request, all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from domain.clock import FixedClock
from projections.api_state import api_idempotency
from tests.web.conftest import ApiClient, build_api

BATCH = "/api/v1/touchpoints/batch"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def call(customer: str, subject: str, **fields: Any) -> dict[str, Any]:
    return {"customer_id": customer, "channel": "phone", "direction": "inbound", "kind": "inquiry",
            "subject": subject, **fields}


def test_a_batch_records_every_contact_in_one_transaction_in_the_order_sent(stored_api: ApiClient) -> None:
    ada, bob = stored_api.customer("Ada Lovelace"), stored_api.customer("Bob Babbage")
    sent = [call(ada, "Router dead", occurred_at="2026-03-01T09:00:00+00:00"),
            call(bob, "Invoice twice", channel="email"),
            call(ada, "RE: Router dead", occurred_at="2026-03-01T11:00:00+00:00")]
    before = stored_api.event_count()

    response = stored_api.post(BATCH, {"touchpoints": sent})

    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    positions = [item["position"] for item in answer["items"]]
    assert positions == list(range(before + 1, before + 4))  # one transaction: consecutive, in order
    assert answer["position"] == positions[-1] == stored_api.event_count()
    assert {item["version"] for item in answer["items"]} == {1}
    stored_api.catch_up()
    read = [stored_api.get(f"/api/v1/touchpoints/{item['id']}?min_position={answer['position']}").get_json()
            for item in answer["items"]]
    assert [(r["customer_id"], r["subject"], r["channel"]) for r in read] == [
        (ada, "Router dead", "phone"), (bob, "Invoice twice", "email"), (ada, "RE: Router dead", "phone")]
    assert read[0]["occurred_at"].startswith("2026-03-01T09:00:00")
    repeats = stored_api.get("/api/v1/touchpoints/repeat-contacts?within_days=7").get_json()["items"]
    assert [r["subject"] for r in repeats] == ["RE: Router dead"]  # counted as any contact is


def test_an_invalid_item_refuses_the_whole_batch_naming_each_bad_field(api: ApiClient) -> None:
    customer = api.customer()
    before = api.event_count()

    response = api.post(BATCH, {"touchpoints": [call(customer, "Fine"), call(customer, "Fax?", channel="fax"),
                                                {**call(customer, ""), "mood": "angry"}]})

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"touchpoints[1].channel", "touchpoints[2].subject", "touchpoints[2].mood"}
    assert api.event_count() == before


def test_an_unknown_customer_in_one_item_writes_none_of_them(stored_api: ApiClient) -> None:
    customer = stored_api.customer()
    before = stored_api.event_count()

    response = stored_api.post(BATCH, {"touchpoints": [call(customer, "First"), call(UNKNOWN, "Second"),
                                                       call(customer, "Third")]})

    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"] == {"touchpoints[1].customer_id": [f"Customer {UNKNOWN} not found"]}
    assert body["message"].startswith("touchpoints[1].customer_id:")
    assert stored_api.event_count() == before


@pytest.mark.parametrize(("body", "fields"), [
    ({"touchpoints": []}, {"touchpoints"}),
    ({"touchpoints": "a call"}, {"touchpoints"}),
    ({"touchpoints": [None]}, {"touchpoints[0]"}),
    ({"touchpoints": ["a call"]}, {"touchpoints[0]"}),
    ({}, {"touchpoints"}),
    ({"touchpoints": [], "source": "pbx"}, {"touchpoints", "source"}),
], ids=["empty", "not a list", "null item", "text item", "missing", "unknown field"])
def test_a_malformed_batch_is_a_422_naming_the_field(api: ApiClient, body: dict[str, Any], fields: set[str]) -> None:
    response = api.post(BATCH, body)
    assert response.status_code == 422 and set(response.get_json()["errors"]) == fields


def test_a_batch_holds_at_most_a_hundred_contacts(api: ApiClient) -> None:
    customer = api.customer()
    before = api.event_count()
    too_many = api.post(BATCH, {"touchpoints": [call(customer, f"Call {n}") for n in range(101)]})
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"] == {"touchpoints": ["Length must be between 1 and 100."]}
    assert api.event_count() == before
    assert api.post(BATCH, {"touchpoints": [call(customer, f"Call {n}") for n in range(100)]}).status_code == 201
    assert api.event_count() == before + 100


def test_a_retried_batch_gets_its_first_answer_and_records_nothing_more(stored_api: ApiClient) -> None:
    customer = stored_api.customer()
    key = {"Idempotency-Key": "pbx-log-0912"}
    body = {"touchpoints": [call(customer, "Morning call"), call(customer, "Afternoon call")]}
    first = stored_api.post(BATCH, body, headers=key)
    events = stored_api.event_count()

    retry = stored_api.post(BATCH, body, headers=key)

    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    assert stored_api.event_count() == events
    other = stored_api.post(BATCH, {"touchpoints": [call(customer, "Evening call")]}, headers=key)
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"


def test_a_retried_batch_whose_answer_was_lost_records_nothing_twice(api: ApiClient) -> None:
    customer = api.customer()
    key = {"Idempotency-Key": "pbx-log-0913"}
    body = {"touchpoints": [call(customer, "Morning call"), call(customer, "Afternoon call")]}
    assert api.post(BATCH, body, headers=key).status_code == 201
    with api.services.views.begin() as conn:
        conn.execute(api_idempotency.delete())  # e.g. the read-model database was rebuilt
    events = api.event_count()

    retry = api.post(BATCH, body, headers=key)

    assert retry.status_code == 409 and retry.get_json()["code"] == "already_exists"
    assert api.event_count() == events


def test_a_batch_whose_one_item_exists_already_records_none_of_them(stored_api: ApiClient) -> None:
    customer, key = stored_api.customer(), "pbx-log-0914"
    token = stored_api.services.app.list_api_tokens()[0].id
    third = uuid5(uuid5(NAMESPACE_URL, f"/api/{token}/{key}"), "2")  # the id the batch's third item gets
    stored_api.services.app.record_touchpoint(id=third, occurred_at=stored_api.services.clock.now(), actor="x",
                                              **{k: v for k, v in call(UUID(customer), "Earlier").items()})
    events = stored_api.event_count()

    response = stored_api.post(BATCH, {"touchpoints": [call(customer, f"Call {n}") for n in range(4)]},
                               headers={"Idempotency-Key": key})

    assert response.status_code == 409 and response.get_json()["code"] == "already_exists"
    assert stored_api.event_count() == events  # not the first two either: one transaction


def test_keys_that_look_like_a_batchs_items_are_other_requests(api: ApiClient) -> None:
    customer = api.customer()
    single = api.post("/api/v1/touchpoints", call(customer, "Alone"), headers={"Idempotency-Key": "log/1"})
    batch = api.post(BATCH, {"touchpoints": [call(customer, "First"), call(customer, "Second")]},
                     headers={"Idempotency-Key": "log"})
    assert single.status_code == 201 and batch.status_code == 201
    assert single.get_json()["id"] not in {item["id"] for item in batch.get_json()["items"]}


def test_a_batch_needs_a_token_that_may_write_touchpoints(api: ApiClient) -> None:
    body = {"touchpoints": [call(api.customer(), "Hello")]}
    assert api.client.post(BATCH, json=body).status_code == 401
    refused = api.post(BATCH, body, token=api.token("read", "write:cases"))
    assert refused.status_code == 403 and refused.get_json()["errors"] == {
        "scope": ["needs write:touchpoints or write"]}
    assert api.post(BATCH, body, token=api.token("write:touchpoints")).status_code == 201


def test_a_body_over_the_size_limit_is_a_413_and_writes_nothing(tmp_path: Path, clock: FixedClock) -> None:
    small = build_api(f"sqlite:///{tmp_path / 'small.db'}", clock, MAX_REQUEST_MB=1)
    try:
        customer = small.customer()
        before = small.event_count()
        sent = {"touchpoints": [call(customer, "Long call", summary="x" * 20_000) for _ in range(60)]}  # ~1.2 MB
        response = small.post(BATCH, sent)
        assert response.status_code == 413
        assert response.get_json() == {"code": "too_large", "message": "the request body is over the limit of 1 MB",
                                       "errors": {"body": ["over 1 MB: send less at once"]}}
        assert small.event_count() == before
        assert small.post(BATCH, {"touchpoints": sent["touchpoints"][:40]}).status_code == 201  # ~0.8 MB
    finally:
        small.services.close()
