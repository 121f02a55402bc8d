"""Tokens, scopes and the rate limit: every API operation needs a token with the right scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.application import Touchline
from domain.clock import FixedClock
from projections.api_state import token_last_uses
from tests.web.conftest import ApiClient, build_api
from web.api.auth import PUBLIC

READS = ["/api/v1/customers", "/api/v1/customers/churn-candidates", "/api/v1/cases", "/api/v1/promises",
         "/api/v1/deals", "/api/v1/funnel", "/api/v1/touchpoints/repeat-contacts",
         "/api/v1/touchpoints/contact-rates", "/api/v1/agents/workload", "/api/v1/events"]


def assert_error(response: object, status: int, code: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert body["code"] == code and body["message"] and isinstance(body["errors"], dict)


@pytest.mark.parametrize("path", READS)
def test_a_request_without_a_token_is_refused_with_a_bearer_challenge(api: ApiClient, path: str) -> None:
    response = api.client.get(path)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_every_documented_operation_refuses_no_token_and_a_token_of_another_area_writing_nothing(
        api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    tokens = {scope: api.token(scope) for scope in ("read:funnel", "read:audit")}
    refused, before = 0, api.event_count()
    for path, operations in spec["paths"].items():
        concrete = re.sub(r"\{[^}]*\}", "00000000-0000-4000-8000-000000000000", path)
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete") or not operation.get("security"):
                continue
            needed = operation["security"][0]["bearerAuth"][0]
            elsewhere = "read:funnel" if not needed.endswith(":funnel") else "read:audit"
            body = {"json": {}} if method != "get" else {}
            anonymous = api.client.open(concrete, method=method.upper(), **body)
            assert_error(anonymous, 401, "unauthorized")
            forbidden = api.request(method.upper(), concrete, token=tokens[elsewhere], **body)
            assert_error(forbidden, 403, "missing_scope")
            assert forbidden.get_json()["errors"]["scope"][0].startswith(f"needs {needed}"), (method, path)
            refused += 1
    assert refused >= 60 and api.event_count() == before


@pytest.mark.parametrize("header", ["Bearer tl_not-a-real-token", "Basic dXNlcjpwdw==", "Bearer", "tl_abc",
                                    "Bearer abc"])
def test_an_unknown_or_malformed_token_is_refused(api: ApiClient, header: str) -> None:
    response = api.client.get("/api/v1/customers", headers={"Authorization": header})
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_on_the_next_request(api: ApiClient) -> None:
    token = api.token("read", name="website")
    assert api.get("/api/v1/customers", token=token).status_code == 200
    found = api.services.app.find_api_token("website")
    api.services.app.revoke_api_token(found.id, occurred_at=api.services.clock.now(), actor="system:test")
    assert_error(api.get("/api/v1/customers", token=token), 401, "invalid_token")


def test_a_token_revoked_by_another_process_is_refused_on_the_next_request(
    stored_api: ApiClient, new_instance: Callable[[], Touchline]
) -> None:
    token = stored_api.token("read", name="website")
    for _ in range(2):  # checked, then answered from what this process remembers of it
        assert stored_api.get("/api/v1/customers", token=token).status_code == 200
    cli = new_instance()  # e.g. `touchline tokens revoke website` in another process
    cli.revoke_api_token(cli.find_api_token("website").id, occurred_at=stored_api.services.clock.now(),
                         actor="system:test")
    assert_error(stored_api.get("/api/v1/customers", token=token), 401, "invalid_token")


def test_a_token_without_the_scope_is_forbidden_and_told_which_scope(api: ApiClient) -> None:
    token = api.token("read:funnel")
    response = api.get("/api/v1/cases", token=token)
    assert_error(response, 403, "missing_scope")
    assert "read:cases" in response.get_json()["message"]


def test_an_area_scope_grants_that_area_only(api: ApiClient) -> None:
    token = api.token("read:funnel", "write:touchpoints")
    assert api.get("/api/v1/funnel", token=token).status_code == 200
    customer = api.customer()
    recorded = api.post("/api/v1/touchpoints", {"customer_id": customer, "channel": "phone", "direction": "inbound",
                                                "kind": "inquiry", "subject": "Hello"}, token=token)
    assert recorded.status_code == 201
    assert api.post("/api/v1/customers", {"name": "Bob"}, token=token).status_code == 403
    assert api.get("/api/v1/customers", token=token).status_code == 403


@pytest.mark.parametrize("path", READS)
def test_the_read_scope_grants_every_read_but_no_write(api: ApiClient, path: str) -> None:
    token = api.token("read")
    assert api.get(path, token=token).status_code == 200
    assert api.post("/api/v1/customers", {"name": "Bob"}, token=token).status_code == 403


def test_a_write_only_token_cannot_read(api: ApiClient) -> None:
    token = api.token("write")
    assert api.post("/api/v1/customers", {"name": "Bob"}, token=token).status_code == 201
    assert api.get("/api/v1/customers", token=token).status_code == 403


def test_authentication_comes_before_input_checks(api: ApiClient) -> None:
    assert_error(api.client.get("/api/v1/customers?limit=-5"), 401, "unauthorized")
    assert_error(api.get("/api/v1/customers?limit=-5", token=api.token("read:funnel")), 403, "missing_scope")


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(tmp_path: Path, clock: FixedClock) -> None:
    limited = build_api(f"sqlite:///{tmp_path / 'rl.db'}", clock, API_RATE_LIMIT=60, API_RATE_BURST=3)
    try:
        token, other = limited.token("read"), limited.token("read")
        codes = [limited.get("/api/v1/funnel", token=token).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = limited.get("/api/v1/funnel", token=token)
        assert_error(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert limited.get("/api/v1/funnel", token=other).status_code == 200  # the limit is per token
    finally:
        limited.services.close()


def test_the_last_use_of_a_token_is_recorded_without_writing_events(api: ApiClient) -> None:
    token = api.token("read", name="bi-tool")
    token_id = str(api.services.app.find_api_token("bi-tool").id)
    before = api.event_count()
    for _ in range(3):
        api.get("/api/v1/funnel", token=token)
    assert api.event_count() == before
    with api.services.views.connect() as conn:
        assert token_last_uses(conn)[token_id] == api.services.clock.now()


def test_last_use_is_written_at_most_once_a_minute_per_token(api: ApiClient, clock: FixedClock) -> None:
    token = api.token("read", name="poller")
    token_id = str(api.services.app.find_api_token("poller").id)
    api.get("/api/v1/funnel", token=token)
    first = clock.now()
    clock.advance(minutes=5)  # the throttle runs on the process's own clock, not this one
    api.get("/api/v1/funnel", token=token)
    with api.services.views.connect() as conn:
        assert token_last_uses(conn)[token_id] == first


def test_every_api_operation_declares_its_scope(api: ApiClient) -> None:
    from flask.views import MethodView

    unmarked = []
    for rule in api.app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        view = api.app.view_functions[rule.endpoint]
        target = getattr(view, "view_class", None)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            handler = getattr(target, method.lower()) if target and issubclass(target, MethodView) else view
            scope = getattr(handler, "_required_scope", None)
            if scope is None or (scope == PUBLIC and not rule.rule.startswith("/api/v1/docs/")):
                unmarked.append(f"{method} {rule.rule}")
    assert unmarked == []


def test_the_openapi_document_and_docs_are_public_and_served_locally(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.get_json()["openapi"].startswith("3.1")
    page = api.client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html and "//cdn" not in html and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert api.client.get(f"/api/v1/docs/assets/{asset}").status_code == 200


def test_the_document_names_the_security_scheme_and_each_operations_scope(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operation = spec["paths"]["/api/v1/touchpoints"]["post"]
    assert operation["security"] == [{"bearerAuth": ["write:touchpoints"]}]
    assert {"401", "403", "429"} <= set(operation["responses"])
    too_many = spec["components"]["responses"]["TooManyRequests"]
    assert "Retry-After" in too_many["headers"]


def test_each_operation_documents_the_errors_its_shape_can_answer(api: ApiClient) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]

    def documented(path: str, method: str) -> set[str]:
        return set(paths[f"/api/v1{path}"][method]["responses"])

    assert {"400", "404", "409", "412", "413", "415"} <= documented("/cases/{case_id}/assign", "post")
    assert {"400", "409", "413", "415"} <= documented("/touchpoints", "post")
    assert "412" not in documented("/touchpoints", "post") and "404" not in documented("/touchpoints", "post")
    assert {"400", "404", "503"} <= documented("/customers/{customer_id}", "get")
    assert "409" not in documented("/customers/{customer_id}", "get")
    assert "503" not in documented("/events", "get")  # the feed reads the log, it never waits for projections
    for name in ("PreconditionFailed", "Conflict", "NotCaughtUp", "NotFound"):
        assert spec["components"]["responses"][name]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}
    assert "Retry-After" in spec["components"]["responses"]["NotCaughtUp"]["headers"]
    for path, operations in paths.items():  # If-Match everywhere means 412 everywhere
        for method, operation in operations.items():
            if method == "parameters":  # the path's own, shared by its operations
                continue
            takes = {p.get("name") for p in operation.get("parameters", [])}
            assert ("If-Match" in takes) == ("412" in operation["responses"]), (method, path)


def test_token_events_are_not_in_the_event_feed(api: ApiClient) -> None:
    api.token("read", name="secret-holder")
    api.customer()
    feed = api.get("/api/v1/events?limit=1000").get_json()
    assert [e["type"] for e in feed["events"]] == ["Customer.Registered"]
    assert "secret-holder" not in str(feed)


def test_the_api_reads_no_session_cookie_and_sets_none(api: ApiClient) -> None:
    panel = api.client.get("/admin/")  # the panel opens a session (its login redirect) and may set it
    api.client.set_cookie("session", "forged-or-stale-panel-session")
    with api.client.session_transaction() as session:  # a real, signed panel session rides along too
        session["_user_id"] = "someone"
        session.permanent = True  # Flask re-sends such a cookie with every answer it opens it for
    answered = api.get("/api/v1/customers")
    assert answered.status_code == 200 and "Set-Cookie" not in answered.headers
    refused = api.client.get("/api/v1/customers")  # the cookie is no credential: still no token
    assert_error(refused, 401, "unauthorized")
    assert "Set-Cookie" not in refused.headers
    assert panel.status_code in (200, 302)
