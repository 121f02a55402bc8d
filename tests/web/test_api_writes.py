"""Writes: positions and read-your-writes, Idempotency-Key, If-Match (412) and concurrent changes (409)."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from domain.application import Touchline
from projections.api_state import api_idempotency, claim_idempotency_key, create_api_tables
from tests.web.conftest import ApiClient

TOUCH = {"channel": "phone", "direction": "inbound", "kind": "inquiry", "subject": "Where is my order?"}


def later(seconds: float, work: Any) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        work()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_write_returns_its_position_and_a_read_with_min_position_waits_for_it(stored_api: ApiClient) -> None:
    customer = stored_api.customer()
    stored_api.catch_up()
    recorded = stored_api.post("/api/v1/touchpoints", {**TOUCH, "customer_id": customer})
    assert recorded.status_code == 201
    receipt = recorded.get_json()
    assert receipt["position"] == stored_api.event_count() and receipt["version"] == 1
    timeline = f"/api/v1/customers/{customer}/timeline"
    assert receipt["id"] not in str(stored_api.get(timeline).get_json())  # the projection has not run
    catching_up = later(0.3, stored_api.catch_up)
    fresh = stored_api.get(f"{timeline}?min_position={receipt['position']}")
    catching_up.join()
    assert fresh.status_code == 200
    assert receipt["id"] in [e["record_id"] for e in fresh.get_json()["items"]]


def test_a_read_waits_a_bounded_time_for_projections_that_lag(api: ApiClient) -> None:
    api.app.extensions["touchline"].config = {**api.services.config, "API_MIN_POSITION_WAIT": 0.2}
    position = api.post("/api/v1/customers", {"name": "Ada"}).get_json()["position"]
    response = api.get(f"/api/v1/customers?min_position={position}")
    assert response.status_code == 503 and response.get_json()["code"] == "projections_behind"
    assert response.headers["Retry-After"] == "1"


def test_min_position_past_the_log_is_refused(api: ApiClient) -> None:
    response = api.get(f"/api/v1/customers?min_position={api.event_count() + 10}")
    assert response.status_code == 422 and "min_position" in response.get_json()["errors"]


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer_and_writes_once(
    stored_api: ApiClient
) -> None:
    customer = stored_api.customer()
    body, key = {**TOUCH, "customer_id": customer}, {"Idempotency-Key": "call-7781"}
    first = stored_api.post("/api/v1/touchpoints", body, headers=key)
    events = stored_api.event_count()
    retry = stored_api.post("/api/v1/touchpoints", body, headers=key)
    assert (retry.status_code, retry.get_json()) == (first.status_code, first.get_json())
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert stored_api.event_count() == events


def test_the_same_key_with_another_request_is_refused(api: ApiClient) -> None:
    customer = api.customer()
    api.post("/api/v1/touchpoints", {**TOUCH, "customer_id": customer}, headers={"Idempotency-Key": "k"})
    events = api.event_count()
    other = api.post("/api/v1/touchpoints", {**TOUCH, "customer_id": customer, "subject": "Other"},
                     headers={"Idempotency-Key": "k"})
    assert other.status_code == 422 and other.get_json()["code"] == "idempotency_key_reused"
    assert api.event_count() == events


def test_idempotency_keys_belong_to_one_token(api: ApiClient) -> None:
    body = {"name": "Ada"}
    mine = api.post("/api/v1/customers", body, headers={"Idempotency-Key": "shared"}).get_json()
    theirs = api.post("/api/v1/customers", body, headers={"Idempotency-Key": "shared"}, token=api.token("write"))
    assert theirs.status_code == 201 and theirs.get_json()["id"] != mine["id"]


def test_a_retry_while_the_first_request_runs_is_a_409(api: ApiClient) -> None:
    caller = api.services.app.list_api_tokens()[0]
    create_api_tables(api.services.views)
    with api.services.views.begin() as conn:  # as if the first request were still running
        claim_idempotency_key(conn, str(caller.id), "busy", "0" * 64, api.services.clock.now())
    response = api.post("/api/v1/customers", {"name": "Ada"}, headers={"Idempotency-Key": "busy"})
    assert response.status_code == 409 and response.get_json()["code"] == "idempotency_in_progress"


def test_a_failed_write_releases_its_key_so_a_retry_can_succeed(api: ApiClient) -> None:
    case = api.case(api.customer())["id"]
    key = {"Idempotency-Key": "resume-1"}
    assert api.post(f"/api/v1/cases/{case}/resume", {}, headers=key).status_code == 409  # not pending yet
    api.post(f"/api/v1/cases/{case}/pend", {"reason": "awaiting_customer"})
    assert api.post(f"/api/v1/cases/{case}/resume", {}, headers=key).status_code == 200


def test_a_bad_idempotency_key_is_a_400(api: ApiClient) -> None:
    response = api.post("/api/v1/customers", {"name": "Ada"}, headers={"Idempotency-Key": "has space"})
    assert response.status_code == 400 and "Idempotency-Key" in response.get_json()["errors"]


def test_if_match_with_the_current_version_applies_and_a_stale_one_is_412(stored_api: ApiClient) -> None:
    case, ann, bob = stored_api.case(stored_api.customer())["id"], stored_api.staff("ann"), stored_api.staff("bob")
    assigned = stored_api.post(f"/api/v1/cases/{case}/assign", {"assignee": ann}, headers={"If-Match": '"1"'})
    assert assigned.status_code == 200 and assigned.headers["ETag"] == '"2"'
    events = stored_api.event_count()
    stale = stored_api.post(f"/api/v1/cases/{case}/assign", {"assignee": bob}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["code"] == "stale_version"
    assert stored_api.event_count() == events


def test_if_match_star_acts_on_any_version_and_a_weak_tag_never_matches(api: ApiClient) -> None:
    case, ann = api.case(api.customer())["id"], api.staff("ann")
    events = api.event_count()
    weak = api.post(f"/api/v1/cases/{case}/assign", {"assignee": ann}, headers={"If-Match": 'W/"1"'})
    assert weak.status_code == 412 and list(weak.get_json()["errors"]) == ["If-Match"]
    assert api.event_count() == events
    star = api.post(f"/api/v1/cases/{case}/assign", {"assignee": ann}, headers={"If-Match": "*"})
    assert star.status_code == 200 and star.headers["ETag"] == '"2"'


def test_every_action_on_a_record_honours_if_match(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    actions = [(path, op) for path, operations in spec["paths"].items() if "{" in path
               for method, op in operations.items() if method in ("post", "put", "patch", "delete")]
    assert len(actions) >= 25
    for path, op in actions:
        assert "If-Match" in {p.get("name") for p in op.get("parameters", [])}, path
    case = api.case(api.customer())["id"]
    api.post(f"/api/v1/cases/{case}/resolve", {"resolution": "Replaced the roller"})
    events = api.event_count()
    stale = api.post(f"/api/v1/cases/{case}/rate", {"score": 5}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and api.event_count() == events
    assert api.post(f"/api/v1/cases/{case}/rate", {"score": 5}, headers={"If-Match": '"2"'}).status_code == 200


def _racing(api: ApiClient, monkeypatch: pytest.MonkeyPatch, case: str, losses: int) -> None:
    """The case loads as it was before another request's save, the first ``losses`` times."""
    stale = api.services.app.get_case(UUID(case))  # loaded by a request that is still deciding...
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": api.staff("ann")})  # ...when another one saves first
    original, loads = Touchline._get, iter(range(10**6))

    def get(self: Touchline, cls: Any, i: Any, *a: Any, **k: Any) -> Any:
        if str(i) == case and next(loads) < losses:
            return copy.deepcopy(stale)
        return original(self, cls, i, *a, **k)

    monkeypatch.setattr(Touchline, "_get", get)


