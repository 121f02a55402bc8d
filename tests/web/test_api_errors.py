"""Every error answers one JSON shape, names the field at fault, and bad input writes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from domain.clock import FixedClock
from tests.web.conftest import ApiClient
from web import create_app

UNKNOWN = "00000000-0000-0000-0000-000000000000"
TOUCH = {"channel": "phone", "direction": "inbound", "kind": "inquiry", "subject": "Hello"}


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert set(body) == {"code", "message", "errors"}
    return body


def test_an_unknown_api_path_is_a_json_404(api: ApiClient) -> None:
    assert error(api.get("/api/v1/no-such-thing"), 404)["code"] == "not_found"


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(api: ApiClient) -> None:
    response = api.request("DELETE", "/api/v1/customers")
    assert error(response, 405)["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_pages_outside_the_api_keep_flasks_own_errors(api: ApiClient) -> None:
    response = api.client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_a_body_that_is_not_json_is_a_400(api: ApiClient) -> None:
    response = api.request("POST", "/api/v1/customers", data="{not json", headers={"Content-Type": "application/json"})
    assert "body" in error(response, 400)["errors"]


@pytest.mark.parametrize("path", ["/api/v1/customers", "/api/v1/sla/policies"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_of_another_media_type_is_a_415_naming_content_type(api: ApiClient, path: str,
                                                                   content_type: str | None) -> None:
    before = api.event_count()
    response = api.request("POST", path, data='{"name": "Ada"}',
                           headers={"Content-Type": content_type} if content_type else {})
    assert "Content-Type" in error(response, 415)["errors"] and api.event_count() == before


STAFF = "<an agent>"  # a body's owner, made a registered agent's reference by ``staffed``


def staffed(api: ApiClient, body: dict[str, Any]) -> dict[str, Any]:
    return {k: api.staff("ann") if v == STAFF else v for k, v in body.items()}


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/customers", {}, "name"),
    ("/api/v1/customers", {"name": "Ada", "kind": "robot"}, "kind"),
    ("/api/v1/customers", {"name": "Ada", "surprise": 1}, "surprise"),
    ("/api/v1/customers", {"name": "Ada\u0000"}, "name"),
    ("/api/v1/customers", {"name": "Ada", "contact_points": [{"kind": "email", "value": "not-an-address"}]},
     "contact_points[0].value"),
    ("/api/v1/customers", {"name": "Ada", "contact_points": [{"kind": "fax", "value": "1"}]},
     "contact_points[0].kind"),
    ("/api/v1/customers", {"name": "Ada", "occurred_at": "2026-03-02T09:00:00"}, "occurred_at"),
    ("/api/v1/customers", {"name": "Ada", "occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
    ("/api/v1/touchpoints", {**TOUCH, "customer_id": UNKNOWN}, "customer_id"),
    ("/api/v1/touchpoints", {**TOUCH, "customer_id": "not-a-uuid"}, "customer_id"),
    ("/api/v1/deals", {"title": "Big", "value": "12.345", "owner": STAFF}, "value"),
    ("/api/v1/deals", {"title": "Big", "value": 10**15, "owner": STAFF}, "value"),
    ("/api/v1/deals", {"title": "Big", "value": 10, "owner": STAFF, "stage": "Dreaming"}, "stage"),
])
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    api: ApiClient, path: str, body: dict[str, Any], field: str
) -> None:
    body = staffed(api, body)
    before = api.event_count()
    found = error(api.post(path, body), 422)
    assert list(found["errors"]) == [field], found
    assert found["code"] == "validation_failed"
    assert field in found["errors"], found
    assert api.event_count() == before


@pytest.mark.parametrize("path, body", [
    ("/api/v1/touchpoints", TOUCH), ("/api/v1/cases", {"subject": "Card blocked", "channel": "email"}),
    ("/api/v1/promises", {"what": "Call back", "due_at": "2026-03-09T09:00:00+00:00", "owner": STAFF,
                          "channel": "phone"}),
    ("/api/v1/deals", {"title": "Big", "value": 10, "owner": STAFF}),
])
def test_a_record_that_is_not_a_customer_cannot_stand_in_for_one(api: ApiClient, path: str,
                                                                 body: dict[str, Any]) -> None:
    """Personal fields are sealed under their customer's key: under a webhook's (or a case's), deleting
    that record would erase them without the customer's erasure ever being recorded."""
    webhook = api.post("/api/v1/webhooks", {"url": "https://hooks.example/in", "event_types": ["Case.*"]})
    case, body = api.case(api.customer())["id"], staffed(api, body)
    before = api.event_count()
    for impostor in (webhook.get_json()["id"], case):
        found = error(api.post(path, {**body, "customer_id": impostor}), 422)
        assert "customer_id" in found["errors"], (path, found)
    assert api.event_count() == before


def test_json_nested_deeper_than_the_parser_follows_is_a_400_on_every_write(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    writes = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "patch") and "requestBody" in operation:
                for deep in ("[" * 100_000, '{"name": ' * 100_000):
                    response = api.request(method.upper(), re.sub(r"\{[^}]*\}", UNKNOWN, path), data=deep,
                                           headers={"Content-Type": "application/json"})
                    assert "body" in error(response, 400)["errors"], (method, path)
                writes += 1
    assert writes >= 30


@pytest.mark.parametrize("path, body, field, message", [
    ("/api/v1/touchpoints/batch", {"touchpoints": [{}] * 50_000}, "touchpoints", "Length must be between 1 and 100."),
    ("/api/v1/customers", {"name": "Ada", "contact_points": [{}] * 50_000}, "contact_points",
     "Longer than maximum length 20."),
    ("/api/v1/webhooks", {"url": "https://example.com/hook", "event_types": [""] * 50_000}, "event_types",
     "Length must be between 1 and 50."),
], ids=["touchpoint batch", "contact points", "webhook event types"])
def test_a_list_far_too_long_is_refused_by_its_length_before_any_item_is_read(
        api: ApiClient, path: str, body: dict[str, Any], field: str, message: str) -> None:
    """Each of 50,000 bad items would otherwise be checked and named in the answer (seconds, megabytes)."""
    assert error(api.post(path, body), 422)["errors"] == {field: [message]}


def test_every_write_refuses_an_unknown_field_or_a_bad_time_by_name_writing_nothing(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    before, writes = api.event_count(), 0
    for path, operations in spec["paths"].items():
        concrete = re.sub(r"\{[^}]*\}", UNKNOWN, path)
        for method, operation in operations.items():
            if method not in ("post", "put", "patch") or "requestBody" not in operation:
                continue
            for body, field in (({"surprise": 1}, "surprise"), ({"occurred_at": "yesterday"}, "occurred_at")):
                found = error(api.request(method.upper(), concrete, json=body), 422)
                assert field in found["errors"], (method, path, found)  # a bad value, or not a field there
            writes += 1
    assert writes >= 30 and api.event_count() == before


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"),
                                          ("surprise=1", "surprise"), ("min_position=-1", "min_position"),
                                          ("customer_id=42", "customer_id"), ("status=sleeping", "status")])
