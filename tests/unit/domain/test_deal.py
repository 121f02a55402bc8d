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
