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


def test_a_promise_handed_over_is_the_new_owners_in_the_lists_and_the_workload(api: ApiClient) -> None:
    """Someone leaving, a shift ending: the promise (and the reminders about it) go to a colleague,
    with a note on the customer's timeline."""
    customer = api.customer()
    made = promise(api, customer)
    bob = api.staff("bob")
    handed = api.post(f"/api/v1/promises/{made}/hand-over", {"owner": bob, "note": "She prefers mornings"},
                      headers={"If-Match": '"1"'})
    assert handed.status_code == 200
    api.catch_up()
    assert api.get(f"/api/v1/promises/{made}").get_json()["owner"] == bob
    workload = {w["agent"]: w["open_promises"] for w in api.get("/api/v1/agents/workload").get_json()["agents"]}
    assert (workload.get(api.staff("ann"), 0), workload[bob]) == (0, 1)
    lines = api.get(f"/api/v1/customers/{customer}/timeline").get_json()["items"]
    handover, = [line for line in lines if line["event_type"] == "Promise.HandedOver"]
    assert bob in handover["summary"] and handover["detail"] == "She prefers mornings"


def test_a_hand_over_to_someone_who_cannot_take_work_or_to_its_owner_is_a_422_on_owner(api: ApiClient) -> None:
    made = promise(api, api.customer())
    events = api.event_count()
    for owner in ("Bob from sales", api.staff("ann")):  # free text; the owner already
        response = api.post(f"/api/v1/promises/{made}/hand-over", {"owner": owner})
        assert response.status_code == 422 and "owner" in response.get_json()["errors"], owner
    assert api.event_count() == events
    api.post(f"/api/v1/promises/{made}/keep", {"evidence": "Called"})
    kept = api.post(f"/api/v1/promises/{made}/hand-over", {"owner": api.staff("bob")})
    assert kept.status_code == 409  # a kept promise is nobody's work any more


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


def test_a_promise_may_name_the_customers_time_zone_and_reads_it_back(api: ApiClient) -> None:
    customer = api.customer()
    made = api.post("/api/v1/promises", {"customer_id": customer, "what": "Call back", "due_at": DUE,
                                         "owner": api.staff("ann"), "channel": "phone", "timezone": "Europe/Berlin"})
    assert made.status_code == 201, made.get_json()
    plain = promise(api, customer)
    api.catch_up()
    assert api.get(f"/api/v1/promises/{made.get_json()['id']}").get_json()["timezone"] == "Europe/Berlin"
    assert api.get(f"/api/v1/promises/{plain}").get_json()["timezone"] is None  # the business's zone


def test_an_unknown_time_zone_is_refused_on_its_field_and_writes_nothing(api: ApiClient) -> None:
    customer, owner = api.customer(), api.staff("ann")
    before = api.event_count()
    for zone in ("Mars/Olympus", "Berlin", "", "x" * 100, 5):
        refused = api.post("/api/v1/promises", {"customer_id": customer, "what": "Call back", "due_at": DUE,
                                                "owner": owner, "channel": "phone", "timezone": zone})
        assert refused.status_code == 422, (zone, refused.get_json())
        assert list(refused.get_json()["errors"]) == ["timezone"], (zone, refused.get_json())
    assert api.event_count() == before
