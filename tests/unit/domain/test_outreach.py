"""Outreach rules on the aggregates (in memory): a survey per resolution, answered once; a
win-back offer needs consent and respects its period; unsubscribing withdraws the consent."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.customers.outreach import (
    NotUnsubscribableError,
    SurveyAnsweredError,
    SurveyClosedError,
    WinBackNotice,
)
from domain.errors import InvalidValueError
from domain.messages.model import Draft, cause_of
from tests.unit.domain.conftest import AGENT

ROBOT = "system:scheduler"


def resolve(app: Touchline, case_id: UUID, at: datetime) -> None:
    app.resolve_case(case_id, resolution="Fixed", occurred_at=at, actor=AGENT)


def test_a_survey_is_recorded_once_per_resolution_and_not_after_a_reopening(
        memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    resolve(memory_app, case_id, now)
    case = memory_app.get_case(case_id)
    assert case.record_survey_sent(resolution=1, message_id="m1", occurred_at=now, actor=ROBOT)
    assert not case.record_survey_sent(resolution=1, message_id="m1", occurred_at=now, actor=ROBOT)
    case.reopen(reason="Again", occurred_at=now, actor=AGENT)
    assert not case.record_survey_sent(resolution=2, message_id="m2", occurred_at=now, actor=ROBOT)  # not resolved
    case.resolve(resolution="Fixed again", occurred_at=now, actor=AGENT)
    assert not case.record_survey_sent(resolution=1, message_id="m1b", occurred_at=now, actor=ROBOT)  # stale
    assert case.record_survey_sent(resolution=2, message_id="m2", occurred_at=now, actor=ROBOT)
    assert case.surveys == {1: "m1", 2: "m2"}


def test_an_answer_is_the_customers_rating_once(memory_app: Touchline, case_id: UUID, customer_id: UUID,
                                                now: datetime) -> None:
    resolve(memory_app, case_id, now)
    memory_app.answer_survey(case_id, resolution=1, score=5, comment="Great", occurred_at=now)
    assert memory_app.get_case(case_id).satisfaction == 5
    assert list(memory_app.events.get(case_id))[-1].actor == f"customer:{customer_id}"
    with pytest.raises(SurveyAnsweredError):
        memory_app.answer_survey(case_id, resolution=1, score=1, occurred_at=now)
    assert memory_app.get_case(case_id).satisfaction == 5


def test_an_old_survey_cannot_be_answered_after_a_reopening(memory_app: Touchline, case_id: UUID,
                                                             now: datetime) -> None:
    resolve(memory_app, case_id, now)
    memory_app.reopen_case(case_id, reason="Again", occurred_at=now, actor=AGENT)
    with pytest.raises(SurveyClosedError):
        memory_app.answer_survey(case_id, resolution=1, score=4, occurred_at=now)
    resolve(memory_app, case_id, now)
    with pytest.raises(SurveyClosedError):
        memory_app.answer_survey(case_id, resolution=1, score=4, occurred_at=now)
    memory_app.answer_survey(case_id, resolution=2, score=4, occurred_at=now)


def test_a_score_outside_1_to_5_is_refused(memory_app: Touchline, case_id: UUID, now: datetime) -> None:
    resolve(memory_app, case_id, now)
    with pytest.raises(InvalidValueError, match="score"):
        memory_app.answer_survey(case_id, resolution=1, score=6, occurred_at=now)


def test_a_win_back_offer_needs_marketing_consent_and_respects_its_period(
        memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    period = timedelta(days=30)
    customer = memory_app.get_customer(customer_id)
    offer = {"coupon": "WB-1", "message_id": "m1", "not_within": period, "actor": ROBOT}
    assert not customer.offer_win_back(number=1, occurred_at=now, **offer)  # no consent
    customer.give_consent(purpose="marketing", occurred_at=now, actor=AGENT)
    assert not customer.offer_win_back(number=2, occurred_at=now, **offer)  # not the next number
    assert customer.offer_win_back(number=1, occurred_at=now, **offer)
    assert not customer.offer_win_back(number=1, occurred_at=now, **offer)  # recorded already
    assert not customer.offer_win_back(number=2, occurred_at=now + period - timedelta(seconds=1), **offer)
    assert customer.offer_win_back(number=2, occurred_at=now + period, **offer)
    customer.withdraw_consent(purpose="marketing", occurred_at=now + period, actor=AGENT)
    assert not customer.offer_win_back(number=3, occurred_at=now + 3 * period, **offer)
    assert [o["number"] for o in customer.win_back_offers] == [1, 2]


def test_unsubscribing_withdraws_the_consent_of_the_messages_purpose_once(
        memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    memory_app.give_consent(customer_id, purpose="marketing", occurred_at=now, actor=AGENT)
    draft = Draft(cause=cause_of("win-back", customer_id, 1), purpose="winback", channel="email",
                  audience="customer", recipient="ada@example.com", subject="We miss you", body="...",
                  customer_id=customer_id)
    notice = WinBackNotice(customer_id, 1, "WB-1", timedelta(days=30), draft)
    assert memory_app.issue_notices([notice], mail_domain="shop.example", occurred_at=now, actor=ROBOT).done == 1
    purpose, receipt = memory_app.unsubscribe(draft.id, occurred_at=now)
    assert purpose == "marketing" and receipt.position is not None
    assert not memory_app.get_customer(customer_id).has_consented("marketing")
    assert memory_app.unsubscribe(draft.id, occurred_at=now)[1].position is None  # nothing more recorded


def test_only_outreach_messages_can_be_unsubscribed_from(memory_app: Touchline, customer_id: UUID,
                                                          now: datetime) -> None:
    draft = Draft(cause="case-acknowledgement/x", purpose="acknowledgement", channel="email", audience="customer",
                  recipient="ada@example.com", subject="Received", body="...", customer_id=customer_id)
    memory_app.queue_message(draft, mail_domain="shop.example", occurred_at=now, actor=ROBOT)
    with pytest.raises(NotUnsubscribableError):
        memory_app.unsubscribe(draft.id, occurred_at=now)
