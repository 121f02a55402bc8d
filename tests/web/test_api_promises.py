"""Promise endpoints: make, list overdue, keep, reschedule, cancel."""

from __future__ import annotations

from tests.web.conftest import ApiClient

DUE = "2026-03-03T10:00:00+00:00"


def promise(api: ApiClient, customer: str, due_at: str = DUE, what: str = "Call back") -> str:
    made = api.post("/api/v1/promises", {"customer_id": customer, "what": what, "due_at": due_at, "owner": api.staff("ann"),
                                         "channel": "phone", "kind": "callback"})
    assert made.status_code == 201, made.get_json()
    promise_id: str = made.get_json()["id"]
    return promise_id


def test_overdue_lists_open_promises_past_due(api: ApiClient) -> None:
    customer = api.customer()
    late = promise(api, customer, due_at="2026-03-01T10:00:00+00:00", what="Late")
    promise(api, customer, what="Not due yet")
    kept_late = promise(api, customer, due_at="2026-02-01T10:00:00+00:00", what="Kept")
    api.post(f"/api/v1/promises/{kept_late}/keep", {"evidence": "Called"})
    api.catch_up()
    overdue = api.get("/api/v1/promises?status=overdue").get_json()["items"]
    assert [(p["id"], p["overdue"]) for p in overdue] == [(late, True)]
    assert len(api.get(f"/api/v1/promises?customer_id={customer}").get_json()["items"]) == 3
    assert api.get(f"/api/v1/promises/{late}").get_json()["overdue"] is True  # one promise says it too
    assert api.get(f"/api/v1/promises/{kept_late}").get_json()["overdue"] is False


def test_a_promise_is_rescheduled_then_kept(api: ApiClient) -> None:
    made = promise(api, api.customer())
    moved = api.post(f"/api/v1/promises/{made}/reschedule", {"due_at": "2026-03-04T10:00:00+00:00",
                                                             "reason": "Customer asked"}, headers={"If-Match": "1"})
    assert moved.status_code == 200
    assert api.post(f"/api/v1/promises/{made}/keep", {"evidence": "Called at 10:02"}).status_code == 200
    api.catch_up()
    found = api.get(f"/api/v1/promises/{made}").get_json()
    assert (found["status"], found["reschedules"], found["due_at"]) == ("kept", 1, "2026-03-04T10:00:00+00:00")


def test_a_cancelled_promise_cannot_be_kept(api: ApiClient) -> None:
    made = promise(api, api.customer())
    assert api.post(f"/api/v1/promises/{made}/cancel", {"reason": "Resolved by email"}).status_code == 200
    refused = api.post(f"/api/v1/promises/{made}/keep", {"evidence": "Called"})
    assert refused.status_code == 409 and refused.get_json()["code"] == "state_conflict"


def test_a_promise_needs_an_aware_due_time(api: ApiClient) -> None:
    response = api.post("/api/v1/promises", {"customer_id": api.customer(), "what": "x", "due_at": "2026-03-03T10:00",
                                             "owner": api.staff("ann"), "channel": "phone"})
    assert response.status_code == 422 and "due_at" in response.get_json()["errors"]


def test_a_promise_about_another_customers_case_or_a_missing_deal_is_refused_on_its_field(api: ApiClient) -> None:
    mine, theirs = api.customer("Ada"), api.customer("Bob")
    case = api.case(theirs)["id"]
    promise = {"customer_id": mine, "what": "Call back", "owner": api.staff("ann"), "channel": "phone",
               "due_at": "2026-03-03T09:00:00+00:00"}
    before = api.event_count()
    refused = api.post("/api/v1/promises", {**promise, "case_id": case})
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"case_id": [f"case {case} is another customer's"]}
    missing = api.post("/api/v1/promises", {**promise, "deal_id": "00000000-0000-4000-8000-000000000000"})
    assert missing.status_code == 422 and list(missing.get_json()["errors"]) == ["deal_id"]
    assert api.event_count() == before
    assert api.post("/api/v1/promises", {**promise, "case_id": api.case(mine)["id"]}).status_code == 201
