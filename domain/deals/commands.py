"""Deal and pipeline commands of the Application."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.customers.commands import CustomerCommands
from domain.deals.model import DEFAULT_STAGES, PIPELINE_ID, Deal, Pipeline
from domain.errors import NotFoundError, StaleVersionError
from domain.products.model import Product
from domain.service import Receipt

_EPOCH_ACTOR = "system:defaults"


class DealCommands(CustomerCommands):
    _known_products: set[UUID]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_products = set()

    def get_pipeline(self) -> Pipeline:
        """The configured pipeline, or the default one when never configured."""
        try:
            return self._get(Pipeline, PIPELINE_ID)
        except NotFoundError:
            return Pipeline(id=PIPELINE_ID, stages=list(DEFAULT_STAGES),
                            occurred_at=datetime(1970, 1, 1, tzinfo=timezone.utc), actor=_EPOCH_ACTOR)

    def configure_pipeline(self, *, stages: list[str], open_deals_by_stage: Mapping[str, int], occurred_at: datetime,
                           actor: str, expected_version: int | None = None) -> Receipt:
        """New open stages; refused while a stage left out holds open deals (``open_deals_by_stage``,
        counted by the caller from the read models: the event store keeps no such index), and when
        the pipeline moved past ``expected_version`` (the stages the admin saw)."""
        pipeline = self.get_pipeline()
        if expected_version is not None and pipeline.version != expected_version:
            raise StaleVersionError(pipeline.kind, "stages", expected_version, pipeline.version)
        pipeline.reconfigure(stages=stages, open_deals_by_stage=open_deals_by_stage, occurred_at=occurred_at,
                             actor=actor)
        return self._save(pipeline)

    def weigh_pipeline(self, *, probabilities: Mapping[str, Any], occurred_at: datetime, actor: str,
                       expected_version: int | None = None) -> Receipt:
        """Set the open stages' win probabilities (percent), which weigh the forecast."""
        pipeline = self.get_pipeline()
        if expected_version is not None and pipeline.version != expected_version:
            raise StaleVersionError(pipeline.kind, "probabilities", expected_version, pipeline.version)
        pipeline.weigh(probabilities=probabilities, occurred_at=occurred_at, actor=actor)
        return self._save(pipeline)

    def open_deal(
        self, *, customer_id: UUID | None, product_id: UUID | None, title: str, value: Decimal | int | str,
        owner: str, stage: str | None = None, external_ref: str | None = None, id: UUID | None = None,
        expected_close_on: date | str | None = None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        if customer_id is not None:
            self.check_customer_exists(customer_id)
        if product_id is not None and product_id not in self._known_products:
            self._get(Product, product_id)  # NotFoundError: a 422 on product_id (products are never deleted)
            self._known_products.add(product_id)
        deal = Deal.open(
            id=id or uuid4(), pipeline=self.get_pipeline(), customer_id=customer_id, product_id=product_id,
            title=title, value=value, owner=owner, stage=stage, external_ref=external_ref,
            expected_close_on=expected_close_on, occurred_at=occurred_at, actor=actor,
        )
        return self._save(deal)

    def revise_deal(self, deal_id: UUID, *, value: Decimal | int | str | None = None,
                    expected_close_on: date | str | None = None, clear_close_date: bool = False, note: str = "",
                    expected_version: int | None = None, occurred_at: datetime, actor: str) -> Receipt:
        deal = self._get(Deal, deal_id, expected_version)
        deal.revise(value=value, expected_close_on=expected_close_on, clear_close_date=clear_close_date, note=note,
                    occurred_at=occurred_at, actor=actor)
        return self._save(deal)

    def move_deal(self, deal_id: UUID, *, stage: str, expected_version: int | None = None,
                  occurred_at: datetime, actor: str) -> Receipt:
        deal = self._get(Deal, deal_id, expected_version)
        deal.move(stage=stage, pipeline=self.get_pipeline(), occurred_at=occurred_at, actor=actor)
        return self._save(deal)

    def hand_over_deal(self, deal_id: UUID, *, to_owner: str, note: str = "", expected_version: int | None = None,
                       occurred_at: datetime, actor: str) -> Receipt:
        """The caller checks ``to_owner`` is a colleague who can take work (as for a new deal)."""
        deal = self._get(Deal, deal_id, expected_version)
        deal.hand_over(to_owner=to_owner, note=note, occurred_at=occurred_at, actor=actor)
        return self._save(deal)

    def win_deal(self, deal_id: UUID, *, close_value: Decimal | int | str, expected_version: int | None = None,
                 occurred_at: datetime, actor: str) -> Receipt:
        deal = self._get(Deal, deal_id, expected_version)
        deal.win(close_value=close_value, occurred_at=occurred_at, actor=actor)
        return self._save(deal)

    def lose_deal(self, deal_id: UUID, *, reason: str, expected_version: int | None = None,
                  occurred_at: datetime, actor: str) -> Receipt:
        deal = self._get(Deal, deal_id, expected_version)
        deal.lose(reason=reason, occurred_at=occurred_at, actor=actor)
        return self._save(deal)

    def reopen_deal(self, deal_id: UUID, *, stage: str, reason: str, expected_version: int | None = None,
                    occurred_at: datetime, actor: str) -> Receipt:
        deal = self._get(Deal, deal_id, expected_version)
        deal.reopen(stage=stage, pipeline=self.get_pipeline(), reason=reason, occurred_at=occurred_at, actor=actor)
        return self._save(deal)

    def get_deal(self, deal_id: UUID) -> Deal:
        return self._get(Deal, deal_id)
