"""Personal-data marks (design decision 5) and the fields every event carries, checked on every
event class of every aggregate in ``domain``: a new event or field that forgets them fails here."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from datetime import datetime
from typing import Any

import pytest
from eventsourcing.domain import CanMutateAggregate

import domain
from domain.application import Touchline
from domain.base import Entity
from domain.personal import personal_fields, personal_subject

# Free text and contact data, by field name: the whole name, or one of its words.
PERSONAL_NAME = re.compile(
    r"(^|_)(name|subject|summary|description|body|note|comment|what|evidence|resolution|changes|email|phone"
    r"|address)(_|$)|^contact"
)
# Fields that match the pattern but name things, not people (reviewed one by one).
NOT_PERSONAL = {
    ("Product.Registered", "name"),  # a product's name
    ("SlaPolicy.Defined", "name"),  # a policy's name, chosen by admins
    ("SlaPolicy.Revised", "name"),
    ("ApiToken.Created", "name"),  # an integration's name, chosen by admins
    ("ApiTokenName.Claimed", "name"),
    ("AuditRead.Recorded", "subject"),  # the id of the record read, or "export"
    *{(f"MessageTemplate.{e}", f) for e in ("Defined", "Revised") for f in ("subject", "body")},  # admins' text
    *{(f"KnowledgeArticle.{e}", "body") for e in ("Drafted", "Revised")},  # a public help article's text
}
LIBRARY_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def aggregate_classes() -> list[type[Entity]]:
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)  # every model module runs its mark_personal lines
    found: list[type[Entity]] = []
    pending = list(Entity.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("domain."):
            found.append(cls)
    return sorted(found, key=lambda c: c.__qualname__)


def event_classes() -> list[type[Any]]:
    """Every event class an aggregate in ``domain`` triggers (not the library's empty bases)."""
    return [
        event for cls in aggregate_classes() for event in vars(cls).values()
        if inspect.isclass(event) and issubclass(event, CanMutateAggregate)
        and {f.name for f in dataclasses.fields(event)} - LIBRARY_FIELDS
    ]


EVENTS = event_classes()


def fields_of(event: type[Any]) -> set[str]:
    return {f.name for f in dataclasses.fields(event)}


def test_the_walk_finds_the_events_of_every_context() -> None:
    names = {e.__qualname__ for e in EVENTS}
    assert {"Customer.Registered", "Touchpoint.Recorded", "Case.Opened", "Promise.Made", "Deal.Opened",
            "SlaPolicy.Defined", "User.Registered", "Product.Registered", "CodeBlock.Claimed"} <= names


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.__qualname__)
def test_every_event_carries_business_time_and_actor(event: type[Any]) -> None:
    assert {"occurred_at", "actor"} <= fields_of(event)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.__qualname__)
def test_every_free_text_or_contact_field_is_marked_personal(event: type[Any]) -> None:
    suspects = {f for f in fields_of(event) if PERSONAL_NAME.search(f)}
    unmarked = {f for f in suspects - personal_fields(event) if (event.__qualname__, f) not in NOT_PERSONAL}
    assert not unmarked, f"{event.__qualname__}: mark {sorted(unmarked)} with mark_personal (or review them)"


def test_the_not_personal_exceptions_still_exist() -> None:
    known = {(e.__qualname__, f) for e in EVENTS for f in fields_of(e)}
    assert NOT_PERSONAL <= known


def test_marked_events_name_whose_data_they_hold(memory_app: Touchline, now: datetime) -> None:
    customer = memory_app.register_customer(name="Ada", occurred_at=now, actor="user:1").id
    case = memory_app.open_case(customer_id=customer, subject="Hi", channel="chat", occurred_at=now,
                                actor="user:1").id
    memory_app.pend_case(case, reason="awaiting_customer", note="Asked Ada for a photo", occurred_at=now,
                         actor="user:1")
    memory_app.reply_to_case(case, body="Thanks Ada", occurred_at=now, actor="user:1")
    events = [*memory_app.events.get(customer), *memory_app.events.get(case)]
    marked = [e for e in events if personal_fields(type(e))]
    assert [type(e).__name__ for e in marked] == ["Registered", "Opened", "Pended", "AgentReplied"]
    assert {personal_subject(e) for e in marked} == {customer}

