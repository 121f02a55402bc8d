"""Tamper evidence: every change made to the stored history directly in the database (an
event edited, deleted, inserted or reordered, a checkpoint forged, history re-hashed) makes
``touchline audit verify`` exit 1 naming the first bad event; an untouched store passes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from click.testing import Result
from flask import Flask

from domain.clock import FixedClock
from projections.chain import chain_hash, stream_hash
from projections.chain_verify import GRACE, Report, verify_chain
from web import create_app
from web.cli import cli

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = "audit-key-for-tests"
ACTOR = "user:agent-1"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """Two customers, touchpoints, a case opened with its touchpoint in one save, then worked
    (so streams have several versions), and a signed checkpoint at the head."""
    flask_app = create_app({"DATABASE_URL": database_url, "CLOCK": FixedClock(NOW), "TESTING": True,
                            "AUDIT_KEY": KEY})
    touchline = flask_app.extensions["touchline"].app
    for name in ("Ann", "Bob"):
        customer = touchline.register_customer(name=name, occurred_at=NOW, actor=ACTOR).id
        touchline.record_touchpoint(customer_id=customer, channel="phone", direction="inbound", kind="inquiry",
                                    subject=f"{name} called", occurred_at=NOW, actor=ACTOR)
    case = touchline.open_case(customer_id=customer, subject="Router broken", channel="phone", occurred_at=NOW,
                               actor=ACTOR, touchpoint={"channel": "phone", "direction": "inbound", "kind": "complaint",
                                                        "subject": "Router broken"}).id
    touchline.assign_case(case, assignee="agent-1", occurred_at=NOW, actor=ACTOR)
    touchline.reply_to_case(case, body="On it", occurred_at=NOW, actor=ACTOR)
    assert invoke(flask_app, "checkpoint").exit_code == 0
    yield flask_app
    flask_app.extensions["touchline"].close()


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(cli, ["audit", *args])


def report(app: Flask) -> Report:
    return verify_chain(app.extensions["touchline"].app.recorder, KEY.encode())


def tamper(app: Flask, statement: str, *params: Any) -> None:
    """Run SQL on the event store behind the application's back. ``{events}``, ``{chain}``,
    ``{checkpoints}`` and ``{pos}`` (the position column) are filled in; ``?`` marks parameters."""
    recorder = app.extensions["touchline"].app.recorder
    storage = app.extensions["touchline"].storage
    table = recorder.events_table_name
    names = {"events": table, "chain": f"{table}_chain", "checkpoints": f"{table}_checkpoints",
             "pos": "rowid" if storage.is_sqlite else "notification_id"}
    sql = statement.format(**names)
    if storage.is_sqlite:
        with sqlite3.connect(storage.event_store_env["SQLITE_DBNAME"]) as conn:
            conn.execute(sql, params)
    else:
        with psycopg.connect(storage.url, autocommit=True) as conn:
            conn.execute(sql.replace("?", "%s"), params)


def event_at(app: Flask, position: int) -> tuple[UUID, int]:
    found = app.extensions["touchline"].app.recorder.select_notifications(position, 1)[0]
    assert found.id == position
    return found.originator_id, found.originator_version


def assert_first_bad(app: Flask, position: int, words: str, *, aggregate: tuple[UUID, int] | None = None) -> None:
    found = report(app)
    assert not found.ok
    first = found.problems[0]
    assert first.position == position, [p.describe() for p in found.problems]
    assert words in first.what
    if aggregate is not None:
        assert (first.aggregate_id, first.version) == aggregate
    result = invoke(app, "verify")
    assert result.exit_code == 1
    assert f"TAMPERED: first bad event at position {position}" in result.stdout
    if aggregate is not None:
        assert f"aggregate {aggregate[0]} version {aggregate[1]}" in result.stdout


def test_an_untouched_store_passes_with_its_checkpoint(app: Flask) -> None:
    found = report(app)
    head = app.extensions["touchline"].app.recorder.max_notification_id()
    assert found.ok and found.events == found.chained == head and found.checkpoints == 1
    result = invoke(app, "verify")
    assert result.exit_code == 0, result.output
    assert f"1 signed checkpoint(s), the last at position {head}" in result.stdout
    assert "verifying events" in result.stderr  # progress goes to stderr


def test_an_edited_event_state_is_named(app: Flask) -> None:
    tamper(app, "UPDATE {events} SET state = ? WHERE {pos} = 3", b'{"subject": "nothing happened"}')
    assert_first_bad(app, 3, "does not match its hash", aggregate=event_at(app, 3))


def test_a_deleted_event_is_named_from_its_chain_entry(app: Flask) -> None:
    gone = event_at(app, 2)
    tamper(app, "DELETE FROM {events} WHERE {pos} = 2")
    assert_first_bad(app, 2, "event deleted", aggregate=gone)


def test_a_deleted_event_and_its_chain_entry_break_the_global_chain(app: Flask) -> None:
    tamper(app, "DELETE FROM {events} WHERE {pos} = 2")
    tamper(app, "DELETE FROM {chain} WHERE position = 2")
    assert_first_bad(app, 3, "global chain broken", aggregate=event_at(app, 3))


def test_a_forged_event_inserted_directly_is_named(app: Flask) -> None:
    head = app.extensions["touchline"].app.recorder.max_notification_id()
    forged = UUID(int=42)
    oid = forged.hex if app.extensions["touchline"].storage.is_sqlite else forged
    tamper(app, "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (?, 1, ?, ?)",
           oid, "domain.customers.model:Customer.Registered", b'{"name": "Mallory"}')
    assert_first_bad(app, head + 1, "inserted directly", aggregate=(forged, 1))


def test_two_events_with_swapped_states_are_caught_at_the_first(app: Flask) -> None:
    tamper(app, "UPDATE {events} SET state = (SELECT state FROM {events} WHERE {pos} = 5) WHERE {pos} = 1")
    assert_first_bad(app, 1, "does not match its hash", aggregate=event_at(app, 1))


def test_two_events_with_swapped_positions_are_caught_at_the_first(app: Flask) -> None:
    first, second = event_at(app, 2), event_at(app, 4)
    tamper(app, "UPDATE {events} SET {pos} = -1 WHERE {pos} = 2")
    tamper(app, "UPDATE {events} SET {pos} = 2 WHERE {pos} = 4")
    tamper(app, "UPDATE {events} SET {pos} = 4 WHERE {pos} = -1")
    assert event_at(app, 2) == second and event_at(app, 4) == first
    assert_first_bad(app, 2, "not the event chained here", aggregate=second)


SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL keeps each column's type


@SQLITE
@pytest.mark.parametrize("statement", [
    "UPDATE {events} SET state = CAST(REPLACE(CAST(state AS TEXT), 'called', 'wrote') AS TEXT) WHERE {pos} = 3",
    "UPDATE {events} SET state = CAST(state AS TEXT) WHERE {pos} = 3",  # even unedited: not what was hashed
    "UPDATE {events} SET originator_id = 'not-an-id' WHERE {pos} = 3",
    "UPDATE {chain} SET stream_hash = 'x' WHERE position = 3",
    "UPDATE {chain} SET chain_hash = 42 WHERE position = 3",
], ids=["state-edited-as-text", "state-as-text", "id-not-an-id", "link-as-text", "chain-hash-a-number"])
def test_a_value_stored_as_the_wrong_kind_is_named_not_a_crash(app: Flask, statement: str) -> None:
    tamper(app, statement)
    assert_first_bad(app, 3, "wrong kind")


@SQLITE
def test_a_checkpoint_stored_as_the_wrong_kind_is_named_not_a_crash(app: Flask) -> None:
    head = app.extensions["touchline"].app.recorder.max_notification_id()
    tamper(app, "UPDATE {checkpoints} SET signature = 'forged'")
    assert_first_bad(app, head, "checkpoint: a stored value of the wrong kind")


def test_a_forged_checkpoint_signature_is_named(app: Flask) -> None:
    head = app.extensions["touchline"].app.recorder.max_notification_id()
    tamper(app, "UPDATE {checkpoints} SET signature = ?", bytes(32))
    assert_first_bad(app, head, "checkpoint signature invalid: forged or altered")


def test_history_edited_and_re_hashed_does_not_match_the_signed_checkpoint(app: Flask) -> None:
    """Whoever can write the database can recompute every hash, but not the checkpoint's signature."""
    recorder = app.extensions["touchline"].app.recorder
    head = recorder.max_notification_id()
    events = recorder.select_notifications(1, head)
    forged_state = b'{"subject": "nothing happened"}'
    tamper(app, "UPDATE {events} SET state = ? WHERE {pos} = 3", forged_state)
    previous, streams = None, {}
    for n in events:
        state = forged_state if n.id == 3 else n.state
        link = streams[n.originator_id] = stream_hash(streams.get(n.originator_id), n.originator_id.bytes,
                                                      n.originator_version, n.topic, state)
        previous = chain_hash(previous, n.id, link)
        tamper(app, "UPDATE {chain} SET stream_hash = ?, chain_hash = ? WHERE position = ?", link, previous, n.id)
    assert_first_bad(app, head, "history rewritten")


