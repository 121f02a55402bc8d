"""Customer commands of the Application."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.customers.model import (
    MAX_MERGE_DEPTH,
    Customer,
    CustomerErasedError,
    email_customer_id,
    returned_customer_id,
)
from domain.errors import InvalidValueError, NotFoundError
from domain.service import Receipt, Service


class CustomerCommands(Service):
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        # Customers are never deleted (erasure keeps the aggregate), so a positive existence
        # check can be remembered; it keeps the touchpoint hot path to a single write.
        self._known_customers: set[UUID] = set()
        # Whether a customer's personal data was erased, as storage knows it (its destroyed keys):
        # set where the storage is wired (web.services); without one, nobody is.
        self.is_erased: Callable[[UUID], bool] = lambda _customer_id: False

    def register_customer(
        self, *, name: str, kind: str = "person", contact_points: list[dict[str, str]] | None = None,
        segment: dict[str, Any] | None = None, external_ref: str | None = None, id: UUID | None = None,
        occurred_at: datetime, actor: str,
    ) -> Receipt:
        customer = Customer.register(
            id=id or uuid4(), customer_kind=kind, name=name, contact_points=contact_points,
            segment=segment, external_ref=external_ref, occurred_at=occurred_at, actor=actor,
        )
        return self._save(customer)

    def customer_id_for_email(self, address: str, found: UUID | None) -> UUID:
        """Who writes from ``address``: ``found`` (the read model's customer with it), else the
        customer this address became before (``email_customer_id``), followed to the survivor if
        merged (the read model may not have seen the merge yet). A new customer gets this id."""
        customer_id = found or email_customer_id(address)
        while self._exists(customer_id):
            customer_id = self.survivor(customer_id)
            if not self._get(Customer, customer_id).erased:
                return customer_id
            customer_id = returned_customer_id(customer_id)  # erased, and back: a new customer
        return customer_id

    def survivor(self, customer_id: UUID) -> UUID:
        """The customer ``customer_id`` is now: itself, or the one it was merged into (followed)."""
        while (merged_into := self._get(Customer, customer_id).merged_into) is not None:  # merges never cycle
            customer_id = merged_into
        return customer_id

    def change_customer_details(
        self, customer_id: UUID, *, name: str | None = None, contact_points: list[dict[str, str]] | None = None,
        segment: dict[str, Any] | None = None, expected_version: int | None = None,
        occurred_at: datetime, actor: str,
    ) -> Receipt:
        customer = self._get(Customer, customer_id, expected_version)
        if not customer.change_details(name=name, contact_points=contact_points, segment=segment,
                                       occurred_at=occurred_at, actor=actor):
            return self._unchanged(customer)
        return self._save(customer)

    def give_consent(self, customer_id: UUID, *, purpose: str, occurred_at: datetime, actor: str) -> Receipt:
        customer = self._get(Customer, customer_id)
        customer.give_consent(purpose=purpose, occurred_at=occurred_at, actor=actor)
        return self._save(customer)

    def withdraw_consent(self, customer_id: UUID, *, purpose: str, occurred_at: datetime, actor: str) -> Receipt:
        """Recorded on the customer ``customer_id`` is now (a link from before a merge names the
        duplicate: the withdrawal is the person's, and the survivor is whom we write to)."""
        customer = self._get(Customer, self.survivor(customer_id))
        if not customer.withdraw_consent(purpose=purpose, occurred_at=occurred_at, actor=actor):
            return self._unchanged(customer)
        return self._save(customer)

    def merge_customers(
        self, duplicate_id: UUID, *, survivor_id: UUID, expected_version: int | None = None, occurred_at: datetime,
        actor: str,
    ) -> Receipt:
        """Merge a duplicate (at ``expected_version``, when given) into the survivor: one
        transaction, both histories kept. An unknown survivor is an error on ``survivor_id``."""
        duplicate = self._get(Customer, duplicate_id, expected_version)
        try:
            survivor = self._get(Customer, survivor_id)
        except NotFoundError:
            raise InvalidValueError("survivor_id", f"no customer {survivor_id}") from None
        duplicate.merge_into(survivor, occurred_at=occurred_at, actor=actor)
        saved = self._save(duplicate, survivor)
        # The position of this save, not the log's head (another writer may be past it already).
        return Receipt(survivor.id, survivor.version, saved.position)

    def erase_customer(self, customer_id: UUID, *, reason: str, occurred_at: datetime, actor: str) -> Receipt:
        """GDPR erasure of one person: an ``Erased`` event on every customer merged with this one
        (the survivor it was merged into, and every duplicate merged into that, however many merges
        deep), in one transaction that also destroys their data keys (storage does that, see
        projections.crypto); every personal field about them reads as erased after. The receipt is
        the survivor's. ``CustomerErasedError`` when all of them were erased already."""
        survivor = self._get(Customer, self.survivor(customer_id))  # the record that took the others in
        members, frontier = [survivor], [survivor]
        for _ in range(MAX_MERGE_DEPTH):
            frontier = [self._get(Customer, i) for c in frontier for i in c.absorbed]
            if not frontier:
                break
            members += frontier
        living = [m for m in members if not m.erased]
        if not living:
            raise CustomerErasedError(f"customer {customer_id} was erased already")
        for member in living:
            member.erase(reason=reason, occurred_at=occurred_at, actor=actor)
        saved = self._save(*living)
        return Receipt(survivor.id, survivor.version, saved.position)

    def get_customer(self, customer_id: UUID, *, version: int | None = None) -> Customer:
        return self._get(Customer, customer_id, version=version)

    def new_customer(self, customer_id: UUID, register: Mapping[str, Any] | None, *, occurred_at: datetime,
                     actor: str) -> Customer | None:
        """For a command that saves a first contact with whoever it names: None when
        ``customer_id`` is a customer already, else that person registered now with ``register``
        (name, contact points), unsaved, to be saved in the command's transaction so that a
        refused command registers nobody. NotFoundError when new and ``register`` is None."""
        try:
            self.check_customer_exists(customer_id)  # remembered: no read for a customer seen before
            return None
        except NotFoundError:
            if register is None or self._exists(customer_id):  # or the id is another kind of record's
                raise
        return Customer.register(id=customer_id, customer_kind="person", occurred_at=occurred_at, actor=actor,
                                 **register)

    def check_customer_exists(self, customer_id: UUID) -> None:
        """A customer (not any record: a case's or a webhook's id would pass a bare existence check,
        and personal data sealed under that id would follow that record's key), whose data was not
        erased: what a new record says about them would be thrown away (``CustomerErasedError``)."""
        if customer_id not in self._known_customers:
            first = next(iter(self.events.get(customer_id, lte=Customer.INITIAL_VERSION)), None)
            if not isinstance(first, Customer.Event):
                raise NotFoundError(Customer.kind, customer_id)
            self._known_customers.add(customer_id)
        if self.is_erased(customer_id):
            raise CustomerErasedError(f"customer {customer_id}'s personal data was erased: nothing new can be "
                                      "recorded about them; register them again as a new customer")
