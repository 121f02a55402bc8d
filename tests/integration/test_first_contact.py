"""A case opened by someone we do not know yet (the contact form) registers them in the case's
own transaction: an opening that fails registers nobody, and two first contacts at once from
the same person register them once and open both cases."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.application import Touchline
from domain.customers.model import email_customer_id
from domain.errors import AlreadyExistsError, NotFoundError

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTOR = "system:public-contact"
GRACE = {"name": "Grace Hopper", "contact_points": [{"kind": "email", "value": "grace@example.com"}]}


def open_case(app: Touchline, customer: UUID, *, touchpoint_id: UUID | None = None, **more: Any) -> UUID:
    return app.open_case(customer_id=customer, register=GRACE, subject="Printer jams", channel="web_form",
                         touchpoint={"id": touchpoint_id or uuid4(), "channel": "web_form", "direction": "inbound",
                                     "kind": "complaint", "subject": "Printer jams"},
                         occurred_at=NOW, actor=ACTOR, **more).id


def test_a_first_contact_registers_the_customer_with_the_case(new_instance: Callable[[], Touchline]) -> None:
    app = new_instance()
    grace = email_customer_id("grace@example.com")
    case = app.get_case(open_case(app, grace))
    assert case.customer_id == grace and app.get_customer(grace).name == "Grace Hopper"
    assert app.get_touchpoint(case.touchpoint_id).customer_id == grace


def test_an_opening_that_cannot_be_saved_registers_nobody(new_instance: Callable[[], Touchline]) -> None:
    app = new_instance()
    taken = app.record_touchpoint(customer_id=app.register_customer(name="Ada", occurred_at=NOW, actor=ACTOR).id,
                                  channel="phone", direction="inbound", kind="inquiry", subject="Hello",
                                  occurred_at=NOW, actor=ACTOR).id
    grace = email_customer_id("grace@example.com")
    with pytest.raises(AlreadyExistsError):
        open_case(app, grace, touchpoint_id=taken)  # the touchpoint's id is someone else's: the save fails
    with pytest.raises(NotFoundError):
        app.get_customer(grace)


def test_an_unknown_customer_without_registration_details_is_not_found(memory_app: Touchline) -> None:
    with pytest.raises(NotFoundError):
        memory_app.open_case(customer_id=uuid4(), subject="Printer jams", channel="email", occurred_at=NOW,
                             actor=ACTOR)


def test_two_first_contacts_at_once_register_the_customer_once_and_open_both_cases(
    new_instance: Callable[[], Touchline],
) -> None:
    first, second = new_instance(), new_instance()
    grace = email_customer_id("grace@example.com")
    both_checked = threading.Barrier(2, timeout=20)

    def after_both_checked(app: Touchline) -> None:
        """Each opening has found Grace new, then waits for the other: both would register her."""
        allocate = app.next_tracking_code

        def allocate_once_both_checked(occurred_at: datetime) -> str:
            if not getattr(app, "_waited", False):
                app._waited = True  # type: ignore[attr-defined]
                both_checked.wait()
            return allocate(occurred_at)

        app.next_tracking_code = allocate_once_both_checked  # type: ignore[method-assign]

    for app in (first, second):
        after_both_checked(app)
    with ThreadPoolExecutor(2) as pool:
        cases = list(pool.map(lambda app: open_case(app, grace), (first, second)))
    assert len(set(cases)) == 2
    assert {first.get_case(c).customer_id for c in cases} == {grace}
    assert [type(e).__name__ for e in first.events.get(grace)] == ["Registered"]
