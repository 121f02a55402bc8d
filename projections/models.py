"""Mapped classes over the read-model tables, for lists that browse them (the admin panel).

The tables stay defined by their projections (``projections/views``); these classes only map
them, so SQLAlchemy ORM tools (Flask-Admin's sqla views) can search, filter, sort and page
them. Read-only: the rows belong to the projections, and every change is a domain command,
so a ``ReadOnlySession`` refuses to flush anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import DeclarativeBase, Session, foreign, relationship

from projections.schema import metadata
from projections.views.cases import cases
from projections.views.customer360 import customers
from projections.views.deals import deals
from projections.views.directory import pipeline, products, users
from projections.views.outbox import outbox
from projections.views.promises import promises
from projections.views.sla import sla_targets
from projections.views.touchpoints import touchpoints


class ReadModelWriteError(RuntimeError):
    """Something tried to write a read model through the ORM; issue a domain command instead."""


class ReadOnlySession(Session):
    """A session over read models: querying works, flushing any change fails."""

    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadModelWriteError("read models are written by projections only; issue a command")
        super().flush(objects)


class ReadModel(DeclarativeBase):
    metadata = metadata

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self, 'id', '')}>"


class Customer(ReadModel):
    __table__ = customers

    def __str__(self) -> str:
        return str(self.name)


class User(ReadModel):
    __table__ = users

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Product(ReadModel):
    __table__ = products

    def __str__(self) -> str:
        return str(self.name)


class Stages(ReadModel):
    """The pipeline's open stages (one row, ``default``)."""

    __table__ = pipeline


class Touchpoint(ReadModel):
    __table__ = touchpoints
    customer = relationship(Customer, primaryjoin=lambda: foreign(Touchpoint.customer_id) == Customer.id,
                            viewonly=True)

    def __str__(self) -> str:
        return f"{self.channel}: {self.subject}"


class Case(ReadModel):
    __table__ = cases
    customer = relationship(Customer, primaryjoin=lambda: foreign(Case.customer_id) == Customer.id, viewonly=True)

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.subject}"


class Promise(ReadModel):
    __table__ = promises
    customer = relationship(Customer, primaryjoin=lambda: foreign(Promise.customer_id) == Customer.id,
                            viewonly=True)
    case = relationship(Case, primaryjoin=lambda: foreign(Promise.case_id) == Case.id, viewonly=True)

    def __str__(self) -> str:
        return str(self.what)


class Deal(ReadModel):
    __table__ = deals
    customer = relationship(Customer, primaryjoin=lambda: foreign(Deal.customer_id) == Customer.id, viewonly=True)
    product = relationship(Product, primaryjoin=lambda: foreign(Deal.product_id) == Product.id, viewonly=True)

    def __str__(self) -> str:
        return str(self.title)


class SlaTarget(ReadModel):
    """One SLA target of one case and cycle (first response, next response, resolution)."""

    __table__ = sla_targets
    case = relationship(Case, primaryjoin=lambda: foreign(SlaTarget.case_id) == Case.id, viewonly=True)

    def __str__(self) -> str:
        return f"{self.target} #{self.cycle}"


class OutboxMessage(ReadModel):
    """One outbound message (email, SMS...) and its delivery state."""

    __table__ = outbox
    customer = relationship(Customer, primaryjoin=lambda: foreign(OutboxMessage.customer_id) == Customer.id,
                            viewonly=True)

    def __str__(self) -> str:
        return str(self.subject)
