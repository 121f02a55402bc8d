"""A customer registered in the transaction of their first case or callback: logs written before
2026-12-05 hold the case (or the callback and its touchpoint) before the registration. The 360's
figures count them all the same, live and rebuilt from zero (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.application import Touchline
from domain.clock import FixedClock
from projections.queries.customers import get_customer
from projections.registry import all_projections
from projections.verify import verify_projections
from web.services import Services, build_services

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTOR = "system:public-form"


@pytest.fixture
def services(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    saved = Touchline._save

    def as_logged_before(self: Any, primary: Any, *others: Any, first: Any = ()) -> Any:
        return saved(self, primary, *others, *first)  # the registration after the records it came with

    monkeypatch.setattr(Touchline, "_save", as_logged_before)
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(T0))
    yield found
    found.close()


def test_a_first_case_and_a_callback_logged_before_their_registrations_count(services: Services) -> None:
    app = services.app
    writer = app.open_case(customer_id=(writer_id := uuid4()), subject="Printer jams", channel="web_form",
                           register={"name": "Grace", "contact_points": [{"kind": "email", "value": "g@example.com"}]},
                           touchpoint={"channel": "web_form", "direction": "inbound", "kind": "complaint",
                                       "subject": "Printer jams"}, occurred_at=T0, actor=ACTOR)
    caller = uuid4()
    callback = app.request_callback(
        id=uuid4(), customer_id=caller, starts_at=T0 + timedelta(days=1), capacity=2, held=len, what="Call back",
        owner="team:callbacks", contact_point="+44 20 7946 0000",
        touchpoint={"id": uuid4(), "channel": "web_form", "direction": "inbound", "kind": "request",
                    "subject": "Callback requested"},
        register={"name": "Alan", "contact_points": [{"kind": "email", "value": "a@example.com"}]},
        occurred_at=T0, actor=ACTOR)
    app.cancel_promise(callback.id, reason="Not needed", occurred_at=T0 + timedelta(hours=1), actor="customer:alan")
    services.projection_runner().catch_up()
    with services.views.connect() as conn:
        grace, alan = get_customer(conn, str(writer_id)), get_customer(conn, str(caller))
    assert writer.id and grace is not None and alan is not None
    assert (grace["name"], grace["cases_total"], grace["open_cases"], grace["touches"]) == ("Grace", 1, 1, 1)
    assert (alan["name"], alan["open_promises"], alan["touches"]) == ("Alan", 0, 1)  # made, then cancelled: 0
    reports = verify_projections(app, services.views, all_projections())
    assert {r.projection: [d.describe() for d in r.differences] for r in reports if r.differences} == {}
