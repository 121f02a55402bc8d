"""The Deal aggregate and the Pipeline whose stages deals move through.

Open stages are configurable (default: Prospecting > Engaging, as in the Maven CRM
data); ``Won`` and ``Lost`` are the two fixed outcomes. A closed deal moves only
after it is reopened.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_personal
from domain.upcasting import upcaster
from domain.values import money, text

WON, LOST = "Won", "Lost"
DEFAULT_STAGES = ("Prospecting", "Engaging")
PIPELINE_ID = uuid5(NAMESPACE_URL, "/pipelines/default")


class DealClosedError(DomainError):
    """The deal is won or lost; reopen it first."""


# Events keep a date as its ISO text: the application's transcoder knows datetimes, not dates.
def close_date(field: str, value: date | str | None) -> str | None:
    """An expected close date as ISO text (``None``: no date)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime) or not isinstance(value, (date, str)):
        raise InvalidValueError(field, "must be a date (YYYY-MM-DD)")
    try:
        day = value if isinstance(value, date) else date.fromisoformat(value)
    except ValueError:
        raise InvalidValueError(field, "must be a date (YYYY-MM-DD)") from None
    if not date(1900, 1, 1) <= day <= date(2999, 12, 31):
        raise InvalidValueError(field, "must be between 1900-01-01 and 2999-12-31")
    return day.isoformat()


def clean_probabilities(stages: list[str], probabilities: Mapping[str, Any]) -> dict[str, int]:
    """Win probability in percent (0-100) for some of ``stages``; a stage left out is estimated
    from the deals that passed through it (the forecast says which is which)."""
    cleaned = {}
    for stage, percent in probabilities.items():
        if stage not in stages:
            raise InvalidValueError("probabilities", f"unknown stage {stage!r}; open stages are {', '.join(stages)}")
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise InvalidValueError("probabilities", f"{stage}: must be a whole percent from 0 to 100")
        cleaned[stage] = percent
    return cleaned


