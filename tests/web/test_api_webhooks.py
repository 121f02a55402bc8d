"""/api/v1/webhooks: create (secret once, never stored), read with progress and attempts, change with
If-Match, pause/resume/replay/rotate/delete, scopes, bad input as 422 naming the field."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from scheduler.context import SchedulerContext
from scheduler.settings import SchedulerSettings
from scheduler.webhooks import deliver_webhooks
from tests.scheduler.webhook_receiver import Receiver
from tests.web.conftest import ApiClient

HOOKS = "/api/v1/webhooks"


def create(api: ApiClient, url: str = "https://hooks.example/in", types: list[str] | None = None) -> dict[str, Any]:
    response = api.post(HOOKS, {"url": url, "event_types": types or ["Case.*"]})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    found: dict[str, Any] = response.get_json()
    return found


def test_create_deliver_and_read_progress_and_attempts(stored_api: ApiClient) -> None:
    api = stored_api
    api.app.config["WEBHOOK_ALLOW_PRIVATE"] = "1"  # the receiver listens on 127.0.0.1
    with Receiver(api.services.clock) as receiver:  # type: ignore[arg-type]
        created = create(api, receiver.url, ["Customer.Registered"])
        receiver.secret = created["secret"]
        api.customer("Ada")
        api.catch_up()
        deliver_webhooks(SchedulerContext(api.services.app, api.services.views, api.services.clock,
                                          SchedulerSettings(webhook_allow_private=True)))
        delivery, = receiver.deliveries
        assert delivery.verified and delivery.payload["data"]["name"] == "Ada"
    api.catch_up()
    one = api.get(f"{HOOKS}/{created['id']}").get_json()
    assert (one["url"], one["event_types"], one["status"]) == (receiver.url, ["Customer.Registered"], "active")
    assert one["delivered_to"] >= delivery.payload["position"] and one["failures"] == 0
    assert "secret" not in one and created["secret"] not in api.get(HOOKS).get_data(as_text=True)
    attempts = api.get(f"{HOOKS}/{created['id']}/attempts").get_json()["items"]
    assert [(a["outcome"], a["response_code"], a["delivery_id"]) for a in attempts] == [
        ("delivered", 200, delivery.delivery_id)]


def test_a_retried_create_or_rotation_never_makes_a_second_subscription_or_secret(api: ApiClient) -> None:
    body, key = {"url": "https://hooks.example/in", "event_types": ["Case.*"]}, {"Idempotency-Key": "hook-1"}
    first = api.post(HOOKS, body, headers=key)
    assert first.status_code == 201 and first.get_json()["secret"].startswith("whsec_")
    assert first.headers["Location"] == f"{HOOKS}/{first.get_json()['id']}"
    events = api.event_count()
    retry = api.post(HOOKS, body, headers=key)
    assert (retry.status_code, retry.headers["Idempotent-Replayed"], retry.headers["Cache-Control"]) == (
        201, "true", "no-store")
    assert retry.get_json() == {k: v for k, v in first.get_json().items() if k != "secret"}  # shown once only
    assert api.event_count() == events
    customer_key = api.post("/api/v1/customers", {"name": "Ada"}, headers={"Idempotency-Key": "shared"})
    assert customer_key.status_code == 201
    reused = api.post(HOOKS, body, headers={"Idempotency-Key": "shared"})
    assert reused.status_code == 422 and reused.get_json()["code"] == "idempotency_key_reused"
    path = f"{HOOKS}/{first.get_json()['id']}/rotate-secret"
    assert api.post(path, {}, headers={"If-Match": '"1"'}).status_code == 201
    lost_answer_retry = api.post(path, {}, headers={"If-Match": '"1"'})
    assert lost_answer_retry.status_code == 412 and "whsec_" not in lost_answer_retry.get_data(as_text=True)
    api.catch_up()
    assert len(api.get(HOOKS).get_json()["items"]) == 1


def test_change_with_if_match_pause_resume_replay_rotate_delete(api: ApiClient) -> None:
    created = create(api)
    path = f"{HOOKS}/{created['id']}"
    stale = api.request("PATCH", path, json={"event_types": ["Deal.*"]}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    changed = api.request("PATCH", path, json={"event_types": ["Deal.*", "Case.Opened"]}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    assert api.post(f"{path}/pause", {"reason": "maintenance"}).status_code == 200
    again = api.post(f"{path}/pause", {})
    assert again.status_code == 409 and "paused already" in again.get_json()["message"]
    assert api.post(f"{path}/resume").status_code == 200
    assert api.post(f"{path}/replay", {"from_position": 2}).status_code == 200
    rotated = api.post(f"{path}/rotate-secret")
    assert rotated.status_code == 201 and rotated.get_json()["secret"] not in (created["secret"], None)
    assert api.post(f"{path}/delete").status_code == 200
    api.catch_up()
    assert api.get(HOOKS).get_json()["items"] == []
    gone, = api.get(f"{HOOKS}?include_deleted=true").get_json()["items"]
    assert (gone["status"], gone["event_types"], gone["replay_from"]) == ("deleted", ["Case.Opened", "Deal.*"], 2)


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"url": "http://hooks.example/in", "event_types": ["*"]}, "url", "must use https"),
    ({"url": "not a url", "event_types": ["*"]}, "url", "is not an https:// URL"),
    ({"url": "https://hooks.example/in", "event_types": ["Case.Nope"]}, "event_types", "unknown event type"),
    ({"url": "https://hooks.example/in", "event_types": ["ApiToken.*"]}, "event_types", "unknown event type"),
    ({"url": "https://hooks.example/in", "event_types": []}, "event_types", "Length"),
    ({"url": "https://hooks.example/in"}, "event_types", "Missing data"),
])
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(api: ApiClient, body: dict[str, Any], field: str,
                                                                message: str) -> None:
    before = api.event_count()
    response = api.post(HOOKS, body)
    assert response.status_code == 422
    assert message.lower() in str(response.get_json()).lower() and field in str(response.get_json()["errors"])
    assert api.event_count() == before


@pytest.mark.parametrize("hours", [-1, 169, "soon"])
def test_a_rotation_overlap_out_of_range_is_a_422_and_rotates_nothing(api: ApiClient, hours: Any) -> None:
    created = create(api)
    before = api.services.app.get_webhook(UUID(created["id"])).secret
    response = api.post(f"{HOOKS}/{created['id']}/rotate-secret", {"previous_valid_hours": hours})
    assert response.status_code == 422 and "previous_valid_hours" in response.get_json()["errors"]
    assert api.services.app.get_webhook(UUID(created["id"])).secret == before


def test_a_leaked_secret_is_rotated_without_overlap(api: ApiClient) -> None:
    created = create(api)
    rotated = api.post(f"{HOOKS}/{created['id']}/rotate-secret", {"previous_valid_hours": 0}).get_json()
    webhook = api.services.app.get_webhook(UUID(created["id"]))
    assert webhook.signing_secrets(api.services.clock.now()) == [rotated["secret"]]


def test_replay_needs_a_positive_position_and_unknown_ids_are_404(api: ApiClient) -> None:
    created = create(api)
    response = api.post(f"{HOOKS}/{created['id']}/replay", {"from_position": 0})
    assert response.status_code == 422 and "from_position" in str(response.get_json()["errors"])
    unknown = "00000000-0000-0000-0000-000000000001"
    assert api.get(f"{HOOKS}/{unknown}").status_code == 404
    assert api.post(f"{HOOKS}/{unknown}/rotate-secret").status_code == 404
    assert api.post(f"{HOOKS}/{unknown}/pause", {}).status_code == 404


def test_scopes(api: ApiClient) -> None:
    reader, writer, other = api.token("read:webhooks"), api.token("write:webhooks"), api.token("read:cases", "write")
    body = {"url": "https://hooks.example/in", "event_types": ["*"]}
    assert api.get(HOOKS, token=reader).status_code == 200
    assert api.request("POST", HOOKS, json=body, token=reader).status_code == 403
    assert api.request("POST", HOOKS, json=body, token=writer).status_code == 201
    assert api.get(HOOKS, token=other).status_code == 403


def test_the_event_feed_shows_webhook_events_without_their_secret(api: ApiClient) -> None:
    created = create(api)
    rotated = api.post(f"{HOOKS}/{created['id']}/rotate-secret").get_json()
    feed = api.get("/api/v1/events?types=WebhookSubscription.Created,WebhookSubscription.SecretRotated")
    events = feed.get_json()["events"]
    assert [e["type"] for e in events] == ["WebhookSubscription.Created", "WebhookSubscription.SecretRotated"]
    assert events[0]["data"]["url"] == "https://hooks.example/in" and "secret" not in events[0]["data"]
    text = feed.get_data(as_text=True)
    assert created["secret"] not in text and rotated["secret"] not in text


def test_webhook_reads_answer_an_etag_and_304_until_something_changes(api: ApiClient) -> None:
    created = create(api)
    api.catch_up()
    for path in (HOOKS, f"{HOOKS}/{created['id']}", f"{HOOKS}/{created['id']}/attempts"):
        first = api.get(path)
        assert first.status_code == 200 and first.headers["ETag"]
        assert api.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304, path
    tag = api.get(f"{HOOKS}/{created['id']}").headers["ETag"]
    api.post(f"{HOOKS}/{created['id']}/pause", {"reason": "maintenance"})
    api.catch_up()
    assert api.get(f"{HOOKS}/{created['id']}", headers={"If-None-Match": tag}).status_code == 200