def test_bad_query_parameters_are_a_422_naming_them(api: ApiClient, query: str, field: str) -> None:
    assert field in error(api.get(f"/api/v1/cases?{query}"), 422)["errors"]


def test_an_action_on_a_missing_record_is_a_404(api: ApiClient) -> None:
    assert error(api.post(f"/api/v1/cases/{UNKNOWN}/assign", {"assignee": api.staff("ann")}), 404)["code"] == "not_found"


def test_an_action_the_state_does_not_allow_is_a_409_and_writes_nothing(api: ApiClient) -> None:
    case = api.case(api.customer())
    before = api.event_count()
    found = error(api.post(f"/api/v1/cases/{case['id']}/reopen", {"reason": "again"}), 409)
    assert found["code"] == "state_conflict" and "cannot reopen" in found["message"]
    assert api.event_count() == before


@pytest.mark.parametrize("header", ["three", '"3a"', "-1", "1" * 19])
def test_an_if_match_that_is_not_a_version_is_a_400(api: ApiClient, header: str) -> None:
    case = api.case(api.customer())
    response = api.post(f"/api/v1/cases/{case['id']}/assign", {"assignee": api.staff("ann")}, headers={"If-Match": header})
    assert "If-Match" in error(response, 400)["errors"]


def test_reads_before_the_projections_ever_ran_are_a_503_not_a_crash(tmp_path: Path, clock: FixedClock) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db", "CLOCK": clock, "TESTING": True})
    services = app.extensions["touchline"]  # no projection runner prepared the read-model tables
    token = services.app.issue_api_token(name="early", scopes=["read"], occurred_at=clock.now(),
                                         actor="system:test").token
    response = app.test_client().get("/api/v1/customers", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response.get_json()["code"] == "read_models_unavailable"
    services.close()
