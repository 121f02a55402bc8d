"""Case endpoints: open with a touchpoint, act on it, list, find by code, agent workload."""

from __future__ import annotations

from uuid import UUID

from domain.clock import FixedClock
from tests.web.conftest import ApiClient


def test_opening_a_case_answers_its_tracking_code_and_records_the_raising_contact(api: ApiClient) -> None:
    customer = api.customer()
    opened = api.case(customer, touchpoint={"channel": "email", "direction": "inbound", "kind": "complaint",
                                            "subject": "Printer jams"})
    assert opened["tracking_code"].startswith("CASE-") and opened["version"] == 1
    api.catch_up()
    case = api.get(f"/api/v1/cases/{opened['id']}").get_json()
    assert (case["tracking_code"], case["status"], case["customer_contacts"]) == (opened["tracking_code"], "new", 1)
    by_code = api.get(f"/api/v1/cases/by-code/{opened['tracking_code'].lower()}").get_json()
    assert by_code["id"] == opened["id"]


def test_a_case_goes_through_its_actions(api: ApiClient) -> None:
    case = api.case(api.customer())["id"]
    steps = [("assign", {"assignee": api.staff("ann"), "team": "support"}), ("reply", {"body": "Looking into it"}),
             ("transfer", {"to_assignee": api.staff("bob"), "note": "Needs a technician"}),
             ("pend", {"reason": "awaiting_customer"}), ("resume", {}), ("resolve", {"resolution": "Fixed"}),
             ("reopen", {"reason": "Jams again"}), ("resolve", {"resolution": "New roller"}),
             ("rate", {"score": 5}), ("close", {})]
    for version, (name, body) in enumerate(steps, start=2):
        response = api.post(f"/api/v1/cases/{case}/{name}", body)
        assert response.status_code == 200, (name, response.get_json())
        assert response.get_json()["version"] == version
    api.catch_up()
    found = api.get(f"/api/v1/cases/{case}").get_json()
    assert (found["status"], found["assignee"], found["transfers"], found["reopened"], found["satisfaction"]) == \
        ("closed", api.staff("bob"), 1, 1, 5)


def test_a_reply_to_an_erased_customer_is_refused_and_a_note_taken(api: ApiClient) -> None:
    customer = api.customer()
    case = api.case(customer)["id"]
    api.services.app.erase_customer(UUID(customer), reason="GDPR", occurred_at=api.services.clock.now(),
                                    actor="user:admin")
    before = api.event_count()
    refused = api.post(f"/api/v1/cases/{case}/reply", {"body": "Fixed it"})
    assert (refused.status_code, refused.get_json()["code"]) == (409, "customer_erased")
    assert api.event_count() == before
    assert api.post(f"/api/v1/cases/{case}/reply", {"body": "Erased; closing", "public": False}).status_code == 200


def test_cases_filter_by_status_assignee_and_customer(api: ApiClient) -> None:
    ada, bea = api.customer("Ada"), api.customer("Bea")
    first = api.case(ada, occurred_at="2026-03-01T09:00:00+00:00")["id"]
    second = api.case(bea, occurred_at="2026-03-01T10:00:00+00:00")["id"]
    api.post(f"/api/v1/cases/{first}/assign", {"assignee": api.staff("ann")})
    api.catch_up()

    def ids(query: str) -> list[str]:
        return [c["id"] for c in api.get(f"/api/v1/cases?{query}").get_json()["items"]]

    assert ids(f"assignee={api.staff('ann')}") == [first]
    assert ids("unassigned=true") == [second]
    assert ids(f"customer_id={bea}") == [second]
    assert ids("status=active") == [first, second] and ids("status=closed") == []


def test_an_unknown_case_or_code_is_a_404(api: ApiClient) -> None:
    assert api.get("/api/v1/cases/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/api/v1/cases/by-code/CASE-999999").status_code == 404


def test_agent_workload_counts_active_cases(api: ApiClient) -> None:
    case = api.case(api.customer())["id"]
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": api.staff("ann")})
    api.catch_up()
    report = api.get("/api/v1/agents/workload").get_json()
    assert [(r["agent"], r["active_cases"], r["open_promises"]) for r in report["agents"]] == [(api.staff("ann"), 1, 0)]
    assert report["as_of"] == api.services.clock.now().isoformat()  # overdue is measured at the service's clock