def test_a_checkpoint_signed_with_another_key_is_reported_as_such(app: Flask, database_url: str) -> None:
    other = create_app({"DATABASE_URL": database_url, "CLOCK": FixedClock(NOW), "TESTING": True,
                        "AUDIT_KEY": "another key"})
    try:
        result = other.test_cli_runner().invoke(cli, ["audit", "verify"])
    finally:
        other.extensions["touchline"].close()
    assert result.exit_code == 1
    assert "signed with another key" in result.stdout


def test_concurrent_saves_grouped_into_one_commit_are_chained_in_log_order(app: Flask) -> None:
    touchline = app.extensions["touchline"].app
    customer = touchline.register_customer(name="Cy", occurred_at=NOW, actor=ACTOR).id

    def record(n: int) -> None:
        touchline.record_touchpoint(customer_id=customer, channel="chat", direction="inbound", kind="inquiry",
                                    subject=f"chat {n}", occurred_at=NOW, actor=ACTOR)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(record, range(80)))
    found = report(app)
    assert found.ok and found.chained == touchline.recorder.max_notification_id()


def test_a_store_written_before_chaining_is_chained_once_at_start(app: Flask, database_url: str) -> None:
    tamper(app, "DELETE FROM {checkpoints}")
    tamper(app, "DELETE FROM {chain}")
    assert "inserted directly" in report(app).problems[0].what
    reopened = create_app({"DATABASE_URL": database_url, "CLOCK": FixedClock(NOW), "TESTING": True,
                           "AUDIT_KEY": KEY})
    try:
        found = report(reopened)
        assert found.ok and found.chained == reopened.extensions["touchline"].app.recorder.max_notification_id()
    finally:
        reopened.extensions["touchline"].close()


