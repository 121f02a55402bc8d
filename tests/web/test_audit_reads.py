"""Issue 9 leftovers, on SQLite and PostgreSQL: one aggregate's event history through the API is
an audit read (scope ``read:audit``, recorded as ``AuditRead``), and ``touchline audit import``
writes in one transaction: a failure part-way leaves the store empty."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic
from flask import Flask

from domain.audit.model import AuditRead
from domain.clock import FixedClock
from domain.personal import ERASED
from projections import audit_export
from tests.web.conftest import ApiClient, build_api
from tests.web.test_cli_audit import apps, databases, invoke  # noqa: F401 (fixtures)


@pytest.fixture
def stored_api(database_url: str, clock: FixedClock) -> Iterator[ApiClient]:
    client = build_api(database_url, clock)
    yield client
    client.services.close()


def audit_reads(api: ApiClient) -> list[Any]:
    app = api.services.app
    found = app.recorder.select_notifications(start=1, limit=1000, topics=[get_topic(AuditRead.Recorded)])
    return [app.mapper.to_domain_event(n) for n in found]


@pytest.mark.parametrize("scopes, status", [(("read:audit",), 200), (("read",), 200), (("read:events",), 403),
                                            (("read:cases",), 403)])
def test_an_aggregates_events_are_for_auditors(stored_api: ApiClient, scopes: tuple[str, ...], status: int) -> None:
    customer = stored_api.customer()
    token = stored_api.token(*scopes, name="reader")
    response = stored_api.get(f"/api/v1/aggregates/{customer}/events", token=token)
    assert response.status_code == status, response.get_json()
    reads = audit_reads(stored_api)
    assert [(r.channel, r.subject, r.actor) for r in reads] == ([("api", customer, "api:reader")] if status == 200
                                                                 else [])


def test_the_history_shows_an_erasure_made_by_another_process(stored_api: ApiClient, database_url: str,
                                                              clock: FixedClock) -> None:
    customer = stored_api.customer("Ada Lovelace")
    assert stored_api.get(f"/api/v1/aggregates/{customer}/events").get_json()["events"][0]["data"]["name"] == (
        "Ada Lovelace")  # this process now holds Ada's key
    other = build_api(database_url, clock)
    try:
        assert invoke(other.app, "customers", "erase", customer, "--reason", "GDPR").exit_code == 0
    finally:
        other.services.close()
    events = stored_api.get(f"/api/v1/aggregates/{customer}/events").get_json()["events"]
    assert [e["data"].get("name") for e in events] == [ERASED, None]
    feed = stored_api.get("/api/v1/events?after=0&limit=100").get_json()["events"]
    assert "Ada" not in str(feed)


def test_an_import_that_fails_part_way_leaves_the_store_empty(
        stored_api: ApiClient, tmp_path: Path, databases: Callable[[], str], apps: Callable[[str], Flask],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("Ada", "Bob", "Cy"):
        stored_api.case(stored_api.customer(name))
    out = tmp_path / "events.ndjson"
    assert invoke(stored_api.app, "audit", "export", "--out", str(out)).exit_code == 0
    lines = len(out.read_text().splitlines())
    target = apps(databases())
    monkeypatch.setattr(audit_export, "BATCH", 2)  # several batches are written before the failure
    seen: list[str] = []

    def failing_late(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any) -> Any:
            seen.append(real.__name__)
            if len(seen) == lines - 1:
                raise OSError("disk full")
            return real(*args)
        return wrapped

    for name in ("_stored_state", "sealed_event"):  # every line goes through one of them
        monkeypatch.setattr(audit_export, name, failing_late(getattr(audit_export, name)))
    result = invoke(target, "audit", "import", "--allow-unverified", str(out))  # another store's key signed it
    assert result.exit_code != 0 and len(seen) == lines - 1
    assert target.extensions["touchline"].app.recorder.max_notification_id() in (None, 0)
    monkeypatch.undo()
    again = invoke(target, "audit", "import", "--allow-unverified", str(out))
    assert again.exit_code == 0, again.output
    assert target.extensions["touchline"].app.recorder.max_notification_id() is not None