def test_a_write_without_if_match_that_loses_a_race_is_run_again_on_the_record_as_it_stands(
        api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    case = api.case(api.customer())["id"]
    _racing(api, monkeypatch, case, losses=2)
    response = api.post(f"/api/v1/cases/{case}/reply", {"body": "Checked the logs", "public": False})
    assert response.status_code == 200
    events = [type(e).__name__ for e in api.services.app.events.get(UUID(case))]
    assert events[-2:] == ["Assigned", "AgentReplied"]  # the other change kept, the note added after it


def test_a_concurrent_change_is_a_409_once_every_retry_lost(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    case, bob = api.case(api.customer())["id"], api.staff("bob")
    _racing(api, monkeypatch, case, losses=10**6)
    events = api.event_count()
    response = api.post(f"/api/v1/cases/{case}/assign", {"assignee": bob})
    assert response.status_code == 409 and response.get_json()["code"] == "concurrent_change"
    assert api.event_count() == events


def test_with_if_match_a_lost_race_is_a_409_at_once_the_caller_decides(
        api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    case, bob = api.case(api.customer())["id"], api.staff("bob")
    _racing(api, monkeypatch, case, losses=1)  # a second run would succeed: there is none
    events = api.event_count()
    response = api.post(f"/api/v1/cases/{case}/assign", {"assignee": bob}, headers={"If-Match": '"1"'})
    assert response.status_code == 409 and response.get_json()["code"] == "concurrent_change"
    assert api.event_count() == events


def test_a_retry_whose_stored_answer_was_lost_still_creates_nothing_twice(api: ApiClient) -> None:
    key = {"Idempotency-Key": "crm-import-1"}
    first = api.post("/api/v1/customers", {"name": "Ada"}, headers=key).get_json()
    caller = api.services.app.list_api_tokens()[0]
    assert first["id"] == str(uuid5(NAMESPACE_URL, f"/api/{caller.id}/crm-import-1"))
    with api.services.views.begin() as conn:
        conn.execute(api_idempotency.delete())  # e.g. the read-model database was rebuilt
    events = api.event_count()
    retry = api.post("/api/v1/customers", {"name": "Ada"}, headers=key)
    assert retry.status_code == 409 and retry.get_json()["code"] == "already_exists"
    assert api.event_count() == events
