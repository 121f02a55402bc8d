"""Outreach the scheduler starts on its own: satisfaction surveys and win-back offers, and what
customers do with them (answer a survey, unsubscribe).

Both are notices (``domain.messages.notices``): the event on the source (``SurveySent`` on the
case, ``WinBackOffered`` on the customer) is saved together with the queued message, whose id
derives from the cause, so a second scheduler or a retry collides instead of sending twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.base import Entity
from domain.cases.model import Case
from domain.customers.model import Customer
from domain.errors import DomainError
from domain.messages.commands import MessageCommands
from domain.messages.model import Draft, Message
from domain.service import Receipt

# Which consent a message of each outreach purpose depends on (and its unsubscribe link withdraws).
CONSENT_OF_PURPOSE = {"survey": "surveys", "winback": "marketing"}


class SurveyClosedError(DomainError):
    """The survey can no longer be answered: the case was reopened or resolved again since."""


class SurveyAnsweredError(DomainError):
    """The customer answered this survey already."""


class NotUnsubscribableError(DomainError):
    """The message is not one a customer can unsubscribe from."""


@dataclass(frozen=True)
class SurveyNotice:
    case_id: UUID
    resolution: int  # which resolution of the case the survey asks about
    draft: Draft


@dataclass(frozen=True)
class WinBackNotice:
    customer_id: UUID
    number: int  # the customer's offer number this will be (1 for the first)
    coupon: str
    not_within: timedelta  # no offer if the last one is more recent than this
    draft: Draft

    @property
    def case_id(self) -> UUID:  # the batch's error messages name a notice by its source
        return self.customer_id


class OutreachCommands(MessageCommands):
    @staticmethod
    def _prepare(notice: Any, get: Any, queue: Any, occurred_at: datetime, actor: str) -> list[Entity] | None:
        when = {"occurred_at": occurred_at, "actor": actor}
        if isinstance(notice, SurveyNotice):
            case = get(Case, notice.case_id)
            message = queue(notice.draft)
            sent = case.record_survey_sent(resolution=notice.resolution, message_id=str(message.id), **when)
            return [case, message] if sent else None
        if isinstance(notice, WinBackNotice):
            customer = get(Customer, notice.customer_id)
            message = queue(notice.draft)
            offered = customer.offer_win_back(number=notice.number, coupon=notice.coupon, message_id=str(message.id),
                                              not_within=notice.not_within, **when)
            return [customer, message] if offered else None
        return MessageCommands._prepare(notice, get, queue, occurred_at, actor)

    def answer_survey(self, case_id: UUID, *, resolution: int, score: int, comment: str = "",
                      occurred_at: datetime) -> Receipt:
        """The customer's answer to the survey about ``resolution``: the case's CSAT, recorded
        as given by the customer; refused when answered already or no longer open."""
        case = self._get(Case, case_id)
        if case.rated_resolution == resolution:
            raise SurveyAnsweredError(f"case {case.tracking_code}: this survey was answered already")
        if not case.survey_open(resolution):
            raise SurveyClosedError(f"case {case.tracking_code} changed since this survey was sent")
        case.rate(score=score, comment=comment, occurred_at=occurred_at, actor=f"customer:{case.customer_id}")
        return self._save(case)

    def unsubscribe(self, message_id: UUID, *, occurred_at: datetime) -> tuple[str, Receipt]:
        """Withdraw the consent the outreach message ``message_id`` relied on, on behalf of the
        customer it went to; (the purpose, the receipt; unchanged when withdrawn already)."""
        message = self._get(Message, message_id)
        purpose = CONSENT_OF_PURPOSE.get(message.purpose)
        if purpose is None or message.customer_id is None:
            raise NotUnsubscribableError(f"message {message.message_id} is not a marketing or survey message")
        # The person now: a message from before a merge names the duplicate; its withdrawal is theirs.
        customer = self._get(Customer, self.survivor(message.customer_id))
        if customer.consents.get(purpose) is False or not customer.withdraw_consent(
                purpose=purpose, occurred_at=occurred_at, actor=f"customer:{customer.id}"):
            return purpose, self._unchanged(customer)  # withdrawn already, or erased: nothing to record
        return purpose, self._save(customer)

    def get_queued_message(self, message_id: UUID) -> Message:
        """The message as it was queued (its ``last_occurred_at`` is when): links in it age from then."""
        return self._get(Message, message_id, version=1)
