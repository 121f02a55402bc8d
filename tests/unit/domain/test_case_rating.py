"""Who may rate a case: the customer's own rating (the survey) is theirs. Staff and integrators
may record one on the customer's behalf (a phone survey) while the customer has not rated the
resolution, and correct it; once the customer rated, only the customer changes it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.cases.model import RatedByCustomerError

AGENT = "user:agent-1"


@pytest.fixture
def resolved(memory_app: Touchline, case_id: UUID, now: datetime) -> UUID:
    memory_app.resolve_case(case_id, resolution="Replaced the roller", occurred_at=now, actor=AGENT)
    return case_id


def answer_survey(app: Touchline, case_id: UUID, score: int, now: datetime) -> None:
    app.answer_survey(case_id, resolution=app.get_case(case_id).resolutions, score=score, occurred_at=now)


@pytest.mark.parametrize("actor", [AGENT, "api:crm-sync", "system:import"])
def test_staff_or_an_integrator_cannot_replace_the_customers_own_rating(
    memory_app: Touchline, resolved: UUID, now: datetime, actor: str
) -> None:
    answer_survey(memory_app, resolved, 4, now)
    version = memory_app.get_case(resolved).version
    with pytest.raises(RatedByCustomerError, match=r"case CASE-\S+ was rated 4/5 by the customer"):
        memory_app.rate_case(resolved, score=1, occurred_at=now, actor=actor)
    case = memory_app.get_case(resolved)
    assert (case.satisfaction, case.version) == (4, version)


def test_the_customer_may_change_their_own_rating(memory_app: Touchline, resolved: UUID, now: datetime) -> None:
    customer = f"customer:{memory_app.get_case(resolved).customer_id}"
    memory_app.rate_case(resolved, score=4, occurred_at=now, actor=customer)
    memory_app.rate_case(resolved, score=2, comment="It jams again", occurred_at=now, actor=customer)
    assert memory_app.get_case(resolved).satisfaction == 2


def test_staff_may_rate_on_the_customers_behalf_and_correct_it_while_the_customer_has_not_rated(
    memory_app: Touchline, resolved: UUID, now: datetime
) -> None:
    memory_app.rate_case(resolved, score=2, comment="By phone", occurred_at=now, actor=AGENT)
    memory_app.rate_case(resolved, score=3, comment="By phone: misheard", occurred_at=now, actor=AGENT)
    assert memory_app.get_case(resolved).satisfaction == 3


def test_a_later_resolution_is_rated_afresh_whoever_rated_the_earlier_one(
    memory_app: Touchline, resolved: UUID, now: datetime
) -> None:
    answer_survey(memory_app, resolved, 5, now)
    memory_app.reopen_case(resolved, reason="Jams again", occurred_at=now, actor=AGENT)
    memory_app.resolve_case(resolved, resolution="New printer", occurred_at=now, actor=AGENT)
    memory_app.rate_case(resolved, score=3, comment="By phone", occurred_at=now, actor=AGENT)
    assert memory_app.get_case(resolved).satisfaction == 3
