"""Group commit: concurrent saves share one transaction, each gets its own positions, and a
save that conflicts never fails the others of its group (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.application import Touchline
from domain.errors import ConflictError
from projections.group_commit import GroupCommitMixin, GroupCommitter

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def event(originator: UUID, version: int = 1) -> StoredEvent:
    return StoredEvent(originator_id=originator, originator_version=version, topic="test:Event", state=b"{}")


class HeldFirstCommit:
    """The recorder's insert, with the first call held until ``release()``: meanwhile the other
    threads' saves queue up, so they go together in the next commit."""

    def __init__(self, insert: Callable[[Sequence[StoredEvent]], Sequence[int] | None]) -> None:
        self.insert, self.calls = insert, []  # type: ignore[var-annotated]
        self.entered, self.gate = threading.Event(), threading.Event()

    def __call__(self, events: Sequence[StoredEvent]) -> Sequence[int] | None:
        self.calls.append(len(events))
        if len(self.calls) == 1:
            self.entered.set()
            self.gate.wait(10)
        return self.insert(events)


def in_threads(committer: GroupCommitter, saves: list[list[StoredEvent]], held: HeldFirstCommit) -> list[Any]:
    """Run the first save (held), queue the others behind it, release, and collect outcomes."""
    outcomes: list[Any] = [None] * len(saves)

    def run(i: int) -> None:
        try:
            outcomes[i] = committer.save(saves[i])
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(saves))]
    threads[0].start()
    assert held.entered.wait(10)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 10
    while committer.queued() < len(saves) - 1 and time.monotonic() < deadline:
        time.sleep(0.001)  # waiting for the threads to queue, not for time to pass
    held.gate.set()
    for thread in threads:
        thread.join(10)
    return outcomes


@pytest.fixture
def recorder(stored_app: Touchline) -> Iterator[Any]:
    assert isinstance(stored_app.recorder, GroupCommitMixin)  # what storage_from_url selects
    yield stored_app.recorder


def test_saves_queued_during_a_commit_go_together_in_one_and_each_gets_its_own_positions(recorder: Any) -> None:
    held = HeldFirstCommit(super(GroupCommitMixin, recorder).insert_events)
    committer = GroupCommitter(held)
    ids = [uuid4() for _ in range(5)]
    saves = [[event(ids[0])]] + [[event(i, 1), event(i, 2)] for i in ids[1:]]
    outcomes = in_threads(committer, saves, held)
    assert held.calls == [1, 8]  # the held save alone, then the four queued ones in one transaction
    for originator, positions in zip(ids, outcomes, strict=True):
        stored = recorder.select_notifications(start=min(positions), limit=len(positions))
        assert [(n.id, n.originator_id, n.originator_version) for n in stored] == \
            [(p, originator, v) for v, p in enumerate(positions, start=1)]


def test_a_conflicting_save_fails_alone_and_the_rest_of_its_group_is_saved(recorder: Any) -> None:
    taken = uuid4()
    recorder.insert_events([event(taken)])
    held = HeldFirstCommit(super(GroupCommitMixin, recorder).insert_events)
    committer = GroupCommitter(held)
    fine = [uuid4() for _ in range(3)]
    twice = uuid4()  # two saves of the same new version in one group: the first wins
    saves = [[event(uuid4())], [event(fine[0])], [event(taken)], [event(fine[1])], [event(twice)], [event(twice)],
             [event(fine[2])]]
    outcomes = in_threads(committer, saves, held)
    assert held.calls == [1, 6, 1, 1, 1, 1, 1, 1]  # the group failed, then each save alone
    assert isinstance(outcomes[2], IntegrityError) and isinstance(outcomes[5], IntegrityError)
    for i in (0, 1, 3, 4, 6):
        assert isinstance(outcomes[i], list) and len(outcomes[i]) == 1, outcomes[i]
    for originator in [*fine, twice]:
        assert len(recorder.select_events(originator)) == 1


def test_concurrent_commands_each_get_their_receipt_and_a_stale_one_a_conflict(stored_app: Touchline) -> None:
    app = stored_app
    customer = app.register_customer(name="Ada", occurred_at=NOW, actor="user:a").id
    results: list[Any] = []
    lock = threading.Lock()

    def record(n: int) -> None:
        receipt = app.record_touchpoint(customer_id=customer, channel="phone", direction="inbound", kind="inquiry",
                                        subject=f"Call {n}", occurred_at=NOW, actor="user:a")
        with lock:
            results.append(receipt)

    saves_before = app.recorder.committer.saves
    threads = [threading.Thread(target=record, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    positions = [r.position for r in results]
    assert len(results) == 16 and len(set(positions)) == 16
    assert app.recorder.committer.saves == saves_before + 16  # the commands' saves went through the committer
    for receipt in results:
        assert app.recorder.select_notifications(start=receipt.position, limit=1)[0].originator_id == receipt.id
    app.change_customer_details(customer, name="Ada King", occurred_at=NOW, actor="user:a")
    with pytest.raises(ConflictError):  # a save from a stale copy still conflicts
        stale = app.repository.get(customer, version=1)
        stale.change_details(name="Ada Byron", contact_points=None, segment=None, occurred_at=NOW, actor="user:a")
        app._save(stale)
