"""The callback request command: a customer books a place in a callback slot.

The slot's booking, the callback promise and the touchpoint that asked for it are saved in one
transaction. Two requests for the last place both load the slot at the same version; the event
store accepts only the first save, and the second reloads the slot, counts again and is refused
(``SlotFullError``). Repeating a request with the same promise id returns the first one's receipt.
A customer who asks for the first time is registered in the same transaction: a refused request
registers nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.customers.commands import CustomerCommands
from domain.errors import AlreadyExistsError, ConflictError, NotFoundError
from domain.promises.model import Promise
from domain.promises.slots import CallbackSlot, slot_id
from domain.service import Receipt
from domain.touchpoints.model import Touchpoint

ATTEMPTS = 5  # saves that lost a race are retried on the reloaded slot this often

# Given the promise ids booked into a slot so far, how many places they still hold.
HeldCount = Callable[[Sequence[UUID]], int]


class CallbackCommands(CustomerCommands):
    def request_callback(
        self, *, id: UUID, customer_id: UUID, starts_at: datetime, capacity: int, held: HeldCount, what: str,
        owner: str, contact_point: str | None, touchpoint: dict[str, Any], occurred_at: datetime, actor: str,
        register: dict[str, Any] | None = None, timezone: str | None = None, reply_to: str | None = None,
    ) -> Receipt:
        """Book the callback promise ``id`` into the slot starting at ``starts_at``; the receipt is
        the promise's. ``touchpoint``: channel, direction, kind, subject, summary of the request.
        ``register``: name and contact points to register ``customer_id`` with if it is new.
        ``timezone``: the zone the booking page showed the times in (the confirmation uses it);
        ``reply_to``: the address the booking was made with (the confirmation goes to it)."""
        occurred_at, actor = Promise.checked_when(occurred_at, actor)
        for _ in range(ATTEMPTS):
            if self._exists(id):
                return self._existing(id)
            # Asked on each attempt: a concurrent request may have registered the customer meanwhile.
            new = [c for c in [self.new_customer(customer_id, register, occurred_at=occurred_at, actor=actor)] if c]
            # Built afresh each time: a failed save has used up the pending events.
            promise = Promise.make(id=id, customer_id=customer_id, what=what, due_at=starts_at, owner=owner,
                                   channel="phone", promise_kind="callback", contact_point=contact_point,
                                   timezone=timezone, reply_to=reply_to, occurred_at=occurred_at, actor=actor)
            record = Touchpoint.record(customer_id=customer_id, promise_id=id, contact_point=contact_point,
                                       occurred_at=occurred_at, actor=actor, **touchpoint)
            slot = self._slot(starts_at, occurred_at, actor)
            slot.book(promise_id=id, taken=held(tuple(slot.bookings)), capacity=capacity,
                      occurred_at=occurred_at, actor=actor)
            try:
                saved = self._save(slot, promise, record, first=new)
            except (AlreadyExistsError, ConflictError):
                continue  # another request changed the slot (or registered the customer) first: again
            return Receipt(promise.id, promise.version, saved.position)
        raise ConflictError(CallbackSlot.kind, starts_at.isoformat(), slot_id(starts_at))

    def _slot(self, starts_at: datetime, occurred_at: datetime, actor: str) -> CallbackSlot:
        try:
            return self._get(CallbackSlot, slot_id(starts_at))
        except NotFoundError:
            return CallbackSlot(id=slot_id(starts_at), starts_at=starts_at, occurred_at=occurred_at, actor=actor)

    def _existing(self, promise_id: UUID) -> Receipt:
        promise = self._get(Promise, promise_id)
        return Receipt(promise.id, promise.version, None)

    def get_callback_slot(self, starts_at: datetime) -> CallbackSlot | None:
        try:
            return self._get(CallbackSlot, slot_id(starts_at))
        except NotFoundError:
            return None
