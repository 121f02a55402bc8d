"""Fixtures for domain tests: the Application on the in-memory store, a customer, a case."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.clock import FixedClock

AGENT = "user:agent-1"


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


@pytest.fixture
def customer_id(memory_app: Touchline, now: datetime) -> UUID:
    return memory_app.register_customer(
        name="Ada Lovelace", contact_points=[{"kind": "email", "value": "ada@example.com"}],
        occurred_at=now, actor=AGENT,
    ).id


@pytest.fixture
def case_id(memory_app: Touchline, customer_id: UUID, now: datetime) -> UUID:
    return memory_app.open_case(
        customer_id=customer_id, subject="Printer jams", description="Every second page", channel="email",
        occurred_at=now, actor=AGENT,
    ).id
