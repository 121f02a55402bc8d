"""GET /api/v1/sla/breaches, /at-risk, /compliance and the `sla` block of a case, at the injected clock."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from domain.clock import FixedClock
from tests.web.conftest import ApiClient

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # the clock fixture's start
OFFICE = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
TARGETS = {"normal": {"first_response": {"minutes": 60, "business_hours": False},
                      "resolution": {"minutes": 240, "business_hours": False}}}
READS = ("/api/v1/sla/breaches", "/api/v1/sla/at-risk", "/api/v1/sla/compliance")


@pytest.fixture
def case_id(api: ApiClient) -> str:
    """A case opened at T0 under a policy with a 60-minute first response, nobody replying."""
    api.services.app.define_sla_policy(name="Standard", position=1, conditions=None, targets=TARGETS,
                                       calendar=OFFICE, occurred_at=T0, actor="user:admin")
    opened: str = api.case(api.customer())["id"]
    api.catch_up()
    return opened


def iso(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def test_breaches_show_an_overdue_first_response_once_its_due_instant_passes(
    api: ApiClient, clock: FixedClock, case_id: str
) -> None:
    clock.set(T0 + timedelta(minutes=59))
    assert api.get("/api/v1/sla/breaches").get_json() == []
    clock.set(T0 + timedelta(minutes=75))
    [breach] = api.get("/api/v1/sla/breaches").get_json()
    assert (breach["case_id"], breach["target"], breach["due_at"], breach["breached_at"],
            breach["overrun_minutes"]) == (case_id, "first_response", iso(60), iso(60), 15.0)


def test_breaches_as_of_a_past_day_leave_out_later_breaches(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(days=3))
    assert api.get("/api/v1/sla/breaches?as_of=2026-03-01").get_json() == []
    assert len(api.get("/api/v1/sla/breaches?as_of=2026-03-02").get_json()) == 2  # first response and resolution


def test_at_risk_lists_a_target_with_most_of_its_time_used(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(minutes=50))
    [risk] = api.get("/api/v1/sla/at-risk").get_json()
    assert (risk["target"], risk["remaining_minutes"], risk["due_at"]) == ("first_response", 10.0, iso(60))
    assert api.get("/api/v1/sla/at-risk?minutes_left=5").get_json() == []


def test_a_case_carries_its_sla_targets_as_of_now(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(minutes=61))
    sla = api.get(f"/api/v1/cases/{case_id}").get_json()["sla"]
    assert sla == [
        {"target": "first_response", "cycle": 0, "status": "breached", "due_at": iso(60), "breached_at": iso(60)},
        {"target": "resolution", "cycle": 0, "status": "active", "due_at": iso(240), "breached_at": None},
    ]


def test_at_risk_as_of_a_past_instant_shows_what_was_at_risk_then(
    api: ApiClient, clock: FixedClock, case_id: str
) -> None:
    api.post(f"/api/v1/cases/{case_id}/reply", {"body": "On it", "occurred_at": iso(55)})
    clock.set(T0 + timedelta(minutes=120))
    api.catch_up()
    assert api.get("/api/v1/sla/at-risk?target=first_response").get_json() == []
    [risk] = api.get("/api/v1/sla/at-risk", query_string={"as_of": iso(50), "target": "first_response"}).get_json()
    assert (risk["case_id"], risk["remaining_minutes"], risk["due_at"]) == (case_id, 10.0, iso(60))


def test_breaches_as_of_an_instant_leave_out_later_ones(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(minutes=300))
    assert api.get("/api/v1/sla/breaches", query_string={"as_of": iso(59)}).get_json() == []
    [breach] = api.get("/api/v1/sla/breaches", query_string={"as_of": iso(61)}).get_json()
    assert (breach["target"], breach["overrun_minutes"]) == ("first_response", 1.0)


def test_compliance_per_week(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(days=9))
    body = api.get("/api/v1/sla/compliance?since=2026-03-01&until=2026-03-10&group_by=week").get_json()
    assert [(g["group"], g["met"], g["breached"]) for g in body["groups"]] == [("2026-03-02", 0, 2)]


@pytest.mark.parametrize("ask", [{"query": "&format=csv"}, {"headers": {"Accept": "text/csv"}}])
def test_compliance_answers_the_share_met_as_json_or_csv(
    api: ApiClient, clock: FixedClock, case_id: str, ask: dict[str, object]
) -> None:
    other = api.case(api.customer("Grace Hopper"))["id"]
    api.post(f"/api/v1/cases/{other}/reply", {"body": "On it"})  # met at T0
    clock.set(T0 + timedelta(minutes=90))
    api.catch_up()
    path = "/api/v1/sla/compliance?since=2026-03-02&until=2026-03-02"
    body = api.get(path).get_json()
    assert [(g["group"], g["met"], g["breached"], g["share_met"]) for g in body["groups"]] == [
        ("first_response", 1, 1, 0.5)]
    response = api.get(path + str(ask.get("query", "")), headers=ask.get("headers"))  # type: ignore[arg-type]
    assert response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["target", "met", "breached", "decided", "share_met"], ["first_response", "1", "1", "2", "0.5"]]


@pytest.mark.parametrize("path", READS)
def test_sla_reads_need_the_read_sla_scope(api: ApiClient, case_id: str, path: str) -> None:
    refused = api.get(path, token=api.token("read:cases"))
    assert (refused.status_code, refused.get_json()["code"]) == (403, "missing_scope")
    assert api.get(path, token=api.token("read:sla")).status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ("/api/v1/sla/at-risk?share=1.5", "share"),
    ("/api/v1/sla/at-risk?share=0.5&minutes_left=3", "minutes_left"),
    ("/api/v1/sla/breaches?target=lunch", "target"),
    ("/api/v1/sla/breaches?as_of=yesterday", "as_of"),
    ("/api/v1/sla/breaches?as_of=2026-03-02T10:00:00", "as_of"),  # an instant needs its timezone
    ("/api/v1/sla/at-risk?as_of=2026-02-30", "as_of"),
    ("/api/v1/sla/compliance?as_of=3000-01-01", "as_of"),
    ("/api/v1/sla/compliance?group_by=planet", "group_by"),
    ("/api/v1/sla/compliance?since=2026-03-05&until=2026-03-01", "since"),
])
def test_bad_input_is_a_422_naming_the_field(api: ApiClient, query: str, field: str) -> None:
    response = api.get(query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
