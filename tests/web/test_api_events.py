"""The event feed: a follower resumes after its last position and misses nothing; long-poll;
one aggregate's history."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from domain.clock import FixedClock
from domain.errors import AlreadyExistsError
from tests.web.conftest import ApiClient, build_api


def follow(api: ApiClient, after: int = 0, limit: int = 2, **query: Any) -> tuple[list[dict[str, Any]], int]:
    """Read the feed page by page, as a follower would, until it is caught up."""
    seen: list[dict[str, Any]] = []
    while True:
        params = "&".join(f"{k}={v}" for k, v in {"after": after, "limit": limit, **query}.items())
        page = api.get(f"/api/v1/events?{params}").get_json()
        seen += page["events"]
        if not page["events"]:
            return seen, page["next_after"]
        after = page["next_after"]


def test_a_follower_reading_page_by_page_sees_every_event_once_in_order(stored_api: ApiClient) -> None:
    customers = [stored_api.customer(f"Customer {i}") for i in range(5)]
    seen, last = follow(stored_api)
    assert [e["aggregate_id"] for e in seen] == customers
    assert [e["type"] for e in seen] == ["Customer.Registered"] * 5
    positions = [e["position"] for e in seen]
    assert positions == sorted(positions) and last == stored_api.event_count()
    assert seen[0]["actor"].startswith("api:") and seen[0]["data"]["name"] == "Customer 0"


def test_a_follower_resumes_across_gaps_in_positions(stored_api: ApiClient) -> None:
    app, now = stored_api.services.app, stored_api.services.clock.now()
    app.register_user(email="ann@example.com", name="Ann", role="agent", occurred_at=now, actor="system:test")
    _, after = follow(stored_api)
    for _ in range(3):  # refused writes: on PostgreSQL each one burns a position
        try:
            app.register_user(email="ann@example.com", name="Ann", role="agent", occurred_at=now, actor="system:test")
        except AlreadyExistsError:
            pass
    late = stored_api.customer("After the gap")
    seen, _ = follow(stored_api, after=after)
    assert [e["aggregate_id"] for e in seen] == [late]


def test_the_feed_filters_by_event_type(api: ApiClient) -> None:
    customer = api.customer()
    api.case(customer)
    seen, _ = follow(api, types="Case.Opened")
    assert [e["type"] for e in seen] == ["Case.Opened"]
    bad = api.get("/api/v1/events?types=Case.Exploded")
    assert bad.status_code == 422 and "types" in bad.get_json()["errors"]
    base = api.get("/api/v1/events?types=AuditRead.Event")  # the library's base class: no event is one
    assert base.status_code == 422 and ".Event" not in base.get_json()["errors"]["types"][0].partition("e.g.")[2]


def test_a_position_past_the_end_of_the_log_is_refused_not_followed_forever(api: ApiClient) -> None:
    _, head = follow(api)
    assert api.get(f"/api/v1/events?after={head}").status_code == 200
    beyond = api.get(f"/api/v1/events?after={head + 1}&wait=5")
    assert beyond.status_code == 422 and "after" in beyond.get_json()["errors"]


def test_a_long_poll_answers_as_soon_as_an_event_arrives(stored_api: ApiClient) -> None:
    _, after = follow(stored_api)
    writer = threading.Timer(0.3, lambda: stored_api.services.app.register_customer(
        name="Late", occurred_at=stored_api.services.clock.now(), actor="system:test"))
    began = time.monotonic()
    writer.start()
    page = stored_api.get(f"/api/v1/events?after={after}&wait=10").get_json()
    waited = time.monotonic() - began
    writer.join()
    assert [e["data"]["name"] for e in page["events"]] == ["Late"]
    assert 0.25 <= waited < 1.3  # woke for the event, not at the end of the wait


def test_a_long_poll_with_nothing_new_answers_empty_after_the_wait(api: ApiClient) -> None:
    _, after = follow(api)
    began = time.monotonic()
    page = api.get(f"/api/v1/events?after={after}&wait=0.3").get_json()
    assert page == {"events": [], "next_after": after} and time.monotonic() - began >= 0.3


def test_long_polls_beyond_the_processs_slots_answer_at_once_and_other_requests_are_still_served(
        tmp_path: Path, clock: FixedClock) -> None:
    api = build_api(f"sqlite:///{tmp_path / 'api.db'}", clock, API_LONG_POLLS=1)
    _, after = follow(api)
    first: dict[str, Any] = {}
    own_client = api.app.test_client()  # the waiting request on its own client, as on its own connection
    waiting = threading.Thread(target=lambda: first.update(own_client.get(
        f"/api/v1/events?after={after}&wait=30", headers={"Authorization": f"Bearer {api.full}"}).get_json()))
    waiting.start()
    slots = api.app.extensions["touchline_api"].long_polls
    for _ in range(500):  # until the waiting request holds the one slot
        if not slots.acquire(blocking=False):
            break
        slots.release()
        time.sleep(0.01)

    second = api.get(f"/api/v1/events?after={after}&wait=30")
    assert waiting.is_alive()  # the second did not wait for the first
    assert (second.status_code, second.headers["Retry-After"]) == (200, "1")
    assert second.get_json() == {"events": [], "next_after": after}
    assert api.get("/api/v1/customers").status_code == 200
    api.services.app.register_customer(name="Late", occurred_at=clock.now(), actor="system:test")
    waiting.join(10)
    assert [e["data"]["name"] for e in first["events"]] == ["Late"]
    assert "Retry-After" not in api.get(f"/api/v1/events?after={after}&wait=1").headers  # the slot is free again
    api.services.close()


def test_an_aggregates_history_lists_its_events_by_version(stored_api: ApiClient) -> None:
    case = stored_api.case(stored_api.customer())["id"]
    stored_api.post(f"/api/v1/cases/{case}/assign", {"assignee": stored_api.staff("ann")})
    stored_api.post(f"/api/v1/cases/{case}/resolve", {"resolution": "Replaced the roller"})
    first = stored_api.get(f"/api/v1/aggregates/{case}/events?limit=2").get_json()
    assert [e["type"] for e in first["events"]] == ["Case.Opened", "Case.Assigned"]
    rest = stored_api.get(f"/api/v1/aggregates/{case}/events?after_version={first['next_after_version']}").get_json()
    assert [(e["type"], e["aggregate_version"]) for e in rest["events"]] == [("Case.Resolved", 3)]
    assert rest["next_after_version"] is None
    feed = stored_api.get("/api/v1/events?limit=1000").get_json()["events"]
    in_feed = {(e["aggregate_id"], e["aggregate_version"]): e["position"] for e in feed}
    for event in first["events"] + rest["events"]:  # each found again in the feed at its position
        assert event["position"] == in_feed[(case, event["aggregate_version"])]


def test_the_history_of_an_unknown_or_token_aggregate_is_a_404(api: ApiClient) -> None:
    api.token("read", name="hidden")
    token_id = api.services.app.find_api_token("hidden").id
    assert api.get("/api/v1/aggregates/00000000-0000-0000-0000-000000000000/events").status_code == 404
    assert api.get(f"/api/v1/aggregates/{token_id}/events").status_code == 404
