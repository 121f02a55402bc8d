"""The Customer aggregate: a person or company, their contact points, segment and consent."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import ERASED, mark_erasure, mark_personal
from domain.upcasting import upcaster
from domain.values import (
    digits_of,
    email_address,
    name_text,
    one_of,
    phone_number,
    text,
)

CUSTOMER_KINDS = ("person", "company")
CONTACT_KINDS = ("email", "phone", "mobile", "address", "messenger", "social", "website")
CONSENT_PURPOSES = ("marketing", "surveys", "service_messages")
# Sent unless the customer withdrew (a survey follows a request they made); the others only once given.
OPT_OUT_PURPOSES = frozenset({"surveys"})
MAX_MERGE_DEPTH = 20  # a chain of merges deeper than this is not followed further


class CustomerMergedError(DomainError):
    """The customer was merged into another one; act on the survivor instead."""


class CustomerErasedError(DomainError):
    """The customer's personal data was erased already."""


def customer_id_for(source: str, key: str) -> UUID:
    """Deterministic id of a customer known by ``key`` in an external ``source`` (imports)."""
    return uuid5(NAMESPACE_URL, f"/customers/{source}/{key.strip().lower()}")


def imported_customer_id(source: str, external_id: str) -> UUID:
    """The id of a customer imported from ``source`` (a CSV import) under ``external_id``, kept as
    the source wrote it: Salesforce's 15-character ids differ only by letter case."""
    return uuid5(NAMESPACE_URL, f"/imported-customers/{source.strip().lower()}/{external_id.strip()}")


def email_customer_id(address: str) -> UUID:
    """The id of the customer a new email address becomes (by mail or a public form): derived
    from the address, so first contacts from it, however close together, register one customer."""
    return customer_id_for("email", address)


def returned_customer_id(erased_id: UUID) -> UUID:
    """The id of the customer a person becomes who writes again after their data was erased
    (derived, so their first contacts agree on one customer, as ``email_customer_id``)."""
    return uuid5(NAMESPACE_URL, f"/customers/{erased_id}/returned")


def forgotten_digest(address: str) -> str:
    """What an erasure keeps of an email address: a one-way digest (a suppression list), so that an
    import of an old export recognises someone who asked to be forgotten while nobody can read the
    address back from it."""
    return hashlib.sha256(f"touchline:forgotten:{address.strip().lower()}".encode()).hexdigest()