@pytest.mark.parametrize("deleted", ["every checkpoint", "the newest checkpoint"])
def test_deleting_checkpoints_to_rewrite_the_tail_is_caught_once_the_tail_is_old(app: Flask, deleted: str) -> None:
    """Without its checkpoint the tail is protected by the chain alone, which anyone able to
    write can re-hash: an event older than the grace period that no checkpoint covers fails."""
    touchline = app.extensions["touchline"].app
    touchline.register_customer(name="Cid", occurred_at=NOW, actor=ACTOR)
    assert invoke(app, "checkpoint").exit_code == 0  # two checkpoints now
    where = "" if deleted == "every checkpoint" else " WHERE position = (SELECT max(position) FROM {checkpoints})"
    tamper(app, "DELETE FROM {checkpoints}" + where)
    recorder, wall = touchline.recorder, datetime.now(UTC)
    assert verify_chain(recorder, KEY.encode(), now=wall).ok  # just written: a checkpoint may be on its way
    late = verify_chain(recorder, KEY.encode(), now=wall + GRACE + timedelta(minutes=1))
    assert not late.ok
    [problem] = late.problems
    assert "no signed checkpoint covers it" in problem.what and "checkpoints were deleted" in problem.what
    assert problem.position == (1 if deleted == "every checkpoint" else late.last_checkpoint + 1)
    assert verify_chain(recorder, None, now=wall + GRACE + timedelta(minutes=1)).ok  # no key: no signatures to expect


def test_an_untouched_store_signed_to_its_head_passes_however_old(app: Flask) -> None:
    far = datetime.now(UTC) + timedelta(days=365)
    assert verify_chain(app.extensions["touchline"].app.recorder, KEY.encode(), now=far).ok
