"""The projection runner: exactly-once, rebuildable, verifiable, on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent

from domain.clock import FixedClock
from projections.schema import projection_tracking
from projections.verify import verify_projections
from projections.views.cases import cases
from projections.views.customer360 import customer_timeline, customers
from web.services import Services, build_services

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(T0))
    yield found
    found.close()


def history(s: Services, customers_count: int = 3, cases_each: int = 2) -> list[Any]:
    """A little service history: customers with touchpoints, cases worked to resolution."""
    app, ids = s.app, []
    for i in range(customers_count):
        at = T0 + timedelta(hours=i)
        customer = app.register_customer(name=f"Customer {i}", contact_points=[{"kind": "email", "value": f"c{i}@x.org"}],
                                         occurred_at=at, actor="user:a")
        ids.append(customer.id)
        for j in range(cases_each):
            case = app.open_case(customer_id=customer.id, subject=f"Problem {j}", channel="email",
                                 touchpoint={"channel": "email", "direction": "inbound", "kind": "complaint",
                                             "subject": f"Problem {j}"}, occurred_at=at, actor="user:a")
            app.reply_to_case(case.id, body="On it", occurred_at=at + timedelta(minutes=5), actor="user:a")
            if j % 2 == 0:
                app.resolve_case(case.id, resolution="Fixed", occurred_at=at + timedelta(hours=1), actor="user:a")
    return ids


def rows(s: Services, table: sa.Table) -> list[dict[str, Any]]:
    with s.views.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()]


def test_catch_up_fills_every_projection_and_records_the_position(services: Services) -> None:
    history(services)
    runner = services.projection_runner()
    runner.catch_up()
    head = services.app.recorder.max_notification_id()
    assert runner.positions() == {p.name: head for p in runner.projections}
    assert len(rows(services, customers)) == 3
    assert {r["status"] for r in rows(services, cases)} == {"resolved", "open"}


def test_catching_up_twice_applies_nothing_twice(services: Services) -> None:
    history(services)
    runner = services.projection_runner()
    runner.catch_up()
    before = rows(services, customers)
    assert runner.catch_up() == 0
    assert rows(services, customers) == before
    assert before[0]["touches"] == 2


def test_new_events_are_applied_incrementally(services: Services) -> None:
    ids = history(services)
    runner = services.projection_runner()
    runner.catch_up()
    services.app.record_touchpoint(customer_id=ids[0], channel="phone", direction="inbound", kind="inquiry",
                                   subject="Calling again", occurred_at=T0 + timedelta(days=1), actor="user:a")
    runner.catch_up()
    row = next(r for r in rows(services, customers) if r["id"] == str(ids[0]))
    assert row["touches"] == 3
    assert row["touches_by_channel"] == {"email": 2, "phone": 1}
    assert row["last_touch_at"] == T0 + timedelta(days=1)


def test_rebuild_from_zero_gives_identical_tables(services: Services) -> None:
    history(services)
    runner = services.projection_runner()
    runner.catch_up()
    before = {t.name: rows(services, t) for p in runner.projections for t in p.tables}
    runner.rebuild()
    after = {t.name: rows(services, t) for p in runner.projections for t in p.tables}
    assert after == before
    assert sum(len(v) for v in after.values()) > 20


def test_verify_finds_no_difference_after_catch_up(services: Services) -> None:
    history(services)
    runner = services.projection_runner()
    runner.catch_up()
    reports = verify_projections(services.app, services.views, runner.projections)
    assert [r.differences for r in reports] == [[] for _ in reports]
    compared = {r.projection: r.rows_compared for r in reports}
    assert compared["customer360"] > 0 and compared["cases"] > 0 and compared["touchpoints"] > 0


def test_verify_names_rows_changed_behind_the_projections_back(services: Services) -> None:
    history(services)
    runner = services.projection_runner()
    runner.catch_up()
    with services.views.begin() as conn:
        conn.execute(customers.update().where(customers.c.name == "Customer 1").values(touches=99))
        conn.execute(customer_timeline.delete().where(customer_timeline.c.position == 1))
    report = next(r for r in verify_projections(services.app, services.views, runner.projections)
                  if r.projection == "customer360")
    described = [d.describe() for d in report.differences]
    assert any("touches live=99 rebuilt=2" in d for d in described)
    assert any(d.startswith("customer_timeline (1,): missing from the live table") for d in described)


def test_a_changed_projection_version_is_rebuilt_on_prepare(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    history(services)
    services.projection_runner().catch_up()
    with services.views.begin() as conn:
        conn.execute(customers.update().values(touches=0))  # stale rows a new version must not keep
    from projections.views.customer360 import Customer360Projection
    monkeypatch.setattr(Customer360Projection, "version", Customer360Projection.version + 1)
    runner = services.projection_runner()
    assert runner.positions()["customer360"] == 0
    runner.catch_up()
    assert {r["touches"] for r in rows(services, customers)} == {2}
    with services.views.connect() as conn:
        stored = conn.execute(sa.select(projection_tracking.c.version)
                              .where(projection_tracking.c.name == "customer360")).scalar()
    assert stored == Customer360Projection.version


def test_a_long_catch_up_drops_only_the_indexes_of_projections_replaying_from_zero(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulk mode sorts indexes once at the end for empty tables; a big projection that is
    merely behind keeps its indexes (dropping and rebuilding them would cost minutes)."""
    history(services)
    services.projection_runner().catch_up()
    from projections import bulk
    from projections.views.customer360 import Customer360Projection
    monkeypatch.setattr(bulk, "BULK_EVENTS", 1)
    monkeypatch.setattr("projections.runner.BULK_EVENTS", 1)
    monkeypatch.setattr(Customer360Projection, "version", Customer360Projection.version + 1)
    dropped: list[str] = []
    real_drop = sa.schema.DropIndex.__init__
    monkeypatch.setattr(sa.schema.DropIndex, "__init__", lambda self, index, *a, **k: (
        dropped.append(index.table.name), real_drop(self, index, *a, **k))[1])
    runner = services.projection_runner()
    runner.catch_up()
    assert dropped and set(dropped) <= {t.name for t in Customer360Projection.tables}
    with services.views.connect() as conn:  # and every index is back (expression ones too: names by lower(name))
        for table in (cases, customers):
            assert {i.name for i in table.indexes} <= index_names(conn, table.name)


