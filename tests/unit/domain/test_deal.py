"""Deal rules: configurable open stages, Won and Lost are final until reopened, money is exact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.deals.model import DealClosedError
from domain.errors import InvalidValueError

ACTOR = "user:agent-1"


@pytest.fixture
def deal_id(memory_app: Touchline, customer_id: UUID, now: datetime) -> UUID:
    return memory_app.open_deal(customer_id=customer_id, product_id=None, title="GTX Pro for Ada", value="4821.00",
                                owner="user:ann", occurred_at=now, actor=ACTOR).id


CLOSE: dict[str, Callable[[Touchline, UUID, datetime], Any]] = {
    "won": lambda app, d, t: app.win_deal(d, close_value="4500", occurred_at=t, actor=ACTOR),
    "lost": lambda app, d, t: app.lose_deal(d, reason="Went with a competitor", occurred_at=t, actor=ACTOR),
}
ACT: dict[str, Callable[[Touchline, UUID, datetime], Any]] = {
    "move": lambda app, d, t: app.move_deal(d, stage="Engaging", occurred_at=t, actor=ACTOR),
    "win": CLOSE["won"],
    "lose": CLOSE["lost"],
}


@pytest.mark.parametrize("outcome", sorted(CLOSE))
@pytest.mark.parametrize("action", sorted(ACT))
def test_a_won_or_lost_deal_does_not_move_unless_reopened(
    memory_app: Touchline, deal_id: UUID, now: datetime, outcome: str, action: str
) -> None:
    CLOSE[outcome](memory_app, deal_id, now)
    with pytest.raises(DealClosedError, match="reopen it"):
        ACT[action](memory_app, deal_id, now + timedelta(days=1))
    memory_app.reopen_deal(deal_id, stage="Prospecting", reason="Budget found", occurred_at=now + timedelta(days=1),
                           actor=ACTOR)
    ACT[action](memory_app, deal_id, now + timedelta(days=2))


def test_winning_and_losing_set_the_close_value(memory_app: Touchline, deal_id: UUID, now: datetime) -> None:
    CLOSE["won"](memory_app, deal_id, now)
    won = memory_app.get_deal(deal_id)
    assert (won.stage, won.close_value) == ("Won", Decimal("4500"))
    memory_app.reopen_deal(deal_id, stage="Engaging", reason="Contract voided", occurred_at=now, actor=ACTOR)
    assert memory_app.get_deal(deal_id).close_value is None
    CLOSE["lost"](memory_app, deal_id, now)
    assert memory_app.get_deal(deal_id).close_value == Decimal("0")


def test_cannot_reopen_an_open_deal(memory_app: Touchline, deal_id: UUID, now: datetime) -> None:
    with pytest.raises(DealClosedError, match="nothing to reopen"):
        memory_app.reopen_deal(deal_id, stage="Engaging", reason="?", occurred_at=now, actor=ACTOR)


@pytest.mark.parametrize("stage", ["Won", "Lost", "Negotiating", "prospecting"])
def test_a_deal_moves_only_to_an_open_stage_of_the_pipeline(
    memory_app: Touchline, deal_id: UUID, now: datetime, stage: str
) -> None:
    with pytest.raises(InvalidValueError, match="unknown stage") as caught:
        memory_app.move_deal(deal_id, stage=stage, occurred_at=now, actor=ACTOR)
    assert caught.value.field == "stage"


def test_a_deal_cannot_move_to_the_stage_it_is_in(memory_app: Touchline, deal_id: UUID, now: datetime) -> None:
    with pytest.raises(InvalidValueError, match="already"):
        memory_app.move_deal(deal_id, stage="Prospecting", occurred_at=now, actor=ACTOR)


def test_a_deal_cannot_move_before_it_entered_its_stage(memory_app: Touchline, deal_id: UUID, now: datetime) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.move_deal(deal_id, stage="Engaging", occurred_at=now - timedelta(minutes=1), actor=ACTOR)
    assert caught.value.field == "occurred_at"


def test_a_reopen_cannot_be_dated_before_the_close_it_undoes(memory_app: Touchline, deal_id: UUID,
                                                              now: datetime) -> None:
    """Back-dated, it would put the deal in past funnels it never was in (even before it existed)."""
    memory_app.lose_deal(deal_id, reason="Budget cut", occurred_at=now + timedelta(days=2), actor=ACTOR)
    with pytest.raises(InvalidValueError) as caught:
        memory_app.reopen_deal(deal_id, stage="Engaging", reason="Back", occurred_at=now + timedelta(days=1),
                               actor=ACTOR)
    assert caught.value.field == "occurred_at"
    memory_app.reopen_deal(deal_id, stage="Engaging", reason="Back", occurred_at=now + timedelta(days=3), actor=ACTOR)


def test_a_configured_pipeline_replaces_the_default_stages(
    memory_app: Touchline, customer_id: UUID, now: datetime
) -> None:
    memory_app.configure_pipeline(stages=["Lead", "Qualified", "Proposal"], open_deals_by_stage={}, occurred_at=now,
                                  actor="user:admin")
    deal = memory_app.open_deal(customer_id=customer_id, product_id=None, title="MG Special", value=55,
                                owner="user:ann", occurred_at=now, actor=ACTOR).id
    assert memory_app.get_deal(deal).stage == "Lead"
    memory_app.move_deal(deal, stage="Proposal", occurred_at=now, actor=ACTOR)
    with pytest.raises(InvalidValueError, match="open stages are Lead, Qualified, Proposal"):
        memory_app.move_deal(deal, stage="Engaging", occurred_at=now, actor=ACTOR)


@pytest.mark.parametrize("stages", [[], ["Lead", "lead"], ["Lead", "won"], ["Lead", " "]])
def test_a_pipeline_needs_unique_open_stages(memory_app: Touchline, now: datetime, stages: list[str]) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.configure_pipeline(stages=stages, open_deals_by_stage={}, occurred_at=now, actor="user:admin")
    assert caught.value.field == "stages"
    assert memory_app.get_pipeline().stages == ["Prospecting", "Engaging"]


def test_a_stage_still_holding_open_deals_cannot_be_dropped(memory_app: Touchline, now: datetime) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.configure_pipeline(stages=["Prospecting", "Negotiating"],
                                      open_deals_by_stage={"Prospecting": 501, "Engaging": 1589}, occurred_at=now,
                                      actor="user:admin")
    assert caught.value.field == "stages"
    assert caught.value.message == ("'Engaging' still holds 1,589 open deals: "
                                    "move them to another stage before removing it")
    assert memory_app.get_pipeline().stages == ["Prospecting", "Engaging"]


def test_stages_holding_no_open_deals_can_be_dropped_and_held_ones_reordered(memory_app: Touchline,
                                                                            now: datetime) -> None:
    memory_app.configure_pipeline(stages=["Engaging", "Negotiating"], open_deals_by_stage={"Engaging": 3},
                                  occurred_at=now, actor="user:admin")
    assert memory_app.get_pipeline().stages == ["Engaging", "Negotiating"]


@pytest.mark.parametrize("value", ["-1", "10.005", "abc", "NaN", "1e40", None])
def test_a_deal_value_is_a_non_negative_amount_in_cents(
    memory_app: Touchline, customer_id: UUID, now: datetime, value: Any
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.open_deal(customer_id=customer_id, product_id=None, title="X", value=value, owner="user:ann",
                             occurred_at=now, actor=ACTOR)
    assert caught.value.field == "value"


def test_a_deal_keeps_its_value_exactly(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    deal = memory_app.open_deal(customer_id=customer_id, product_id=None, title="X", value="0.10",
                                owner="user:ann", occurred_at=now, actor=ACTOR).id
    assert str(memory_app.get_deal(deal).value) == "0.10"


def test_a_revision_changes_value_and_close_date_and_keeps_what_it_replaced(
    memory_app: Touchline, deal_id: UUID, now: datetime
) -> None:
    memory_app.revise_deal(deal_id, value="5200", expected_close_on="2026-06-30", note="Two more seats",
                           occurred_at=now + timedelta(days=1), actor=ACTOR)
    deal = memory_app.get_deal(deal_id)
    assert (deal.value, deal.expected_close_on) == (Decimal(5200), "2026-06-30")
    revision = list(memory_app.events.get(deal_id))[-1]
    assert (revision.previous_value, revision.previous_close_on, revision.note) == (Decimal("4821.00"), None,
                                                                                  "Two more seats")
    memory_app.revise_deal(deal_id, clear_close_date=True, occurred_at=now + timedelta(days=2), actor=ACTOR)
    assert memory_app.get_deal(deal_id).expected_close_on is None


@pytest.mark.parametrize("change, field", [
    ({}, "value"),  # nothing changes
    ({"value": "4821"}, "value"),  # the same amount
    ({"value": "-1"}, "value"),
    ({"expected_close_on": "31/12/2026"}, "expected_close_on"),
    ({"expected_close_on": "3000-01-01"}, "expected_close_on"),
    ({"expected_close_on": "2026-05-01", "clear_close_date": True}, "expected_close_on"),
    ({"value": "10", "occurred_at_days": -1}, "occurred_at"),  # before the deal entered its stage
])
def test_a_bad_revision_is_refused_naming_the_field(memory_app: Touchline, deal_id: UUID, now: datetime,
                                                    change: dict[str, Any], field: str) -> None:
    days = change.pop("occurred_at_days", 1)
    with pytest.raises(InvalidValueError) as refused:
        memory_app.revise_deal(deal_id, **change, occurred_at=now + timedelta(days=days), actor=ACTOR)
    assert refused.value.field == field
    assert memory_app.get_deal(deal_id).version == 1


def test_nothing_moves_back_past_a_revision(memory_app: Touchline, deal_id: UUID, now: datetime) -> None:
    """Funnels as of a past date read the changes in time order, so none may be dated before the latest."""
    memory_app.revise_deal(deal_id, value="9000", occurred_at=now + timedelta(days=5), actor=ACTOR)
    for act in ACT.values():
        with pytest.raises(InvalidValueError, match="latest stage change or revision"):
            act(memory_app, deal_id, now + timedelta(days=4))


def test_a_closed_deal_is_not_revised(memory_app: Touchline, deal_id: UUID, now: datetime) -> None:
    CLOSE["won"](memory_app, deal_id, now)
    with pytest.raises(DealClosedError, match="reopen it to revise it"):
        memory_app.revise_deal(deal_id, value="1", occurred_at=now, actor=ACTOR)


def test_stage_probabilities_are_whole_percents_of_open_stages_and_leave_with_their_stage(
    memory_app: Touchline, now: datetime
) -> None:
    for bad in ({"Won": 100}, {"Engaging": 101}, {"Engaging": -1}, {"Engaging": 50.5}, {"Engaging": True},
                {"Engaging": "50"}):
        with pytest.raises(InvalidValueError, match="probabilities"):
            memory_app.weigh_pipeline(probabilities=bad, occurred_at=now, actor=ACTOR)
    memory_app.weigh_pipeline(probabilities={"Prospecting": 10, "Engaging": 40}, occurred_at=now, actor=ACTOR)
    memory_app.configure_pipeline(stages=["Prospecting", "Demo"], open_deals_by_stage={}, occurred_at=now,
                                  actor=ACTOR)
    assert memory_app.get_pipeline().probabilities == {"Prospecting": 10}
