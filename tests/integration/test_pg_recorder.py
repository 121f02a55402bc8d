"""The one-round-trip PostgreSQL recorder keeps every guarantee of the library's own:
positions commit in order, conflicts raise the library's ``IntegrityError``, a save of
several aggregates is all or nothing, listeners are notified, and the schema is created
once however many processes start together."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from domain.application import Touchline
from domain.touchpoints.model import Touchpoint
from projections.pg_recorder import OneTripPostgresRecorder
from projections.storage import storage_from_url

pytestmark = pytest.mark.postgres

T = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
ACTOR = "user:agent-1"
WRITERS, SAVES = 6, 150


@pytest.fixture
def start(fresh_postgres_url: str) -> Iterator[Callable[..., Touchline]]:
    """Start an Application on the fresh database, as another process would (own pool)."""
    started: list[Touchline] = []

    def start_app(query: str = "") -> Touchline:
        started.append(Touchline(env=storage_from_url(fresh_postgres_url + query).event_store_env))
        return started[-1]

    yield start_app
    for app in started:
        app.close()


@pytest.fixture
def recorder(start: Callable[..., Touchline]) -> OneTripPostgresRecorder:
    chosen = start().recorder
    assert isinstance(chosen, OneTripPostgresRecorder)  # what storage_from_url selects for PostgreSQL
    return chosen


def stored(originator_id: UUID, version: int = 1) -> StoredEvent:
    return StoredEvent(originator_id, version, "tests:Happened", b'{"n": %d}' % version)


def new_touchpoint(app: Touchline, customer_id: UUID, subject: str) -> Touchpoint:
    return app.build_touchpoint(customer_id=customer_id, channel="phone", direction="inbound", kind="inquiry",
                                subject=subject, occurred_at=T, actor=ACTOR)


def test_a_reader_polling_after_the_last_seen_position_misses_nothing_concurrent_writers_commit(
    start: Callable[..., Touchline],
) -> None:
    writers, reader = [start() for _ in range(WRITERS)], start()
    writing_done = threading.Event()
    seen: list[int] = []
    polls_with_news = 0

    def write(app: Touchline) -> None:
        for n in range(SAVES):  # every fifth save holds three aggregates
            app.recorder.insert_events([stored(uuid4()) for _ in range(3 if n % 5 == 0 else 1)])

    def poll() -> None:  # what the projection runner does: select "id > last seen", advance to the last id
        nonlocal polls_with_news
        last = 0
        while True:
            finished = writing_done.is_set()  # read first: one more poll after the writers end
            batch = reader.recorder.select_notifications(start=last, limit=50, inclusive_of_start=False)
            seen.extend(n.id for n in batch)
            if batch:
                last, polls_with_news = batch[-1].id, polls_with_news + 1
            elif finished:
                return

    threads = [threading.Thread(target=write, args=(app,)) for app in writers]
    poller = threading.Thread(target=poll)
    for thread in [poller, *threads]:
        thread.start()
    for thread in threads:
        thread.join()
    writing_done.set()
    poller.join()

    log = [n.id for n in reader.recorder.select_notifications(start=None, limit=10_000)]
    assert len(log) == WRITERS * SAVES * 7 // 5  # every event stored once
    assert polls_with_news > WRITERS  # the reader really read while the writers wrote
    assert seen == log  # nothing passed over, nothing twice, in log order


def test_a_save_waits_for_writers_holding_the_table_even_when_inserting_other_rows(
    recorder: OneTripPostgresRecorder, fresh_postgres_url: str
) -> None:
    # An open plain INSERT transaction holds ROW EXCLUSIVE: other inserts pass it, but ours locks
    # the table EXCLUSIVE before taking a position, so it must wait for that transaction to end.
    saved = threading.Event()

    def save() -> None:
        recorder.insert_events([stored(uuid4())])
        saved.set()

    with psycopg.connect(fresh_postgres_url) as other:
        other.execute(f"LOCK TABLE {recorder.events_table_name} IN ROW EXCLUSIVE MODE")
        saver = threading.Thread(target=save)
        saver.start()
        assert not saved.wait(0.5)
        other.rollback()
    saver.join()
    assert saved.is_set()


def test_a_save_gives_up_waiting_for_the_table_after_the_lock_timeout(
    start: Callable[..., Touchline], fresh_postgres_url: str
) -> None:
    recorder = start("?lock_timeout=1").recorder
    failures: list[BaseException] = []

    def save_once() -> None:  # without the library's retries (ten, 0.2 s apart)
        try:
            OneTripPostgresRecorder.insert_events.__wrapped__(recorder, [stored(uuid4())])  # type: ignore[attr-defined]
        except BaseException as error:
            failures.append(error)

    with psycopg.connect(fresh_postgres_url) as other:
        other.execute(f"LOCK TABLE {recorder.events_table_name} IN ROW EXCLUSIVE MODE")
        saver, began = threading.Thread(target=save_once), time.monotonic()
        saver.start()
        saver.join(5)
        waited = time.monotonic() - began
        other.rollback()  # a save that waits forever ends here instead of hanging the test
    saver.join()
    assert [type(f) for f in failures] == [OperationalError] and "lock timeout" in str(failures[0])
    assert 0.9 < waited < 4


@pytest.mark.parametrize("aggregates", [1, 3])
def test_a_version_already_taken_raises_the_library_integrity_error_and_stores_nothing(
    recorder: OneTripPostgresRecorder, aggregates: int
) -> None:
    taken = uuid4()
    recorder.insert_events([stored(taken)])
    others = [stored(uuid4()) for _ in range(aggregates - 1)]
    with pytest.raises(IntegrityError):
        recorder.insert_events([*others, stored(taken)])
    assert [n.originator_id for n in recorder.select_notifications(start=None, limit=10)] == [taken]


def test_a_save_of_several_aggregates_with_one_stale_stores_none_of_them(start: Callable[..., Touchline]) -> None:
    app, other = start(), start()
    customer_id = app.register_customer(name="Ada", occurred_at=T, actor=ACTOR).id
    stale = app.get_customer(customer_id)
    other.change_customer_details(customer_id, name="Ada Lovelace", occurred_at=T, actor=ACTOR)
    stale.change_details(name="Ada King", occurred_at=T, actor=ACTOR)
    touchpoint = new_touchpoint(app, customer_id, "Renamed")
    with pytest.raises(IntegrityError):
        app.save(touchpoint, stale)
    assert touchpoint.id not in other.repository
    assert other.get_customer(customer_id).name == "Ada Lovelace"


def test_each_saved_event_is_told_the_position_it_was_stored_at(start: Callable[..., Touchline]) -> None:
    app = start()
    customer_id = app.register_customer(name="Ada", occurred_at=T, actor=ACTOR).id
    customer = app.get_customer(customer_id)
    customer.change_details(name="Ada King", occurred_at=T, actor=ACTOR)
    touchpoints = [new_touchpoint(app, customer_id, f"Call {n}") for n in range(4)]
    recordings = app.save(touchpoints[2], customer, *touchpoints[:2], touchpoints[3])
    log = {n.id: (n.originator_id, n.originator_version) for n in app.recorder.select_notifications(2, 10)}
    told = {r.notification.id: (r.domain_event.originator_id, r.domain_event.originator_version) for r in recordings}
    assert told == log
    assert [r.notification.id for r in recordings] == sorted(log)  # in the order given


@pytest.mark.parametrize("aggregates", [1, 3])
def test_listeners_of_the_events_channel_are_notified_of_a_save(
    recorder: OneTripPostgresRecorder, fresh_postgres_url: str, aggregates: int
) -> None:
    with psycopg.connect(fresh_postgres_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {recorder.channel_name}")
        recorder.insert_events([stored(uuid4()) for _ in range(aggregates)])
        assert [n.channel for n in listener.notifies(timeout=5, stop_after=1)] == [recorder.channel_name]


def test_a_restarted_process_finds_the_schema_and_its_events(start: Callable[..., Touchline]) -> None:
    first = start()
    customer_id = first.register_customer(name="Ada", occurred_at=T, actor=ACTOR).id
    first.close()
    restarted = start()
    receipt = restarted.change_customer_details(customer_id, name="Ada King", occurred_at=T, actor=ACTOR)
    assert (receipt.version, receipt.position) == (2, 2)
    assert restarted.get_customer(customer_id).name == "Ada King"


def test_processes_starting_together_on_a_fresh_database_all_start(fresh_postgres_url: str) -> None:
    env = storage_from_url(fresh_postgres_url).event_store_env
    together = threading.Barrier(6)
    started: list[Touchline] = []
    failures: list[BaseException] = []

    def boot() -> None:
        together.wait()
        try:
            started.append(Touchline(env=env))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=boot) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        positions = [app.register_customer(name="Ada", occurred_at=T, actor=ACTOR).position for app in started]
        assert positions == [1, 2, 3, 4, 5, 6]
    finally:
        for app in started:
            app.close()
