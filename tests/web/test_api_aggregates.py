"""``GET /api/v1/aggregates/<id>``: state as of a version, a business instant or a recorded one,
for tokens with read:audit only; every answer leaves an AuditRead record; bad input is a 4xx
naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.utils import get_topic

from domain.audit.model import AuditRead
from tests.integration.test_audit_replay import hours, recorded, transferred_case
from tests.web.conftest import ApiClient


def audit_reads(api: ApiClient) -> list[Any]:
    app = api.services.app
    notes = app.recorder.select_notifications(start=1, limit=1000, topics=[get_topic(AuditRead.Recorded)])
    return [app.mapper.to_domain_event(n) for n in notes]


def test_the_state_as_of_a_version_a_business_instant_and_a_recorded_one(stored_api: ApiClient) -> None:
    story = transferred_case(stored_api.services.app)
    token = stored_api.token("read:audit")
    base = f"/api/v1/aggregates/{story.case}"
    now = stored_api.get(base, token=token).get_json()
    assert (now["kind"], now["version"], now["head_version"], now["exists"]) == ("Case", 4, 4, True)
    assert stored_api.get(f"{base}?version=2", token=token).get_json()["state"]["assignee"] == "user:first@example.com"
    as_of = stored_api.get(f"{base}?as_of={hours(-1.5).isoformat()}".replace("+", "%2B"), token=token).get_json()
    assert (as_of["state"]["assignee"], as_of["state"]["priority"]) == ("user:first@example.com", "high")
    known = stored_api.get(f"{base}?known_at={recorded(2.5).isoformat()}".replace("+", "%2B"), token=token)
    assert known.get_json()["state"]["assignee"] == "user:second@example.com"
    before = stored_api.get(f"{base}?as_of={hours(-6).isoformat()}".replace("+", "%2B"), token=token).get_json()
    assert (before["exists"], before["version"], before["state"]) == (False, None, {})


def test_a_case_tracking_code_names_its_case(api: ApiClient) -> None:
    story = transferred_case(api.services.app)
    api.catch_up()
    response = api.get("/api/v1/aggregates/case-000001?version=1")
    assert response.status_code == 200 and response.get_json()["id"] == str(story.case)


def test_every_read_is_recorded_with_who_what_and_the_query(api: ApiClient) -> None:
    story = transferred_case(api.services.app)
    token = api.token("read:audit", name="auditor-bot")
    assert api.get(f"/api/v1/aggregates/{story.case}?version=2", token=token).status_code == 200
    [read] = audit_reads(api)
    assert (read.actor, read.subject, read.query, read.channel) == ("api:auditor-bot", str(story.case),
                                                                    {"version": "2"}, "api")
    assert read.occurred_at == api.services.clock.now()


@pytest.mark.parametrize("scopes, status", [(("read:audit",), 200), (("read",), 200), (("read:cases",), 403),
                                            (("read:events",), 403), (("write",), 403)])
def test_only_tokens_with_read_audit_read_state(api: ApiClient, scopes: tuple[str, ...], status: int) -> None:
    story = transferred_case(api.services.app)
    response = api.get(f"/api/v1/aggregates/{story.case}", token=api.token(*scopes))
    assert response.status_code == status
    assert len(audit_reads(api)) == (1 if status == 200 else 0)


@pytest.mark.parametrize("query, field", [
    ("version=1&as_of=2026-03-01T00:00:00%2B00:00", "as_of"),
    ("as_of=2026-03-01T00:00:00%2B00:00&known_at=2026-03-01T00:00:00%2B00:00", "known_at"),
    ("version=0", "version"), ("version=two", "version"), ("version=5", "version"),
    ("as_of=2026-03-01T00:00:00", "as_of"), ("known_at=yesterday", "known_at"), ("at=1", "at"),
])
def test_bad_queries_are_422_naming_the_field(api: ApiClient, query: str, field: str) -> None:
    story = transferred_case(api.services.app)
    response = api.get(f"/api/v1/aggregates/{story.case}?{query}")
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert audit_reads(api) == []  # a refused question is not a read


@pytest.mark.parametrize("wanted", ["00000000-0000-0000-0000-000000000007", "CASE-999999", "not-an-id"])
def test_unknown_aggregates_are_404(api: ApiClient, wanted: str) -> None:
    assert api.get(f"/api/v1/aggregates/{wanted}").status_code == 404


def test_secrets_and_tokens_never_show(api: ApiClient) -> None:
    users = api.services.app.recorder.select_notifications(start=1, limit=1000)
    token_id = next(n.originator_id for n in users if n.topic.endswith("ApiToken.Created"))
    assert api.get(f"/api/v1/aggregates/{token_id}").status_code == 404
    user = api.services.app.register_user(email="ann@example.com", name="Ann", role="agent",
                                          occurred_at=hours(0), actor="system:test").id
    api.services.app.set_user_password(user, password_hash="$argon2id$v=19$secret", occurred_at=hours(0),
                                       actor="system:test")
    body = api.get(f"/api/v1/aggregates/{user}").get_data(as_text=True)
    assert "argon2" not in body and "password_hash" not in body


def test_the_operation_is_documented_with_its_scope(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/aggregates/{aggregate_id}"]["get"]
    assert operation["security"] == [{"bearerAuth": ["read:audit"]}] or "read:audit" in str(operation["security"])
    assert {p["name"] for p in operation["parameters"]} >= {"version", "as_of", "known_at"}