def clean_contact_points(value: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Validate and normalise contact points: ``[{"kind": "email", "value": "..."}]``."""
    cleaned: list[dict[str, str]] = []
    for i, point in enumerate(value or []):
        field = f"contact_points[{i}]"
        if not isinstance(point, dict):
            raise InvalidValueError(field, "must be an object with kind and value")
        kind = one_of(f"{field}.kind", point.get("kind", ""), CONTACT_KINDS)
        raw = text(f"{field}.value", point.get("value"), max_length=500)
        if kind == "email":
            raw = email_address(f"{field}.value", raw)
        elif kind in ("phone", "mobile"):
            raw = phone_number(f"{field}.value", raw)
        cleaned.append({"kind": kind, "value": raw})
    return cleaned


def _same_point(point: dict[str, str]) -> tuple[str, str]:
    """What makes two contact points one: phone numbers compare by digits ("+1 617 555 0185" and
    "+1 (617) 555-0185"), mobile and phone alike; other values case aside."""
    kind, value = point["kind"], point["value"]
    if kind in ("phone", "mobile"):
        return "phone", digits_of(value)
    return kind, value.strip().lower()


def new_contact_points(known: list[dict[str, str]], offered: list[dict[str, str]]) -> list[dict[str, str]]:
    """The points of ``offered`` that ``known`` lacks, in their order, each once (erased ones are
    nobody's to take)."""
    seen = {_same_point(p) for p in known}
    found = []
    for point in offered:
        if point["value"] != ERASED and (key := _same_point(point)) not in seen:
            seen.add(key)
            found.append(point)
    return found


def clean_segment(value: dict[str, Any] | None) -> dict[str, str]:
    """Segment attributes (sector, size, location...) as a flat map of strings, names and values up
    to 50 characters each (reports group by them; the API says so too)."""
    cleaned: dict[str, str] = {}
    for key, raw in (value or {}).items():
        name = text("segment", str(key), max_length=50)
        if raw is not None and str(raw).strip():
            cleaned[name] = text(name, str(raw), max_length=50)
    return cleaned


class Customer(Entity):
    kind = "Customer"

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        customer_kind: str,
        name: str,
        contact_points: list[dict[str, str]] | None = None,
        segment: dict[str, Any] | None = None,
        external_ref: str | None = None,
        occurred_at: datetime,
        actor: str,
    ) -> Customer:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        return cls(
            id=id,
            customer_kind=one_of("kind", customer_kind, CUSTOMER_KINDS),
            name=name_text("name", name, max_length=300),
            contact_points=clean_contact_points(contact_points),
            segment=clean_segment(segment),
            external_ref=external_ref,
            occurred_at=occurred_at,
            actor=actor,
        )

    @event("Registered")
    def __init__(
        self,
        *,
        id: UUID,
        customer_kind: str,
        name: str,
        contact_points: list[dict[str, str]],
        segment: dict[str, str],
        external_ref: str | None,
        occurred_at: datetime,
        actor: str,
    ) -> None:
        self.customer_kind = customer_kind
        self.name = name
        self.contact_points = contact_points
        self.segment = segment if isinstance(segment, dict) else {}  # "[erased]" once erased
        self.external_ref = external_ref
        self.consents: dict[str, bool] = {}
        self.merged_into: UUID | None = None
        self.absorbed: list[UUID] = []
        self.win_back_offers: list[dict[str, Any]] = []  # {"number", "coupon", "message_id", "at"}
        self.linked_refs: list[str] = []  # other systems' ids for them, found later (``link_external_ref``)
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.name

    def check_not_erased(self) -> None:
        if self.erased:
            raise CustomerErasedError(f"customer {self.id} was erased: nothing about them is recorded any more")

    def check_not_merged(self) -> None:
        if self.merged_into is not None:
            raise CustomerMergedError(f"customer {self.name} was merged into {self.merged_into}")

    def change_details(
        self,
        *,
        name: str | None = None,
        contact_points: list[dict[str, str]] | None = None,
        segment: dict[str, Any] | None = None,
        occurred_at: datetime,
        actor: str,
    ) -> bool:
        """Record what changed; returns False (and records nothing) when nothing did."""
        self.check_not_merged()
        self.check_not_erased()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        new_name = None if name is None else name_text("name", name, max_length=300)
        new_points = None if contact_points is None else clean_contact_points(contact_points)
        new_segment = None if segment is None else clean_segment(segment)
        if new_name == self.name:
            new_name = None
        if new_points == self.contact_points:
            new_points = None
        if new_segment == self.segment:
            new_segment = None
        if new_name is None and new_points is None and new_segment is None:
            return False
        self._details_changed(
            name=new_name, contact_points=new_points, segment=new_segment,
            occurred_at=occurred_at, actor=actor,
        )
        return True

    @event("DetailsChanged")
    def _details_changed(
        self,
        name: str | None,
        contact_points: list[dict[str, str]] | None,
        segment: dict[str, str] | None,
        occurred_at: datetime,
        actor: str,
    ) -> None:
        if name is not None:
            self.name = name
        if contact_points is not None:
            self.contact_points = contact_points
        if segment is not None:
            self.segment = segment if isinstance(segment, dict) else {}
        self.last_occurred_at = occurred_at

    def link_external_ref(self, *, external_ref: str, occurred_at: datetime, actor: str) -> bool:
        """Record that another system knows this customer as ``external_ref`` (``zendesk:4711``:
        an import found them by their address); False, and nothing recorded, when known already."""
        self.check_not_merged()
        self.check_not_erased()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        ref = name_text("external_ref", external_ref, max_length=200)
        if ref == self.external_ref or ref in self.linked_refs:
            return False
        self._external_ref_linked(external_ref=ref, occurred_at=occurred_at, actor=actor)
        return True

    @event("ExternalRefLinked")
    def _external_ref_linked(self, external_ref: str, occurred_at: datetime, actor: str) -> None:
        self.linked_refs.append(external_ref)
        self.last_occurred_at = occurred_at

    def give_consent(self, *, purpose: str, occurred_at: datetime, actor: str) -> None:
        self.check_not_merged()
        self.check_not_erased()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._consent_given(purpose=one_of("purpose", purpose, CONSENT_PURPOSES),
                            occurred_at=occurred_at, actor=actor)

    @event("ConsentGiven")
    def _consent_given(self, purpose: str, occurred_at: datetime, actor: str) -> None:
        self.consents[purpose] = True
        self.last_occurred_at = occurred_at

    def withdraw_consent(self, *, purpose: str, occurred_at: datetime, actor: str) -> bool:
        """Record the withdrawal; False (nothing recorded) for an erased customer: we send them nothing."""
        occurred_at, actor = self.checked_when(occurred_at, actor)
        purpose = one_of("purpose", purpose, CONSENT_PURPOSES)
        if self.erased:
            return False
        self._consent_withdrawn(purpose=purpose, occurred_at=occurred_at, actor=actor)
        return True

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, purpose: str, occurred_at: datetime, actor: str) -> None:
        self.consents[purpose] = False
        self.last_occurred_at = occurred_at

    def merge_into(self, survivor: Customer, *, occurred_at: datetime, actor: str) -> None:
        """Merge this duplicate into ``survivor``; both histories are kept. The survivor takes
        the duplicate's contact points it lacks (as Zendesk's merge does), so replies, lookups
        and follow-ups reach the person at every address either record knew."""
        if survivor.id == self.id:
            raise InvalidValueError("survivor_id", "a customer cannot be merged into itself")
        self.check_not_merged()
        survivor.check_not_merged()
        # An erased record is a tombstone: a person who writes again after erasure is a new customer
        # (``returned_customer_id``), and erasure reaches the members a merge had when it ran.
        if survivor.erased:
            raise InvalidValueError("survivor_id", f"customer {survivor.id} was erased: nothing can be merged into it")
        if self.erased:
            raise CustomerErasedError(f"customer {self.id} was erased: nothing of it is left to merge")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._merged_into(survivor_id=survivor.id, occurred_at=occurred_at, actor=actor)
        survivor._absorbed(duplicate_id=self.id, occurred_at=occurred_at, actor=actor)
        taken = new_contact_points(survivor.contact_points, self.contact_points)
        if taken:
            survivor._details_changed(name=None, contact_points=[*survivor.contact_points, *taken], segment=None,
                                      occurred_at=occurred_at, actor=actor)
        # A withdrawal is the person's: it holds for the survivor too (a consent given is not taken).
        for purpose, given in self.consents.items():
            if given is False and survivor.consents.get(purpose) is not False:
                survivor._consent_withdrawn(purpose=purpose, occurred_at=occurred_at, actor=actor)

    @event("MergedInto")
    def _merged_into(self, survivor_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.merged_into = survivor_id
        self.last_occurred_at = occurred_at

    @event("Absorbed")
    def _absorbed(self, duplicate_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.absorbed.append(duplicate_id)
        self.last_occurred_at = occurred_at

    def has_consented(self, purpose: str) -> bool:
        return self.consents.get(purpose, False)

    def may_send(self, purpose: str) -> bool:
        """Whether we may send them messages of ``purpose``: what the scheduler does and the
        consent page shows (surveys unless withdrawn, offers only once given)."""
        given = self.consents.get(purpose)
        return given is not False if purpose in OPT_OUT_PURPOSES else given is True

    def offer_win_back(self, *, number: int, coupon: str, message_id: str, not_within: timedelta,
                       occurred_at: datetime, actor: str) -> bool:
        """Record win-back offer ``number`` (1, 2...: the next one) with its coupon. False, and
        nothing recorded, when that offer exists already, the customer has not consented to
        marketing (or withdrew), was merged or erased, or had an offer less than ``not_within`` ago."""
        occurred_at, actor = self.checked_when(occurred_at, actor)
        last = self.win_back_offers[-1]["at"] if self.win_back_offers else None
        gone = self.merged_into is not None or getattr(self, "erased", False)
        too_soon = last is not None and occurred_at - last < not_within
        if number != len(self.win_back_offers) + 1 or not self.has_consented("marketing") or gone or too_soon:
            return False
        self._win_back_offered(number=number, coupon=text("coupon", coupon, max_length=40),
                               message_id=text("message_id", message_id, max_length=300),
                               occurred_at=occurred_at, actor=actor)
        return True

    @event("WinBackOffered")
    def _win_back_offered(self, number: int, coupon: str, message_id: str, occurred_at: datetime, actor: str) -> None:
        self.win_back_offers.append({"number": number, "coupon": coupon, "message_id": message_id, "at": occurred_at})
        self.last_occurred_at = occurred_at


    # Erasure (GDPR): the key of this customer's personal data is destroyed in the same
    # transaction as ``Erased`` (projections.crypto); the event itself holds no personal data.
    erased: bool = False

    def erase(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        if self.erased:
            raise CustomerErasedError(f"customer {self.id} was erased already")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        forgotten = sorted({forgotten_digest(p["value"]) for p in self.contact_points
                            if p["kind"] == "email" and p["value"] != ERASED})
        self._erased(reason=text("reason", reason, max_length=1000), forgotten=forgotten, occurred_at=occurred_at,
                     actor=actor)

    @event("Erased")
    def _erased(self, reason: str, forgotten: list[str], occurred_at: datetime, actor: str) -> None:
        self.erased = True
        self.last_occurred_at = occurred_at


# A segment may hold anything an import brought (a city, an employer, a birthday), and another
# system's id names the person there: both are erased with the customer.
mark_personal(Customer.Registered, "name", "contact_points[].value", "segment", "external_ref", subject="originator_id")
mark_personal(Customer.DetailsChanged, "name", "contact_points[].value", "segment", subject="originator_id")
mark_personal(Customer.ExternalRefLinked, "external_ref", subject="originator_id")
mark_erasure(Customer.Erased)


@upcaster(Customer.Erased, from_version=1)
def _erased_v1_v2(state: dict[str, Any]) -> None:
    state["forgotten"] = []  # erased before digests were kept: an import cannot recognise them
