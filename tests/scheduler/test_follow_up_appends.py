"""Overdue follow-ups are appended after the version the ``promises`` view holds, without
loading each promise; a view that is stale by then makes the save collide, and the notices are
prepared again from fresh loads: never a follow-up for a kept promise, never one twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.promises.model import Promise
from scheduler.promises import follow_up_promises
from tests.scheduler.conftest import World


@pytest.fixture
def loads(world: World) -> Iterator[list[UUID]]:
    """The ids of the promises loaded from the event store while the test runs."""
    loaded: list[UUID] = []
    get = world.app.repository.get

    def counting(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        found = get(aggregate_id, *args, **kwargs)
        if isinstance(found, Promise):
            loaded.append(aggregate_id)
        return found

    world.app.repository.get = counting  # type: ignore[method-assign]
    yield loaded
    world.app.repository.get = get  # type: ignore[method-assign]


def follow_ups(world: World, promise_id: UUID) -> list[str]:
    return [e.purpose for e in world.app.events.get(promise_id) if isinstance(e, Promise.FollowUpSent)]


def test_due_promises_are_followed_up_without_loading_them(world: World, loads: list[UUID]) -> None:
    due = [world.promise(due_in=timedelta(minutes=-m)) for m in (1, 2, 3)]
    world.catch_up()
    outcome = follow_up_promises(world.ctx)
    assert (outcome.done, outcome.messages, outcome.conflicts) == (3, 6, 0)
    assert loads == []
    for promise_id in due:
        assert follow_ups(world, promise_id) == ["customer_apology", "owner_reminder"]
        assert set(world.app.get_promise(promise_id).follow_ups) == {"customer_apology", "owner_reminder"}


def test_a_promise_kept_after_the_view_saw_it_gets_nothing_and_the_rest_of_its_batch_goes_out(
    world: World, loads: list[UUID]
) -> None:
    kept, still_open = world.promise(due_in=timedelta(minutes=-2)), world.promise(due_in=timedelta(minutes=-1))
    world.catch_up()
    world.app.keep_promise(kept, evidence="Called", occurred_at=world.clock.now(), actor=world.agent_ref)
    loads.clear()
    outcome = follow_up_promises(world.ctx)  # the view still shows it open at its old version
    assert (outcome.done, outcome.already, outcome.conflicts) == (1, 1, 0)
    assert sorted(loads) == sorted([kept, still_open])  # the collision made them load, once each
    assert follow_ups(world, kept) == [] and len(follow_ups(world, still_open)) == 2
    world.tick()
    assert [m["Subject"] for m in world.mail_to("ada@example.com")] == ["About our promise: Send the refund form"]


def test_a_follow_up_recorded_by_another_scheduler_is_not_repeated_though_the_view_lags(world: World) -> None:
    promise = world.promise(due_in=timedelta(minutes=-1))
    world.catch_up()
    first = follow_up_promises(world.ctx)
    again = follow_up_promises(world.ctx)  # the view has not seen the first run: same version, same causes
    assert (first.done, again.done, again.already, again.messages) == (1, 0, 1, 0)
    assert follow_ups(world, promise) == ["customer_apology", "owner_reminder"]


def test_an_apology_and_an_escalation_due_in_one_run_both_go_out_without_a_conflict(world: World) -> None:
    late = world.ctx.settings.escalate_after + timedelta(minutes=5)
    promise = world.promise(due_in=-late, made_ago=late + timedelta(hours=1))  # lapsed unseen: scheduler down
    world.catch_up()
    outcome = follow_up_promises(world.ctx)  # the escalation rule sees the version before the apology
    assert (outcome.done, outcome.messages, outcome.conflicts) == (2, 3, 0)
    assert follow_ups(world, promise) == ["customer_apology", "owner_reminder", "manager_escalation"]