def test_only_a_long_catch_up_pauses_the_garbage_collector(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    history(services)
    from projections.runner import ProjectionRunner
    seen: list[bool] = []
    real_batch = ProjectionRunner.run_batch
    monkeypatch.setattr(ProjectionRunner, "run_batch", lambda self, *a, **k: (
        seen.append(gc.isenabled()), real_batch(self, *a, **k))[1])
    services.projection_runner(batch_size=5).catch_up()  # short: the collector keeps running
    assert seen and all(seen)
    seen.clear()
    monkeypatch.setattr("projections.runner.BULK_EVENTS", 1)
    services.projection_runner(batch_size=5).rebuild()
    assert len(seen) > 1 and not any(seen)
    assert gc.isenabled()


def index_names(conn: sa.Connection, table: str) -> set[str]:
    """The indexes the database has on ``table`` (SQLite's reflection skips expression indexes)."""
    if conn.dialect.name == "sqlite":
        return set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                                        (table,)).scalars())
    return {i["name"] for i in sa.inspect(conn).get_indexes(table)}


def test_two_runners_at_once_never_apply_an_event_twice(services: Services) -> None:
    history(services, customers_count=6, cases_each=3)
    first = services.projection_runner(batch_size=7)
    second = build_services({"DATABASE_URL": services.config["DATABASE_URL"]}, clock=FixedClock(T0))
    try:
        other = second.projection_runner(batch_size=5)
        errors: list[BaseException] = []

        def run(r: Any) -> None:
            try:
                r.catch_up()
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(r,)) for r in (first, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
    finally:
        second.close()
    assert sorted(r["touches"] for r in rows(services, customers)) == [3] * 6
    timeline = rows(services, customer_timeline)
    assert len(timeline) == len({r["position"] for r in timeline})
    assert verify_projections(services.app, services.views, first.projections)[1].differences == []


def test_an_unknown_event_type_is_skipped_with_a_log_line(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    ids = history(services, customers_count=1, cases_each=1)
    stranger = StoredEvent(originator_id=ids[0], originator_version=99, topic="vanished.module:Gone.Event",
                           state=b"{}")
    services.app.recorder.insert_events([stranger])
    services.app.record_touchpoint(customer_id=ids[0], channel="sms", direction="outbound", kind="follow_up",
                                   subject="After the stranger", occurred_at=T0, actor="user:a")
    runner = services.projection_runner()
    with caplog.at_level(logging.WARNING, logger="touchline.projections"):
        runner.catch_up()
    assert "vanished.module:Gone.Event" in caplog.text
    assert rows(services, customers)[0]["touches"] == 2
    assert min(runner.positions().values()) == services.app.recorder.max_notification_id()


def test_parallel_rebuild_in_two_processes_gives_the_same_tables(services: Services) -> None:
    from projections.parallel import rebuild_in_parallel

    history(services, customers_count=4, cases_each=3)
    runner = services.projection_runner()
    runner.catch_up()
    before = {t.name: rows(services, t) for p in runner.projections for t in p.tables}
    with services.views.begin() as conn:
        conn.execute(customers.update().values(touches=0))  # a rebuild must not keep this
    applied = rebuild_in_parallel(services.config["DATABASE_URL"], [p.name for p in runner.projections], workers=2)
    assert applied == services.app.recorder.max_notification_id()
    assert {t.name: rows(services, t) for p in runner.projections for t in p.tables} == before


def test_every_commit_happens_inside_the_runners_write_turn(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runners of one parallel rebuild share a lock around their commits (SQLite: a waiter wakes
    when it is released, not at the busy handler's next poll), and only there: positions are read
    without the write lock."""
    from projections.runner import ProjectionRunner

    history(services)
    held: list[bool] = []

    class Turn:
        inside = False

        def __enter__(self) -> None:
            Turn.inside = True

        def __exit__(self, *exc: object) -> None:
            Turn.inside = False

    runner = ProjectionRunner(services.app, services.views_writer, services.projection_runner().projections,
                              batch_size=5, reader=services.views, write_turn=Turn())
    real_commit = ProjectionRunner._commit
    monkeypatch.setattr(ProjectionRunner, "_commit", lambda *a: (held.append(Turn.inside), real_commit(*a))[1])
    runner.rebuild()  # through the runner it makes for the rebuild
    assert len(held) > 1 and all(held)
    assert runner.positions() and not Turn.inside


def test_projection_groups_never_exceed_the_workers_and_cover_every_projection() -> None:
    from projections.parallel import plan_groups

    names = ["directory", "customer360", "touchpoints", "cases", "promises", "deals", "newcomer"]
    for workers in (1, 2, 3, 8):
        groups = plan_groups(names, workers)
        assert len(groups) <= workers
        assert sorted(n for g in groups for n in g) == sorted(names)
    # The two costliest projections are rebuilt side by side (tests/unit/test_projection_groups.py: balance).
    assert not any({"customer360", "sla"} <= set(g) for g in plan_groups([*names, "sla"], 2))
