"""Case endpoints: open with a touchpoint, act on it, list, find by code, agent workload."""

from __future__ import annotations

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
    steps = [("assign", {"assignee": "ann", "team": "support"}), ("reply", {"body": "Looking into it"}),
             ("transfer", {"to_assignee": "bob", "note": "Needs a technician"}),
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
        ("closed", "bob", 1, 1, 5)


def test_cases_filter_by_status_assignee_and_customer(api: ApiClient) -> None:
    ada, bea = api.customer("Ada"), api.customer("Bea")
    first = api.case(ada, occurred_at="2026-03-01T09:00:00+00:00")["id"]
    second = api.case(bea, occurred_at="2026-03-01T10:00:00+00:00")["id"]
    api.post(f"/api/v1/cases/{first}/assign", {"assignee": "ann"})
    api.catch_up()

    def ids(query: str) -> list[str]:
        return [c["id"] for c in api.get(f"/api/v1/cases?{query}").get_json()["items"]]

    assert ids("assignee=ann") == [first]
    assert ids("unassigned=true") == [second]
    assert ids(f"customer_id={bea}") == [second]
    assert ids("status=active") == [first, second] and ids("status=closed") == []


def test_an_unknown_case_or_code_is_a_404(api: ApiClient) -> None:
    assert api.get("/api/v1/cases/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/api/v1/cases/by-code/CASE-999999").status_code == 404


def test_agent_workload_counts_active_cases(api: ApiClient) -> None:
    case = api.case(api.customer())["id"]
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": "ann"})
    api.catch_up()
    report = api.get("/api/v1/agents/workload").get_json()
    assert [(r["agent"], r["active_cases"], r["open_promises"]) for r in report["agents"]] == [("ann", 1, 0)]
    assert report["as_of"] == api.services.clock.now().isoformat()  # overdue is measured at the service's clock


def test_agent_workload_is_not_modified_while_its_figures_stay_the_same(api: ApiClient, clock: FixedClock) -> None:
    case = api.case(api.customer())["id"]
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": "ann"})
    api.catch_up()
    etag = api.get("/api/v1/agents/workload").headers["ETag"]
    clock.advance(minutes=5)  # a later instant, the same figures
    assert api.get("/api/v1/agents/workload", headers={"If-None-Match": etag}).status_code == 304
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": "bob"})
    api.catch_up()
    assert api.get("/api/v1/agents/workload", headers={"If-None-Match": etag}).status_code == 200
