"""After a command the panel waits, boundedly, for the projections to reach its position."""

from __future__ import annotations

from tests.web.admin.conftest import Panel, projecting
from web.admin.waiting import wait_for_position


def test_nothing_to_wait_for_returns_at_once(panel: Panel) -> None:
    with panel.app.app_context():
        assert wait_for_position(None) and wait_for_position(panel.event_count())


def test_a_position_not_yet_projected_gives_up_after_the_wait(panel: Panel) -> None:
    receipt = panel.services.app.register_customer(name="Ada", occurred_at=panel.clock.now(), actor="system:test")
    with panel.app.app_context():
        assert not wait_for_position(receipt.position, seconds=0.05)
        panel.catch_up()
        assert wait_for_position(receipt.position, seconds=0)


def test_it_returns_once_the_runner_gets_there(panel: Panel) -> None:
    receipt = panel.services.app.register_customer(name="Bo", occurred_at=panel.clock.now(), actor="system:test")
    with projecting(panel), panel.app.app_context():
        assert wait_for_position(receipt.position, seconds=10)
