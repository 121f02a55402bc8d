"""The Deal aggregate and the Pipeline whose stages deals move through.

Open stages are configurable (default: Prospecting > Engaging, as in the Maven CRM
data); ``Won`` and ``Lost`` are the two fixed outcomes. A closed deal moves only
after it is reopened.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_personal
from domain.values import money, text

WON, LOST = "Won", "Lost"
DEFAULT_STAGES = ("Prospecting", "Engaging")
PIPELINE_ID = uuid5(NAMESPACE_URL, "/pipelines/default")


class DealClosedError(DomainError):
    """The deal is won or lost; reopen it first."""


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
        occurred_at: datetime,
        actor: str,
    ) -> Deal:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        return cls(
            id=id, customer_id=customer_id, product_id=product_id,
            title=text("title", title, max_length=300), value=money("value", value),
            owner=text("owner", owner, max_length=200),
            stage=pipeline.check_stage(stage or pipeline.stages[0]),
            external_ref=external_ref, occurred_at=occurred_at, actor=actor,
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
        self.close_value: Decimal | None = None
        self.stage_entered_at = occurred_at
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
        if occurred_at < self.stage_entered_at:
            raise InvalidValueError("occurred_at", "is before the deal entered its current stage")

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


# A title is free text, and often names the person ("Carla's upgrade"): erased with them.
mark_personal(Deal.Opened, "title")
mark_personal(Deal.HandedOver, "note")
