"""Who a notice goes to: customers' contact points and staff from the read models, looked up
for a whole page of due work at once, and the delivery channel a customer is reached on."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from domain.personal import ERASED
from domain.users.model import user_ref
from projections.views.customer360 import customers
from projections.views.directory import users

# Where a promise's or case's channel is answered: the delivery channels the outbox has.
ROUTES = {"email": "email", "web_form": "email", "visit": "email", "sms": "sms", "phone": "sms", "callback": "sms",
          "messenger": "messenger", "chat": "messenger", "social": "messenger"}
CONTACT_KINDS = {"email": ("email",), "sms": ("mobile", "phone"), "messenger": ("messenger", "social")}


@dataclass(frozen=True)
class Person:
    """A member of staff as notices need them."""

    ref: str  # "user:<id>", as owners and assignees are recorded
    name: str
    email: str
    manager_ref: str | None
    zone: str | None = None  # their time zone preference (None: the installation's)


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    contact_points: list[dict[str, str]]


def _kind_of(contact_point: str) -> str:
    """Which delivery channel a free-text contact point is: an address, a number or a handle."""
    if "@" in contact_point and "." in contact_point.rpartition("@")[2]:
        return "email"
    if contact_point.lstrip("+").replace(" ", "").replace("-", "").isdigit():
        return "sms"
    return "messenger"


def route(channel: str, customer: Customer | None, contact_point: str | None = None,
          deliverable: Collection[str] | None = None) -> tuple[str, str | None]:
    """The delivery channel and recipient for reaching a customer about something on ``channel``:
    the contact point given if it fits, else the customer's own of that kind, else email,
    else (channel, None): nobody to send to (the message then gives up, visibly). An erased
    contact point is nobody: the person's data is gone, and so is any way to reach them.
    ``deliverable``: the channels with a sender configured; another one is passed over for email
    (an SMS with no gateway would wait for ever while the customer has an address)."""
    wanted = ROUTES.get(channel, "email")
    if deliverable is not None and wanted not in deliverable:
        wanted = "email"
    if contact_point == ERASED:
        contact_point = None
    if contact_point and _kind_of(contact_point) == wanted:
        return wanted, contact_point
    points = [p for p in customer.contact_points if p.get("value") != ERASED] if customer else []
    for delivery in (wanted, "email"):
        for point in points:
            if point.get("kind") in CONTACT_KINDS[delivery]:
                return delivery, point["value"]
    if contact_point:
        return _kind_of(contact_point), contact_point
    return wanted, None


def _user_id(ref: str | None) -> str | None:
    return ref[5:] if ref and ref.startswith("user:") else None


class Directory:
    """People and customers looked up in batches; unknown references come back as None."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.people: dict[str, Person | None] = {}
        self.customers: dict[str, Customer | None] = {}

    def load(self, *, refs: Iterable[str | None] = (), customer_ids: Iterable[Any] = ()) -> None:
        """Read the named staff (and their managers) and customers not read before."""
        wanted = {i for r in refs if (i := _user_id(r)) and user_ref(i) not in self.people}
        for _ in range(2):  # the people, then their managers
            if not wanted:
                break
            found = self.conn.execute(sa.select(users.c.id, users.c.name, users.c.email, users.c.manager_id,
                                                users.c.timezone)
                                      .where(users.c.id.in_(sorted(wanted)), users.c.active.is_(True)))
            for row in found:
                manager = user_ref(row.manager_id) if row.manager_id else None
                self.people[user_ref(row.id)] = Person(user_ref(row.id), row.name, row.email, manager, row.timezone)
            for user_id in wanted:
                self.people.setdefault(user_ref(user_id), None)
            wanted = {i for p in self.people.values() if p and (i := _user_id(p.manager_ref))
                      and user_ref(i) not in self.people}
        ids = {str(c) for c in customer_ids if c and str(c) not in self.customers}
        if ids:
            query = sa.select(customers.c.id, customers.c.name, customers.c.contact_points).where(
                customers.c.id.in_(sorted(ids)))
            for row in self.conn.execute(query):
                self.customers[row.id] = Customer(row.id, row.name, list(row.contact_points or []))
            for customer_id in ids:
                self.customers.setdefault(customer_id, None)

    def person(self, ref: str | None) -> Person | None:
        return self.people.get(ref) if ref else None

    def manager_of(self, ref: str | None) -> Person | None:
        person = self.person(ref)
        return self.person(person.manager_ref) if person else None

    def customer(self, customer_id: Any) -> Customer | None:
        return self.customers.get(str(customer_id)) if customer_id else None


def due_pages(views: sa.Engine, page_size: int, scan: Callable[[Any], sa.Select[Any]],
              key: Callable[[Any], tuple[Any, ...]], *, staff: Callable[[Any], str | None] = lambda row: None,
              ) -> Iterator[tuple[Sequence[Any], Directory]]:
    """A scheduler scan a page at a time: ``scan(after)`` selects up to ``page_size`` rows past
    the keyset position ``after`` (None first), ``key(row)`` is a row's position; each page
    comes with the customers (``row.customer_id``) and staff (``staff(row)``) it names, read
    in the same transaction. The caller handles a page before the next is read."""
    after = None
    while True:
        with views.connect() as conn:
            rows = conn.execute(scan(after)).all()
            directory = Directory(conn)
            directory.load(refs=[staff(r) for r in rows], customer_ids=[r.customer_id for r in rows])
        yield rows, directory
        if len(rows) < page_size:
            return
        after = key(rows[-1])
