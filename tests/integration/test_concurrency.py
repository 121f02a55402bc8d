"""Optimistic concurrency on real storage: conflicts surface as ``ConflictError`` and nothing is lost.

Several ``Touchline`` instances on one database stand for several processes (web workers,
the scheduler). The domain retries nothing: a conflict reaches the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.errors import ConflictError

ACTOR = "user:agent-1"
T = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
THREADS, COMMANDS = 8, 100


def open_case(app: Touchline) -> UUID:
    customer = app.register_customer(name="Ada", occurred_at=T, actor=ACTOR).id
    return app.open_case(customer_id=customer, subject="Hi", channel="email", occurred_at=T, actor=ACTOR).id


def test_the_second_save_of_a_case_changed_meanwhile_is_a_conflict_naming_its_code(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    case_id = open_case(stored_app)
    other = new_instance()
    mine, theirs = stored_app.get_case(case_id), other.get_case(case_id)
    mine.reply(body="First answer", occurred_at=T, actor="user:ann")
    theirs.reply(body="Second answer", occurred_at=T, actor="user:bob")
    stored_app._save(mine)
    with pytest.raises(ConflictError, match="CASE-000001 was changed by someone else") as caught:
        other._save(theirs)
    assert (caught.value.label, caught.value.aggregate_id) == ("CASE-000001", case_id)

    other.reply_to_case(case_id, body="Second answer", occurred_at=T, actor="user:bob")  # reload and retry
    bodies = [e.body for e in stored_app.events.get(case_id) if type(e).__name__ == "AgentReplied"]
    assert bodies == ["First answer", "Second answer"]


def test_many_writers_on_one_case_either_succeed_or_conflict_and_lose_nothing(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    case_id = open_case(stored_app)
    shared = new_instance()  # half the threads share one instance (a threaded web server) ...
    apps = [shared if i % 2 else new_instance() for i in range(THREADS)]  # ... half have their own
    succeeded: list[tuple[str, int]] = []
    conflicts: list[ConflictError] = []
    other_errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def write(worker: int) -> None:
        start.wait()
        for n in range(COMMANDS):
            body = f"reply {worker}-{n}"
            try:
                receipt = apps[worker].reply_to_case(case_id, body=body, occurred_at=T, actor=f"user:{worker}")
                succeeded.append((body, receipt.version))
            except ConflictError as conflict:
                conflicts.append(conflict)
            except BaseException as error:  # anything else breaks the contract
                other_errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert other_errors == []
    assert len(succeeded) + len(conflicts) == THREADS * COMMANDS
    assert succeeded and conflicts  # there was contention, and progress
    assert {c.label for c in conflicts} == {"CASE-000001"}
    events = list(new_instance().events.get(case_id))
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    replies = [(e.body, e.originator_version) for e in events if type(e).__name__ == "AgentReplied"]
    assert len(replies) == len(succeeded)
    assert sorted(replies) == sorted(succeeded)  # each success stored once, at the version its receipt named


def test_a_second_instance_claims_its_own_block_of_codes(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    first = [open_case(stored_app)]
    second = new_instance()
    cases = [*first, open_case(second), open_case(stored_app), open_case(second), open_case(new_instance())]
    codes = [stored_app.get_case(c).tracking_code for c in cases]
    assert codes == ["CASE-000001", "CASE-000101", "CASE-000002", "CASE-000102", "CASE-000201"]
    assert [second.find_case_id(code.lower()) for code in codes] == cases


def test_instances_opening_cases_at_once_never_share_a_code(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    customer = stored_app.register_customer(name="Ada", occurred_at=T, actor=ACTOR).id
    apps = [new_instance() for _ in range(4)]
    opened: list[UUID] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(apps))

    def open_many(app: Touchline) -> None:
        start.wait()  # all claim their first block at the same moment
        try:
            for _ in range(30):
                opened.append(app.open_case(customer_id=customer, subject="Hi", channel="chat", occurred_at=T,
                                            actor=ACTOR).id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_many, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    codes = [stored_app.get_case(c).tracking_code for c in opened]
    assert len(set(codes)) == len(opened) == 120
    assert {code[:-2] for code in codes} == {"CASE-0000", "CASE-0001", "CASE-0002", "CASE-0003"}  # four blocks
    assert [stored_app.find_case_id(code) for code in codes] == opened
