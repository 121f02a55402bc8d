"""Mapped classes over the read-model tables, for lists that browse them (the admin panel).

The tables stay defined by their projections (``projections/views``); these classes only map
them, so SQLAlchemy ORM tools (Flask-Admin's sqla views) can search, filter, sort and page
them. Read-only: the rows belong to the projections, and every change is a domain command,
so a ``ReadOnlySession`` refuses to flush anything.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import (
    DeclarativeBase,
    Session,
    column_property,
    foreign,
    relationship,
    synonym,
)

from domain.cases.model import PRIORITIES
from projections.api_state import api_token_uses
from projections.schema import metadata
from projections.views.cases import cases
from projections.views.customer360 import NAME_KEY, customers
from projections.views.deals import deals
from projections.views.directory import pipeline, products, users
from projections.views.knowledge import knowledge_articles
from projections.views.message_templates import message_templates
from projections.views.outbox import outbox
from projections.views.promises import promises
from projections.views.sla import sla_policies, sla_policy_versions, sla_targets
from projections.views.tokens import api_tokens
from projections.views.touchpoints import touchpoints
from projections.views.webhooks import webhook_subscriptions
from projections.webhook_state import webhook_cursors


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
    name_key = column_property(NAME_KEY.element)  # names sort regardless of case (its index: customer360)

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
    # Priorities sort by urgency, not by name (low < normal < high < urgent).
    priority_rank = column_property(sa.case({p: i for i, p in enumerate(PRIORITIES)}, value=cases.c.priority,
                                            else_=-1))

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


class SlaPolicy(ReadModel):
    """An SLA policy as it stands (its terms now; every version in ``SlaPolicyVersion``)."""

    __table__ = sla_policies
    id = synonym("policy_id")  # the panel's lists name every record's key ``id``

    def __str__(self) -> str:
        return str(self.name)


class SlaPolicyVersion(ReadModel):
    """The terms of one version of an SLA policy, which cases name."""

    __table__ = sla_policy_versions

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ApiToken(ReadModel):
    """An API token (never its hash); ``last_used_at`` from the API's own bookkeeping table."""

    __table__ = api_tokens
    last_used_at = column_property(sa.select(api_token_uses.c.last_used_at)
                                   .where(api_token_uses.c.token_id == api_tokens.c.id)
                                   .correlate_except(api_token_uses).scalar_subquery())

    def __str__(self) -> str:
        return str(self.name)


class KnowledgeArticle(ReadModel):
    """A knowledge article as it stands (draft, published or retired)."""

    __table__ = knowledge_articles

    def __str__(self) -> str:
        return str(self.title)


class MessageTemplate(ReadModel):
    """A message template an admin stored for one purpose."""

    __table__ = message_templates

    def __str__(self) -> str:
        return str(self.purpose)


def _cursor_column(column: sa.Column[Any]) -> Any:
    return column_property(sa.select(column).where(webhook_cursors.c.subscription_id == webhook_subscriptions.c.id)
                           .correlate_except(webhook_cursors).scalar_subquery())


class WebhookSubscription(ReadModel):
    """A webhook subscription (never its secret) and, from the sender's bookkeeping, its progress."""

    __table__ = webhook_subscriptions
    delivered_to = _cursor_column(webhook_cursors.c.position)
    failures = _cursor_column(webhook_cursors.c.failures)
    last_error = _cursor_column(webhook_cursors.c.last_error)
    next_attempt_at = _cursor_column(webhook_cursors.c.next_attempt_at)
    last_attempt_at = _cursor_column(webhook_cursors.c.last_attempt_at)

    def __str__(self) -> str:
        return str(self.url)