def deal_id_for(source: str, key: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/deals/{source}/{key.strip()}")


class Pipeline(Entity):
    """The ordered open stages of the sales pipeline."""

    kind = "Pipeline"

    @classmethod
    def clean_stages(cls, stages: list[str]) -> list[str]:
        cleaned = [text("stages", s, max_length=60) for s in stages]
        if not cleaned:
            raise InvalidValueError("stages", "needs at least one open stage")
        if len(set(s.lower() for s in cleaned)) != len(cleaned):
            raise InvalidValueError("stages", "names must be unique")
        if {s.lower() for s in cleaned} & {WON.lower(), LOST.lower()}:
            raise InvalidValueError("stages", "Won and Lost are outcomes, not open stages")
        return cleaned

    @event("Configured")
    def __init__(self, *, id: UUID, stages: list[str], occurred_at: datetime, actor: str) -> None:
        self.stages = stages
        self.probabilities: dict[str, int] = {}
        self.last_occurred_at = occurred_at

    def weigh(self, *, probabilities: Mapping[str, Any], occurred_at: datetime, actor: str) -> None:
        """Set the open stages' win probabilities (all of them at once: a stage left out is estimated)."""
        occurred_at, actor = self.checked_when(occurred_at, actor)
        cleaned = clean_probabilities(self.stages, probabilities)
        if cleaned == self.probabilities:
            raise InvalidValueError("probabilities", "are set so already")
        self._weighed(probabilities=cleaned, occurred_at=occurred_at, actor=actor)

    @event("Weighed")
    def _weighed(self, probabilities: dict[str, int], occurred_at: datetime, actor: str) -> None:
        self.probabilities = probabilities
        self.last_occurred_at = occurred_at

    def reconfigure(self, *, stages: list[str], open_deals_by_stage: Mapping[str, int], occurred_at: datetime,
                    actor: str) -> None:
        """New open stages, in order. ``open_deals_by_stage``: how many open deals each stage holds
        now (the caller counts them); a stage dropped while it holds any would strand them."""
        occurred_at, actor = self.checked_when(occurred_at, actor)
        cleaned = self.clean_stages(stages)
        self.check_keeps_open_deals(cleaned, open_deals_by_stage)
        self._reconfigured(stages=cleaned, occurred_at=occurred_at, actor=actor)

    def check_keeps_open_deals(self, stages: list[str], open_deals_by_stage: Mapping[str, int]) -> None:
        held = [(s, n) for s in self.stages if s not in stages and (n := open_deals_by_stage.get(s, 0)) > 0]
        if held:
            counts = "; ".join(f"{s!r} still holds {n:,} open deal{'s' if n != 1 else ''}" for s, n in held)
            raise InvalidValueError("stages", f"{counts}: move them to another stage before removing "
                                              f"{'it' if len(held) == 1 else 'them'}")

    @event("Reconfigured")
    def _reconfigured(self, stages: list[str], occurred_at: datetime, actor: str) -> None:
        self.stages = stages
        # A stage removed takes its probability with it: re-added, it is estimated until set again.
        self.probabilities = {s: p for s, p in self.probabilities.items() if s in stages}
        self.last_occurred_at = occurred_at

    def check_stage(self, stage: str) -> str:
        if stage not in self.stages:
            raise InvalidValueError(
                "stage", f"unknown stage {stage!r}; open stages are {', '.join(self.stages)}"
            )
        return stage


class Deal(Entity):
    kind = "Deal"

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        pipeline: Pipeline,
        customer_id: UUID | None,
        product_id: UUID | None,
        title: str,
        value: Decimal | int | str,
        owner: str,
        stage: str | None = None,
        external_ref: str | None = None,
        expected_close_on: date | str | None = None,
        occurred_at: datetime,
        actor: str,
    ) -> Deal:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        return cls(
            id=id, customer_id=customer_id, product_id=product_id,
            title=text("title", title, max_length=300), value=money("value", value),
            owner=text("owner", owner, max_length=200),
            stage=pipeline.check_stage(stage or pipeline.stages[0]),
            external_ref=external_ref, expected_close_on=close_date("expected_close_on", expected_close_on),
            occurred_at=occurred_at, actor=actor,
        )

    @event("Opened")
    def __init__(
        self,
        *,
        id: UUID,
        customer_id: UUID | None,
        product_id: UUID | None,
        title: str,
        value: Decimal,
        owner: str,
        stage: str,
        external_ref: str | None,
        expected_close_on: str | None,
        occurred_at: datetime,
        actor: str,
    ) -> None:
        self.customer_id = customer_id
        self.product_id = product_id
        self.title = title
        self.value = value
        self.owner = owner
        self.stage = stage
        self.external_ref = external_ref
        self.expected_close_on = expected_close_on
        self.close_value: Decimal | None = None
        self.stage_entered_at = occurred_at
        self.revised_at = occurred_at
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.stage in (WON, LOST)

    def check_open(self, action: str) -> None:
        if self.is_closed:
            raise DealClosedError(f"deal {self.title} is {self.stage}: reopen it to {action}")

    def _check_not_before_stage(self, occurred_at: datetime) -> None:
        # Figures as of a past date follow the deal's changes in time order: none may go back past
        # the current stage's start or the latest revision.
        if occurred_at < max(self.stage_entered_at, self.revised_at):
            raise InvalidValueError("occurred_at", "is before the deal's opening or its latest stage change or revision")

    def move(self, *, stage: str, pipeline: Pipeline, occurred_at: datetime, actor: str) -> None:
        self.check_open("move it")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        stage = pipeline.check_stage(stage)
        if stage == self.stage:
            raise InvalidValueError("stage", f"the deal is in {stage} already")
        self._check_not_before_stage(occurred_at)
        self._stage_changed(from_stage=self.stage, to_stage=stage, occurred_at=occurred_at, actor=actor)

    @event("StageChanged")
    def _stage_changed(self, from_stage: str, to_stage: str, occurred_at: datetime, actor: str) -> None:
        self.stage = to_stage
        self.stage_entered_at = occurred_at
        self.last_occurred_at = occurred_at

    def win(self, *, close_value: Decimal | int | str, occurred_at: datetime, actor: str) -> None:
        self.check_open("win it")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._check_not_before_stage(occurred_at)
        self._won(from_stage=self.stage, close_value=money("close_value", close_value),
                  occurred_at=occurred_at, actor=actor)

    @event("Won")
    def _won(self, from_stage: str, close_value: Decimal, occurred_at: datetime, actor: str) -> None:
        self.stage = WON
        self.close_value = close_value
        self.stage_entered_at = occurred_at
        self.last_occurred_at = occurred_at

    def revise(self, *, value: Decimal | int | str | None = None, expected_close_on: date | str | None = None,
               clear_close_date: bool = False, note: str = "", occurred_at: datetime, actor: str) -> None:
        """A new value and/or expected close date for an open deal, with a note (what the
        customer said). The funnel and forecast as of an earlier date keep the earlier figures."""
        self.check_open("revise it")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        new_value = self.value if value is None else money("value", value)
        if clear_close_date and expected_close_on:
            raise InvalidValueError("expected_close_on", "give a date or clear it, not both")
        new_close = None if clear_close_date else (close_date("expected_close_on", expected_close_on)
                                                   if expected_close_on else self.expected_close_on)
        if new_value == self.value and new_close == self.expected_close_on:
            raise InvalidValueError("value", "nothing to revise: the value and expected close date are as given")
        self._check_not_before_stage(occurred_at)
        self._revised(value=new_value, previous_value=self.value, expected_close_on=new_close,
                      previous_close_on=self.expected_close_on, customer_id=self.customer_id,
                      note=text("note", note, required=False, max_length=2000), occurred_at=occurred_at, actor=actor)

    @event("Revised")
    def _revised(self, value: Decimal, previous_value: Decimal, expected_close_on: str | None,
                 previous_close_on: str | None, customer_id: UUID | None, note: str, occurred_at: datetime, actor: str) -> None:
        self.value = value
        self.expected_close_on = expected_close_on
        self.revised_at = occurred_at
        self.last_occurred_at = occurred_at

    def hand_over(self, *, to_owner: str, note: str = "", occurred_at: datetime, actor: str) -> None:
        """Give an open deal to another owner (a rep leaving, territories redrawn), with a note."""
        self.check_open("hand it over")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        to_owner = text("owner", to_owner, max_length=200)
        if to_owner == self.owner:
            raise InvalidValueError("owner", "owns the deal already")
        self._handed_over(owner=to_owner, previous_owner=self.owner, customer_id=self.customer_id,
                          note=text("note", note, required=False, max_length=2000), occurred_at=occurred_at,
                          actor=actor)

    @event("HandedOver")
    def _handed_over(self, owner: str, previous_owner: str, customer_id: UUID | None, note: str,
                     occurred_at: datetime, actor: str) -> None:
        self.owner = owner
        self.last_occurred_at = occurred_at

    def lose(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        self.check_open("lose it")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._check_not_before_stage(occurred_at)
        self._lost(from_stage=self.stage, reason=text("reason", reason, max_length=1000),
                   occurred_at=occurred_at, actor=actor)

    @event("Lost")
    def _lost(self, from_stage: str, reason: str, occurred_at: datetime, actor: str) -> None:
        self.stage = LOST
        self.close_value = Decimal("0")
        self.stage_entered_at = occurred_at
        self.last_occurred_at = occurred_at

    def reopen(self, *, stage: str, pipeline: Pipeline, reason: str, occurred_at: datetime, actor: str) -> None:
        if not self.is_closed:
            raise DealClosedError(f"deal {self.title} is open ({self.stage}); nothing to reopen")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._check_not_before_stage(occurred_at)  # a back-dated reopen would rewrite past funnels
        self._reopened(from_stage=self.stage, to_stage=pipeline.check_stage(stage),
                       reason=text("reason", reason, max_length=1000), occurred_at=occurred_at, actor=actor)

    @event("Reopened")
    def _reopened(self, from_stage: str, to_stage: str, reason: str, occurred_at: datetime, actor: str) -> None:
        self.stage = to_stage
        self.close_value = None
        self.stage_entered_at = occurred_at
        self.last_occurred_at = occurred_at


@upcaster(Deal.Opened, from_version=1)
def _opened_v1_v2(state: dict[str, Any]) -> None:
    state["expected_close_on"] = None  # version 1 had no expected close date


# A title is free text, and often names the person ("Carla's upgrade"): erased with them.
mark_personal(Deal.Opened, "title")
mark_personal(Deal.HandedOver, "note")
mark_personal(Deal.Revised, "note")