def test_agent_workload_is_not_modified_while_its_figures_stay_the_same(api: ApiClient, clock: FixedClock) -> None:
    case = api.case(api.customer())["id"]
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": api.staff("ann")})
    api.catch_up()
    etag = api.get("/api/v1/agents/workload").headers["ETag"]
    clock.advance(minutes=5)  # a later instant, the same figures
    assert api.get("/api/v1/agents/workload", headers={"If-None-Match": etag}).status_code == 304
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": api.staff("bob")})
    api.catch_up()
    assert api.get("/api/v1/agents/workload", headers={"If-None-Match": etag}).status_code == 200


def not_staff(api: ApiClient) -> dict[str, str]:
    """References work cannot be given to, by why."""
    app, now = api.services.app, api.services.clock.now()
    auditor = app.register_user(email="audrey@staff.example", name="Audrey", role="auditor", occurred_at=now,
                                actor="user:admin").id
    gone = UUID(api.staff("gone").removeprefix("user:"))
    app.deactivate_user(gone, reason="Left the company", occurred_at=now, actor="user:admin")
    return {"free text": "nobody", "unknown user": f"user:{UUID(int=7)}", "malformed id": "user:x",
            "an auditor": f"user:{auditor}", "deactivated": f"user:{gone}", "a customer": f"user:{api.customer()}"}


def test_work_is_given_only_to_active_admins_and_agents_else_422_on_the_field(api: ApiClient) -> None:
    customer = api.customer()
    case = api.case(customer)["id"]
    writes = [(f"/api/v1/cases/{case}/assign", {}, "assignee"),
              (f"/api/v1/cases/{case}/transfer", {"note": "Over to you"}, "to_assignee"),
              ("/api/v1/deals", {"customer_id": customer, "title": "Routers", "value": 10}, "owner"),
              ("/api/v1/promises", {"customer_id": customer, "what": "Call back", "channel": "phone",
                                    "due_at": "2026-03-09T09:00:00+00:00"}, "owner")]
    refused = not_staff(api)
    before = api.event_count()
    for path, body, field in writes:
        for why, ref in refused.items():
            found = api.post(path, {**body, field: ref})
            assert found.status_code == 422, (path, why)
            assert found.get_json()["errors"] == {field: ["must be user:<id> of an active admin or agent"]}, why
    assert api.event_count() == before
    for path, body, field in writes:
        colleague = api.staff("bob" if field == "to_assignee" else "ann")  # a transfer goes to someone else
        assert api.post(path, {**body, field: colleague}).status_code in (200, 201), path


def test_the_customers_own_rating_cannot_be_replaced_through_the_api_409(api: ApiClient) -> None:
    opened = api.case(api.customer())
    case = opened["id"]
    api.post(f"/api/v1/cases/{case}/resolve", {"resolution": "Fixed"})
    app, now = api.services.app, api.services.clock.now()
    app.answer_survey(UUID(case), resolution=1, score=4, occurred_at=now)  # the public survey page's command
    before = api.event_count()
    for score in (1, 4):
        refused = api.post(f"/api/v1/cases/{case}/rate", {"score": score})
        assert refused.status_code == 409
        body = refused.get_json()
        assert body["code"] == "state_conflict"
        assert body["message"].startswith(f"case {opened['tracking_code']} was rated 4/5 by the customer")
    assert api.event_count() == before
    api.catch_up()
    assert api.get(f"/api/v1/cases/{case}").get_json()["satisfaction"] == 4


def test_staff_may_rate_a_case_the_customer_has_not_rated(api: ApiClient) -> None:
    case = api.case(api.customer())["id"]
    api.post(f"/api/v1/cases/{case}/resolve", {"resolution": "Fixed"})
    assert api.post(f"/api/v1/cases/{case}/rate", {"score": 3, "comment": "By phone"}).status_code == 200
    api.catch_up()
    assert api.get(f"/api/v1/cases/{case}").get_json()["satisfaction"] == 3
