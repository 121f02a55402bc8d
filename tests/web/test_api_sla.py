"""GET /api/v1/sla/breaches, /at-risk, /compliance and the `sla` block of a case, at the injected clock."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from werkzeug.test import TestResponse

from domain.clock import FixedClock
from tests.web.conftest import ApiClient, build_api

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


def items(response: TestResponse) -> list[dict[str, Any]]:
    """The items of a one-page answer."""
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert body.keys() == {"items", "next_cursor"} and body["next_cursor"] is None, body
    found: list[dict[str, Any]] = body["items"]
    return found


def test_breaches_show_an_overdue_first_response_once_its_due_instant_passes(
    api: ApiClient, clock: FixedClock, case_id: str
) -> None:
    clock.set(T0 + timedelta(minutes=59))
    assert api.get("/api/v1/sla/breaches").get_json() == {"items": [], "next_cursor": None}
    clock.set(T0 + timedelta(minutes=75))
    [breach] = items(api.get("/api/v1/sla/breaches"))
    assert (breach["case_id"], breach["target"], breach["due_at"], breach["breached_at"],
            breach["overrun_minutes"]) == (case_id, "first_response", iso(60), iso(60), 15.0)


def test_breaches_as_of_a_past_day_leave_out_later_breaches(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(days=3))
    assert items(api.get("/api/v1/sla/breaches?as_of=2026-03-01")) == []
    assert len(items(api.get("/api/v1/sla/breaches?as_of=2026-03-02"))) == 2  # first response and resolution


def test_at_risk_lists_a_target_with_most_of_its_time_used(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(minutes=50))
    [risk] = items(api.get("/api/v1/sla/at-risk"))
    assert (risk["target"], risk["remaining_minutes"], risk["due_at"]) == ("first_response", 10.0, iso(60))
    assert api.get("/api/v1/sla/at-risk?minutes_left=5").get_json() == {"items": [], "next_cursor": None}


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
    assert items(api.get("/api/v1/sla/at-risk?target=first_response")) == []
    [risk] = items(api.get("/api/v1/sla/at-risk", query_string={"as_of": iso(50), "target": "first_response"}))
    assert (risk["case_id"], risk["remaining_minutes"], risk["due_at"]) == (case_id, 10.0, iso(60))


def test_breaches_as_of_an_instant_leave_out_later_ones(api: ApiClient, clock: FixedClock, case_id: str) -> None:
    clock.set(T0 + timedelta(minutes=300))
    assert items(api.get("/api/v1/sla/breaches", query_string={"as_of": iso(59)})) == []
    [breach] = items(api.get("/api/v1/sla/breaches", query_string={"as_of": iso(61)}))
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


# -- pages: {"items", "next_cursor"}, limit and cursor, on both databases ---------------------------------

BREACHES, AT_RISK = "/api/v1/sla/breaches", "/api/v1/sla/at-risk"


def crowd(api: ApiClient, clock: FixedClock) -> list[str]:
    """Three cases opened at T0 and one ten minutes later: four first responses (due at 60, 60,
    60 and 70 minutes) and four resolutions (240, 240, 240, 250), ties on every due instant."""
    api.services.app.define_sla_policy(name="Standard", position=1, conditions=None, targets=TARGETS,
                                       calendar=OFFICE, occurred_at=T0, actor="user:admin")
    customer = api.customer()
    opened = [api.case(customer, f"Case {n}")["id"] for n in range(3)]
    clock.set(T0 + timedelta(minutes=10))
    opened.append(api.case(customer, "Case 3")["id"])
    api.catch_up()
    return opened


def key(item: dict[str, Any], instant: str) -> tuple[Any, ...]:
    return datetime.fromisoformat(item[instant]), item["case_id"], item["target"], item["cycle"]


def walk(api: ApiClient, path: str, query: dict[str, Any], limit: int) -> tuple[list[dict[str, Any]], int]:
    """Every item of a listing, following next_cursor from the first page; and the pages read."""
    seen: list[dict[str, Any]] = []
    cursor, pages = None, 0
    while True:
        response = api.get(path, query_string={**query, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["items"]) <= limit
        seen += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages
        assert pages <= 50, "next_cursor never ends"


@pytest.fixture
def breached(stored_api: ApiClient, clock: FixedClock) -> list[str]:
    """The crowd at 300 minutes: eight breaches, two of them stored (first responses replied to
    late, at 90 minutes) tying at 60 minutes with one still counting."""
    opened = crowd(stored_api, clock)
    clock.set(T0 + timedelta(minutes=90))
    for case in opened[:2]:
        assert stored_api.post(f"/api/v1/cases/{case}/reply", {"body": "Sorry"}).status_code == 200
    clock.set(T0 + timedelta(minutes=300))
    stored_api.catch_up()
    return opened


@pytest.mark.parametrize("query", [{}, {"target": "first_response"}, {"as_of": iso(245)}])
def test_breaches_page_one_at_a_time_in_order_across_ties_without_repeats_or_gaps(
    stored_api: ApiClient, breached: list[str], query: dict[str, Any]
) -> None:
    full = items(stored_api.get(BREACHES, query_string={**query, "limit": 500}))
    expected = {(c, "first_response") for c in breached} | {(c, "resolution") for c in breached}
    expected = {e for e in expected if e[1] == query.get("target", e[1])}
    if "as_of" in query:  # the last case's resolution breaches at 250 minutes
        expected.discard((breached[3], "resolution"))
    assert {(b["case_id"], b["target"]) for b in full} == expected
    assert full == sorted(full, key=lambda b: key(b, "breached_at"), reverse=True)  # latest first, ties by id
    assert [b["stopped_at"] for b in full if b["target"] == "first_response" and b["case_id"] in breached[:2]] \
        == [iso(90), iso(90)]  # stored breaches, merged with the ones still counting
    for limit in (1, 3):
        seen, pages = walk(stored_api, BREACHES, query, limit)
        assert seen == full
        assert pages == -(-len(full) // limit)  # no empty page at the end: nothing more was scanned


@pytest.mark.parametrize("query", [{"share": 0}, {"share": 0, "target": "resolution"}, {"minutes_left": 195}])
def test_at_risk_pages_one_at_a_time_in_order_across_ties_without_repeats_or_gaps(
    stored_api: ApiClient, clock: FixedClock, query: dict[str, Any]
) -> None:
    opened = crowd(stored_api, clock)
    clock.set(T0 + timedelta(minutes=50))
    full = items(stored_api.get(AT_RISK, query_string={**query, "limit": 500}))
    dues = {"first_response": (60, 70), "resolution": (240, 250)}  # the last case's ten minutes later
    expected = [(iso(dues[target][case == opened[3]]), case, target) for case in opened for target in dues
                if target == query.get("target", target)
                and dues[target][case == opened[3]] - 50 <= query.get("minutes_left", 10**6)]
    assert [(r["due_at"], r["case_id"], r["target"]) for r in full] == sorted(expected)  # soonest first, ties by id
    assert full == sorted(full, key=lambda r: key(r, "due_at"))
    for limit in (1, 3):
        seen, pages = walk(stored_api, AT_RISK, query, limit)
        assert seen == full
        assert pages == -(-len(full) // limit)
    clock.set(T0 + timedelta(minutes=100))  # as of a past instant (every clock recomputed then): the same pages
    assert walk(stored_api, AT_RISK, {**query, "as_of": iso(50)}, 1)[0] == full


def test_a_forged_or_foreign_cursor_is_a_400_naming_cursor(stored_api: ApiClient, clock: FixedClock) -> None:
    api = stored_api
    crowd(api, clock)
    clock.set(T0 + timedelta(minutes=100))  # four first responses breached, four resolutions at risk
    foreign = {BREACHES: api.get(f"{AT_RISK}?share=0&limit=1").get_json()["next_cursor"],
               AT_RISK: api.get(f"{BREACHES}?limit=1").get_json()["next_cursor"]}
    assert all(foreign.values())
    cases = api.get("/api/v1/cases?limit=1").get_json()["next_cursor"]
    for path in (BREACHES, AT_RISK):
        for cursor in (foreign[path], cases, "garbage!", "WzFd", "eyJhIjogMX0"):
            response = api.get(path, query_string={"cursor": cursor})
            assert response.status_code == 400, (path, cursor)
            assert response.get_json()["code"] == "bad_cursor" and "cursor" in response.get_json()["errors"]


HOSTILE = [None, "2026-03-02T10:00:00", "2026-13-01T09:00:00+00:00", "0001-01-01T00:00:00+01:00", "NaN", True, 1.5,
           -10**30, 10**19, "x" * 300, "\u0000", {"a": 1}, [1], ""]


@pytest.mark.parametrize(("path", "tag"), [(BREACHES, "sla-breaches"), (AT_RISK, "sla-at-risk")])
def test_a_cursor_forged_with_any_value_is_a_400_naming_cursor_never_a_500(
    database_url: str, clock: FixedClock, path: str, tag: str
) -> None:
    api = build_api(database_url, clock, API_RATE_LIMIT=10**6, API_RATE_BURST=10**6)
    crowd(api, clock)
    clock.set(T0 + timedelta(minutes=100))
    api.catch_up()
    fine = [iso(60), "5", "first_response", 0]
    for slot in range(len(fine)):
        for value in HOSTILE:
            after = [*fine]
            after[slot] = value
            cursor = base64.urlsafe_b64encode(json.dumps({"sort": tag, "after": after}).encode()).decode().rstrip("=")
            response = api.get(path, query_string={"share": 0, "cursor": cursor} if path == AT_RISK
                               else {"cursor": cursor})
            assert response.status_code in (200, 400), (slot, value, response.get_json())
            if response.status_code == 400:
                assert response.get_json()["errors"].keys() == {"cursor"}, (slot, value)
    api.services.close()


@pytest.mark.parametrize("path", [BREACHES, AT_RISK])
@pytest.mark.parametrize("limit", [0, 501])
def test_a_limit_out_of_range_is_a_422_naming_limit(stored_api: ApiClient, path: str, limit: int) -> None:
    response = stored_api.get(path, query_string={"limit": limit})
    assert response.status_code == 422 and "limit" in response.get_json()["errors"]
    assert stored_api.get(path, query_string={"limit": 500}).status_code == 200


@pytest.mark.parametrize(("path", "query", "minutes"), [(BREACHES, {}, 300), (AT_RISK, {"share": 0}, 50)])
def test_a_page_unchanged_since_its_etag_is_a_304(
    stored_api: ApiClient, clock: FixedClock, path: str, query: dict[str, Any], minutes: int
) -> None:
    crowd(stored_api, clock)
    clock.set(T0 + timedelta(minutes=minutes))
    first = stored_api.get(path, query_string={**query, "limit": 2})
    assert first.status_code == 200 and len(first.get_json()["items"]) == 2 and first.get_json()["next_cursor"]
    etag = first.headers["ETag"]
    again = stored_api.get(path, query_string={**query, "limit": 2}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    following = {**query, "limit": 2, "cursor": first.get_json()["next_cursor"]}
    assert stored_api.get(path, query_string=following, headers={"If-None-Match": etag}).status_code == 200
