"""Commands for the reference data: users, products and SLA policies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.products.model import Product
from domain.service import Receipt, Service
from domain.sla.model import SlaPolicy
from domain.users.model import User


class DirectoryCommands(Service):
    def register_user(
        self, *, email: str, name: str, role: str, team: str | None = None, region: str | None = None,
        manager_id: UUID | None = None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        if manager_id is not None:
            self._get(User, manager_id)
        return self._save(User.register(email=email, name=name, role=role, team=team, region=region,
                                        manager_id=manager_id, occurred_at=occurred_at, actor=actor))

    def change_user_profile(
        self, user_id: UUID, *, name: str, role: str, team: str | None, region: str | None,
        manager_id: UUID | None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        user = self._get(User, user_id)
        if manager_id is not None:
            self._get(User, manager_id)
        if not user.change_profile(name=name, role=role, team=team, region=region, manager_id=manager_id,
                                   occurred_at=occurred_at, actor=actor):
            return self._unchanged(user)
        return self._save(user)

    def deactivate_user(self, user_id: UUID, *, reason: str, occurred_at: datetime, actor: str) -> Receipt:
        user = self._get(User, user_id)
        user.deactivate(reason=reason, occurred_at=occurred_at, actor=actor)
        return self._save(user)

    def reactivate_user(self, user_id: UUID, *, occurred_at: datetime, actor: str) -> Receipt:
        user = self._get(User, user_id)
        user.reactivate(occurred_at=occurred_at, actor=actor)
        return self._save(user)

    def get_user(self, user_id: UUID) -> User:
        return self._get(User, user_id)

    def register_product(self, *, name: str, series: str | None, list_price: Decimal | int | str,
                         occurred_at: datetime, actor: str) -> Receipt:
        return self._save(Product.register(name=name, series=series, list_price=list_price,
                                           occurred_at=occurred_at, actor=actor))

    def change_product_price(self, product_id: UUID, *, list_price: Decimal | int | str,
                             occurred_at: datetime, actor: str) -> Receipt:
        product = self._get(Product, product_id)
        if not product.change_price(list_price=list_price, occurred_at=occurred_at, actor=actor):
            return self._unchanged(product)
        return self._save(product)

    def get_product(self, product_id: UUID) -> Product:
        return self._get(Product, product_id)

    def define_sla_policy(
        self, *, name: str, position: int, conditions: dict[str, Any] | None, targets: dict[str, Any],
        calendar: dict[str, Any], id: UUID | None = None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        return self._save(SlaPolicy.define(id=id or uuid4(), name=name, position=position, conditions=conditions,
                                           targets=targets, calendar=calendar, occurred_at=occurred_at, actor=actor))

    def revise_sla_policy(
        self, policy_id: UUID, *, name: str, position: int, conditions: dict[str, Any] | None,
        targets: dict[str, Any], calendar: dict[str, Any], expected_version: int | None = None,
        occurred_at: datetime, actor: str,
    ) -> Receipt:
        policy = self._get(SlaPolicy, policy_id, expected_version)
        policy.revise(name=name, position=position, conditions=conditions, targets=targets, calendar=calendar,
                      occurred_at=occurred_at, actor=actor)
        return self._save(policy)

    def get_sla_policy(self, policy_id: UUID) -> SlaPolicy:
        return self._get(SlaPolicy, policy_id)
