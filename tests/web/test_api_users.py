"""``GET /users``: the colleagues an integrator gives work to, with the ref that does it."""

from __future__ import annotations

from tests.web.conftest import ApiClient


def test_colleagues_are_listed_with_the_ref_that_assigns_them_work(api: ApiClient) -> None:
    """A telephony system maps an extension to the agent by email, then assigns the call's case."""
    ann = api.staff("ann")
    app, now = api.services.app, api.services.clock.now()
    app.register_user(email="aud@staff.example", name="Audrey", role="auditor", occurred_at=now, actor="system:test")
    api.catch_up()
    agents = api.get("/api/v1/users?role=agent").get_json()["items"]
    found = {u["email"]: u for u in agents}
    assert found["ann@staff.example"]["ref"] == ann and "aud@staff.example" not in found
    case = api.case(api.customer())["id"]
    assert api.post(f"/api/v1/cases/{case}/assign", {"assignee": found["ann@staff.example"]["ref"]}).status_code == 200


def test_the_list_needs_read_users_and_refuses_bad_filters(api: ApiClient) -> None:
    assert api.get("/api/v1/users", token=api.token("read:cases")).status_code == 403
    assert api.get("/api/v1/users", token=api.token("read:users")).status_code == 200
    bad = api.get("/api/v1/users?role=king")
    assert bad.status_code == 422 and "role" in bad.get_json()["errors"]
