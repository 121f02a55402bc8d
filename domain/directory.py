"""Commands for the reference data: users and products (SLA policies: ``domain.sla.commands``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.errors import NotFoundError
from domain.products.model import Product
from domain.service import Receipt, Service
from domain.users.model import User

STAFF_ROLES = ("admin", "agent")  # those work can be given to (an auditor only reads)


class DirectoryCommands(Service):
    def register_user(
        self, *, email: str, name: str, role: str, team: str | None = None, region: str | None = None,
        manager_id: UUID | None = None, password_hash: str | None = None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        """``password_hash``: an argon2 hash made by the web layer, saved with the registration."""
        if manager_id is not None:
            self._get(User, manager_id)
        user = User.register(email=email, name=name, role=role, team=team, region=region, manager_id=manager_id,
                             occurred_at=occurred_at, actor=actor)
        if password_hash is not None:
            user.set_password(password_hash=password_hash, must_change=False, occurred_at=occurred_at, actor=actor)
        return self._save(user)

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

    def set_user_password(self, user_id: UUID, *, password_hash: str, must_change: bool = False,
                          occurred_at: datetime, actor: str) -> Receipt:
        """``password_hash``: an argon2 hash made by the web layer (never a password)."""
        user = self._get(User, user_id)
        user.set_password(password_hash=password_hash, must_change=must_change, occurred_at=occurred_at, actor=actor)
        return self._save(user)

    def get_user(self, user_id: UUID) -> User:
        return self._get(User, user_id)

    def is_staff(self, ref: str) -> bool:
        """Whether work (a case, a deal, a promise) can be given to ``ref``: ``user:<id>`` of an
        active admin or agent, as the panel and the API name a colleague. Read from the event
        store, so a user created a moment ago counts. (Commands themselves take any reference:
        imports keep their sources' owners, callbacks go to ``team:callbacks``.)"""
        prefix, _, raw = ref.partition(":")
        try:
            user = self._get(User, UUID(raw)) if prefix == "user" else None
        except (ValueError, NotFoundError):
            return False
        return user is not None and user.active and user.role in STAFF_ROLES

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
