"""/api/v1/sla/policies: define, read (pages, ETag), revise with If-Match, reorder, retire, versions."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from werkzeug.test import TestResponse

from domain.clock import FixedClock
from tests.web.conftest import ApiClient

POLICIES = "/api/v1/sla/policies"
OFFICE = {"timezone": "Europe/Berlin",
          "hours": {d: [["09:00", "12:30"], ["13:30", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
          "holidays": ["2026-12-25"]}
STANDARD: dict[str, Any] = {
    "name": "Standard", "conditions": {"channel": ["email"]}, "calendar": OFFICE,
    "targets": {"normal": {"first_response": {"minutes": 60, "business_hours": False},
                           "resolution": {"minutes": 480}}},
}


def policy(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(STANDARD), **changes}


def define(api: ApiClient, **changes: Any) -> dict[str, Any]:
    response = api.post(POLICIES, policy(**changes))
    assert response.status_code == 201, response.get_json()
    found: dict[str, Any] = response.get_json()
    return found


def put(api: ApiClient, path: str, body: dict[str, Any], **headers: str) -> TestResponse:
    return api.request("PUT", path, json=body, headers=headers)


def listed(api: ApiClient, query: str = "") -> list[dict[str, Any]]:
    api.catch_up()
    items: list[dict[str, Any]] = api.get(f"{POLICIES}{query}").get_json()["items"]
    return items


def test_a_defined_policy_reads_back_in_normal_form_with_its_version(stored_api: ApiClient) -> None:
    created = define(stored_api, position=5)
    stored_api.catch_up()
    response = stored_api.get(f"{POLICIES}/{created['id']}?min_position={created['position']}")
    body = response.get_json()
    assert (body["id"], body["name"], body["version"], body["position"], body["active"]) == (
        created["id"], "Standard", 1, 5, True)
    assert body["targets"]["normal"]["resolution"] == {"minutes": 480, "business_hours": True}
    assert body["calendar"] == OFFICE and body["conditions"] == {"channel": ["email"]}
    assert stored_api.get(f"{POLICIES}/{created['id']}",
                          headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_policies_list_in_the_order_they_are_tried_a_page_at_a_time(api: ApiClient) -> None:
    late, early, tie = (define(api, name=n, position=p)["id"] for n, p in (("late", 20), ("early", 10), ("tie", 10)))
    api.catch_up()
    first = api.get(f"{POLICIES}?limit=2").get_json()
    rest = api.get(f"{POLICIES}?limit=2&cursor={first['next_cursor']}").get_json()
    assert [p["id"] for p in first["items"] + rest["items"]] == [early, tie, late]
    assert rest["next_cursor"] is None


def test_policies_sort_by_name_either_way_and_a_cursor_keeps_its_sort(api: ApiClient) -> None:
    for name, position in (("Bronze", 10), ("Gold", 30), ("Silver", 20)):
        define(api, name=name, position=position)
    api.catch_up()
    first = api.get(f"{POLICIES}?sort=-name&limit=2").get_json()
    rest = api.get(f"{POLICIES}?sort=-name&limit=2&cursor={first['next_cursor']}").get_json()
    assert [p["name"] for p in first["items"] + rest["items"]] == ["Silver", "Gold", "Bronze"]
    assert api.get(f"{POLICIES}?sort=name&cursor={first['next_cursor']}").get_json()["errors"].keys() == {"cursor"}
    refused = api.get(f"{POLICIES}?sort=priority")
    assert refused.status_code == 422 and "sort" in refused.get_json()["errors"]


def test_without_a_position_a_policy_goes_after_the_others(api: ApiClient) -> None:
    define(api, name="first", position=40)
    define(api, name="second")
    assert [(p["name"], p["position"]) for p in listed(api)] == [("first", 40), ("second", 50)]


def test_a_revision_with_the_current_version_is_a_new_version(api: ApiClient) -> None:
    created = define(api, position=1)
    changed = put(api, f"{POLICIES}/{created['id']}", policy(name="Standard 2026", position=1),
                  **{"If-Match": '"1"'})
    assert (changed.status_code, changed.get_json()["version"]) == (200, 2)
    assert [(p["name"], p["version"]) for p in listed(api)] == [("Standard 2026", 2)]


def test_a_revision_on_a_stale_version_is_a_412_and_changes_nothing(stored_api: ApiClient) -> None:
    created = define(stored_api, position=1)
    put(stored_api, f"{POLICIES}/{created['id']}", policy(name="Edited", position=1))
    events = stored_api.event_count()
    stale = put(stored_api, f"{POLICIES}/{created['id']}", policy(name="Mine", position=1), **{"If-Match": '"1"'})
    assert (stale.status_code, stale.get_json()["code"]) == (412, "stale_version")
    assert "If-Match" in stale.get_json()["errors"] and stored_api.event_count() == events


def test_a_revision_must_restate_position_and_conditions(api: ApiClient) -> None:
    created = define(api)
    body = policy()
    del body["conditions"]
    response = put(api, f"{POLICIES}/{created['id']}", body)
    assert response.status_code == 422
    assert {"position", "conditions"} <= set(response.get_json()["errors"])


def test_reordering_puts_the_policies_in_the_given_order(stored_api: ApiClient) -> None:
    a, b, c = (define(stored_api, name=n)["id"] for n in "abc")
    response = put(stored_api, f"{POLICIES}/order", {"policy_ids": [c, a, b]})
    assert response.status_code == 200
    assert [(p["name"], p["position"]) for p in listed(stored_api)] == [("c", 10), ("a", 20), ("b", 30)]


def test_an_order_that_misses_a_policy_in_force_is_refused(api: ApiClient) -> None:
    a, b = (define(api, name=n)["id"] for n in "ab")
    events = api.event_count()
    for ids in ([a], [a, a, b], [a, b, "6a1e0b8e-0000-4000-8000-000000000000"]):
        response = put(api, f"{POLICIES}/order", {"policy_ids": ids})
        assert response.status_code == 422 and "policy_ids" in response.get_json()["errors"]
    assert api.event_count() == events


def test_a_retired_policy_is_listed_inactive_and_cannot_change(api: ApiClient) -> None:
    created = define(api)
    retired = api.post(f"{POLICIES}/{created['id']}/retire", {"reason": "Replaced"}, headers={"If-Match": '"1"'})
    assert (retired.status_code, retired.get_json()["version"]) == (200, 2)
    assert [(p["active"], p["retired_at"] is not None) for p in listed(api)] == [(False, True)]
    assert listed(api, "?active=true") == []
    again = put(api, f"{POLICIES}/{created['id']}", policy(position=1))
    assert (again.status_code, again.get_json()["code"]) == (409, "state_conflict")


def test_every_version_of_the_terms_can_be_read_back(api: ApiClient) -> None:
    created = define(api, position=1)
    longer = policy(position=1, targets={"normal": {"first_response": {"minutes": 120}}})
    put(api, f"{POLICIES}/{created['id']}", longer)
    api.catch_up()
    versions = api.get(f"{POLICIES}/{created['id']}/versions").get_json()["items"]
    assert [(v["version"], v["targets"]["normal"]["first_response"]["minutes"]) for v in versions] == [
        (1, 60), (2, 120)]


@pytest.mark.parametrize("path", ["", "/versions"])
def test_an_unknown_policy_is_a_404(api: ApiClient, path: str) -> None:
    missing = f"{POLICIES}/6a1e0b8e-0000-4000-8000-000000000000"
    assert api.get(missing + path).status_code == 404
    assert put(api, missing, policy(position=1)).status_code == 404


def test_a_retry_with_the_same_idempotency_key_defines_one_policy(api: ApiClient) -> None:
    key = {"Idempotency-Key": "define-standard"}
    first, retry = (api.post(POLICIES, policy(), headers=key) for _ in range(2))
    assert retry.get_json() == first.get_json() and retry.headers["Idempotent-Replayed"] == "true"
    assert len(listed(api)) == 1


def test_policy_reads_need_read_sla_and_changes_write_sla(api: ApiClient) -> None:
    reader, writer, other = api.token("read:sla"), api.token("write:sla"), api.token("read:cases", "write:cases")
    assert api.get(POLICIES, token=reader).status_code == 200
    assert api.get(POLICIES, token=other).status_code == 403
    refused = api.post(POLICIES, policy(), token=reader)
    assert (refused.status_code, refused.get_json()["code"]) == (403, "missing_scope")
    assert api.post(POLICIES, policy(), token=writer).status_code == 201


def test_editing_a_policy_leaves_open_cases_on_their_version(api: ApiClient, clock: FixedClock) -> None:
    created = define(api, position=1)
    earlier = api.case(api.customer())["id"]
    put(api, f"{POLICIES}/{created['id']}", policy(position=1, targets={
        "normal": {"first_response": {"minutes": 240, "business_hours": False}}}))
    later = api.case(api.customer("Grace Hopper"))["id"]
    api.catch_up()
    due = {case: api.get(f"/api/v1/cases/{case}").get_json()["sla"][0]["due_at"] for case in (earlier, later)}
    opened = clock.now()
    assert due == {earlier: (opened + timedelta(minutes=60)).isoformat(),
                   later: (opened + timedelta(minutes=240)).isoformat()}
