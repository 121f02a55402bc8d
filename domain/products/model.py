"""The Product aggregate: what deals sell, with its list price."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import InvalidValueError
from domain.values import money, text


def product_key(name: str) -> str:
    """Spelling-insensitive key: ``GTXPro``, ``GTX Pro`` and ``gtx-pro`` are one product."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def product_id_for(name: str) -> UUID:
    key = product_key(name)
    if not key:
        raise InvalidValueError("product", f"{name!r} is not a product name")
    return uuid5(NAMESPACE_URL, f"/products/{key}")


class Product(Entity):
    kind = "Product"

    @classmethod
    def register(
        cls, *, name: str, series: str | None, list_price: Decimal | int | str, occurred_at: datetime, actor: str
    ) -> Product:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        name = text("name", name, max_length=200)
        return cls(
            id=product_id_for(name), name=name, series=text("series", series, required=False, max_length=100) or None,
            list_price=money("list_price", list_price), occurred_at=occurred_at, actor=actor,
        )

    @event("Registered")
    def __init__(
        self, *, id: UUID, name: str, series: str | None, list_price: Decimal, occurred_at: datetime, actor: str
    ) -> None:
        self.name = name
        self.series = series
        self.list_price = list_price
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.name

    def change_price(self, *, list_price: Decimal | int | str, occurred_at: datetime, actor: str) -> bool:
        occurred_at, actor = self.checked_when(occurred_at, actor)
        price = money("list_price", list_price)
        if price == self.list_price:
            return False
        self._price_changed(list_price=price, occurred_at=occurred_at, actor=actor)
        return True

    @event("PriceChanged")
    def _price_changed(self, list_price: Decimal, occurred_at: datetime, actor: str) -> None:
        self.list_price = list_price
        self.last_occurred_at = occurred_at
