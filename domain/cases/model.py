"""The Case aggregate: a customer's request, tracked by code from opening to closing.

Status flow: new -> open <-> pending -> resolved -> closed, with resolved -> open on
reopen. A customer reply to a resolved case reopens it; a closed case is final.
The SLA policy version that applies is recorded at opening and, after a priority change,
by ``SlaRetargeted`` (see ``domain.sla.clocks`` for what the clocks make of them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_personal
from domain.touchpoints.model import CHANNELS
from domain.upcasting import upcaster
from domain.values import LONG_TEXT, one_of, text

PRIORITIES = ("low", "normal", "high", "urgent")
PEND_REASONS = ("awaiting_customer", "on_hold")
ACTIVE = ("new", "open", "pending")
SLA_NOTICE_LEVELS = ("at_risk", "breached")


class CaseStateError(DomainError):
    """The case's status does not allow that action."""


class RatedByCustomerError(DomainError):
    """The customer rated this resolution themselves: nobody else replaces their rating."""


class Case(Entity):
    kind = "Case"

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        tracking_code: str,
        customer_id: UUID,
        subject: str,
        description: str = "",
        priority: str = "normal",
        channel: str,
        team: str | None = None,
        sla_policy_id: UUID | None = None,
        sla_policy_version: int | None = None,
        touchpoint_id: UUID | None = None,
        occurred_at: datetime,
        actor: str,
    ) -> Case:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        return cls(
            id=id, tracking_code=tracking_code, customer_id=customer_id,
            **cls.checked_opening(subject=subject, description=description, priority=priority, channel=channel,
                                  team=team),
            sla_policy_id=sla_policy_id, sla_policy_version=sla_policy_version,
            touchpoint_id=touchpoint_id, occurred_at=occurred_at, actor=actor,
        )

    @staticmethod
    def checked_opening(
        *, subject: str, description: str, priority: str, channel: str, team: str | None
    ) -> dict[str, Any]:
        """The validated fields a case opens with (callers check them before taking a code)."""
        return {
            "subject": text("subject", subject, max_length=300),
            "description": text("description", description, required=False, max_length=LONG_TEXT),
            "priority": one_of("priority", priority, PRIORITIES),
            "channel": one_of("channel", channel, CHANNELS),
            "team": text("team", team, required=False, max_length=100) or None,
        }

    @event("Opened")
    def __init__(
        self,
        *,
        id: UUID,
        tracking_code: str,
        customer_id: UUID,
        subject: str,
        description: str,
        priority: str,
        channel: str,
        team: str | None,
        sla_policy_id: UUID | None,
        sla_policy_version: int | None,
        touchpoint_id: UUID | None,
        occurred_at: datetime,
        actor: str,
    ) -> None:
        self.tracking_code = tracking_code
        self.customer_id = customer_id
        self.subject = subject
        self.priority = priority
        self.channel = channel
        self.team = team
        self.sla_policy_id = sla_policy_id
        self.sla_policy_version = sla_policy_version
        self.touchpoint_id = touchpoint_id  # the contact that raised it (acknowledgements answer there)
        self.status = "new"
        self.assignee: str | None = None
        self.acknowledged = False
        self.satisfaction: int | None = None
        self.resolutions = 0  # how many times it was resolved: surveys are per resolution
        self.resolved_at: datetime | None = None
        self.rated_resolution: int | None = None  # the resolution the last rating was given after
        self.rated_by: str | None = None  # who gave the last rating (``customer:<id>`` through the survey)
        self.surveys: dict[int, str] = {}  # resolution -> survey message id
        self.sla_notices: dict[str, list[str]] = {}  # "<level>/<target>/<cycle>" -> message ids
        self.opened_at = occurred_at
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.tracking_code

    def _require(self, action: str, *statuses: str) -> None:
        if self.status not in statuses:
            raise CaseStateError(f"case {self.tracking_code} is {self.status}: cannot {action}")

    def acknowledge(self, *, message_id: str, occurred_at: datetime, actor: str) -> bool:
        """Record that the customer was told the case exists; only once."""
        if self.acknowledged:
            return False
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._acknowledged(message_id=text("message_id", message_id, max_length=300),
                           occurred_at=occurred_at, actor=actor)
        return True

    @event("Acknowledged")
    def _acknowledged(self, message_id: str, occurred_at: datetime, actor: str) -> None:
        self.acknowledged = True
        self.last_occurred_at = occurred_at

    def record_sla_notice(
        self, *, level: str, target: str, cycle: int, due_at: datetime | None, message_ids: list[str],
        occurred_at: datetime, actor: str,
    ) -> bool:
        """Record that a target at risk or breached was escalated (notices went out to the
        assignee and their manager); once per target, cycle and level. It is not a reply:
        no SLA clock reads it."""
        level = one_of("level", level, SLA_NOTICE_LEVELS)
        if f"{level}/{target}/{cycle}" in self.sla_notices:
            return False
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._sla_escalated(level=level, target=text("target", target, max_length=20), cycle=int(cycle),
                            due_at=due_at, message_ids=[text("message_ids", m, max_length=300) for m in message_ids],
                            occurred_at=occurred_at, actor=actor)
        return True

    @event("SlaEscalated")
    def _sla_escalated(self, level: str, target: str, cycle: int, due_at: datetime | None, message_ids: list[str],
                       occurred_at: datetime, actor: str) -> None:
        self.sla_notices[f"{level}/{target}/{cycle}"] = list(message_ids)
        self.last_occurred_at = occurred_at

    def assign(self, *, assignee: str, team: str | None = None, occurred_at: datetime, actor: str) -> None:
        self._require("assign", *ACTIVE)
        occurred_at, actor = self.checked_when(occurred_at, actor)
        assignee = text("assignee", assignee, max_length=200)
        team = text("team", team, required=False, max_length=100) or self.team
        if assignee == self.assignee and team == self.team:
            raise CaseStateError(f"case {self.tracking_code} is already assigned to {assignee}")
        self._assigned(assignee=assignee, team=team, occurred_at=occurred_at, actor=actor)

    @event("Assigned")
    def _assigned(self, assignee: str, team: str | None, occurred_at: datetime, actor: str) -> None:
        self.assignee = assignee
        self.team = team
        if self.status == "new":
            self.status = "open"
        self.last_occurred_at = occurred_at

    def transfer(
        self, *, to_assignee: str, to_team: str | None = None, note: str, occurred_at: datetime, actor: str
    ) -> None:
        """Hand the case to another agent with a note, so the customer repeats nothing."""
        self._require("transfer", *ACTIVE)
        occurred_at, actor = self.checked_when(occurred_at, actor)
        to_assignee = text("to_assignee", to_assignee, max_length=200)
        if to_assignee == self.assignee:
            raise InvalidValueError("to_assignee", "the case is already with that agent")
        self._transferred(
            from_assignee=self.assignee, to_assignee=to_assignee,
            to_team=text("to_team", to_team, required=False, max_length=100) or self.team,
            note=text("note", note, max_length=10_000), customer_id=self.customer_id,
            occurred_at=occurred_at, actor=actor,
        )

    @event("Transferred")
    def _transferred(
        self, from_assignee: str | None, to_assignee: str, to_team: str | None, note: str,
        customer_id: UUID, occurred_at: datetime, actor: str,
    ) -> None:
        self.assignee = to_assignee
        self.team = to_team
        if self.status == "new":
            self.status = "open"
        self.last_occurred_at = occurred_at

    def reply(self, *, body: str, public: bool = True, occurred_at: datetime, actor: str) -> None:
        """An agent's public reply to the customer, or an internal note (``public=False``)."""
        self._require("reply to", *ACTIVE, "resolved")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._agent_replied(body=text("body", body, max_length=LONG_TEXT), public=bool(public),
                            customer_id=self.customer_id, occurred_at=occurred_at, actor=actor)

    @event("AgentReplied")
    def _agent_replied(self, body: str, public: bool, customer_id: UUID, occurred_at: datetime, actor: str) -> None:
        if public and self.status == "new":
            self.status = "open"
        self.last_occurred_at = occurred_at

    def customer_reply(
        self, *, body: str, channel: str, touchpoint_id: UUID | None = None, occurred_at: datetime, actor: str
    ) -> None:
        """The customer wrote back. It reopens a resolved case and resumes a pending one."""
        self._require("take a customer reply on", *ACTIVE, "resolved")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        if self.status == "resolved":
            self._reopened(reason="customer replied", customer_id=self.customer_id, occurred_at=occurred_at,
                           actor=actor)
        elif self.status == "pending":  # explicit, so readers see the pause end
            self._resumed(occurred_at=occurred_at, actor=actor)
        self._customer_replied(
            body=text("body", body, max_length=LONG_TEXT), channel=one_of("channel", channel, CHANNELS),
            touchpoint_id=touchpoint_id, customer_id=self.customer_id, occurred_at=occurred_at, actor=actor,
        )

    @event("CustomerReplied")
    def _customer_replied(
        self, body: str, channel: str, touchpoint_id: UUID | None, customer_id: UUID,
        occurred_at: datetime, actor: str,
    ) -> None:
        self.last_occurred_at = occurred_at

    def pend(self, *, reason: str, note: str = "", occurred_at: datetime, actor: str) -> None:
        """Stop the resolution clock while waiting on the customer or a third party."""
        self._require("pend", "new", "open")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._pended(reason=one_of("reason", reason, PEND_REASONS),
                     note=text("note", note, required=False, max_length=2000),
                     customer_id=self.customer_id, occurred_at=occurred_at, actor=actor)

    @event("Pended")
    def _pended(self, reason: str, note: str, customer_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.status = "pending"
        self.last_occurred_at = occurred_at

    def resume(self, *, occurred_at: datetime, actor: str) -> None:
        self._require("resume", "pending")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._resumed(occurred_at=occurred_at, actor=actor)

    @event("Resumed")
    def _resumed(self, occurred_at: datetime, actor: str) -> None:
        self.status = "open"
        self.last_occurred_at = occurred_at

    def change_priority(self, *, priority: str, occurred_at: datetime, actor: str) -> None:
        self._require("change the priority of", *ACTIVE)
        occurred_at, actor = self.checked_when(occurred_at, actor)
        priority = one_of("priority", priority, PRIORITIES)
        if priority == self.priority:
            raise InvalidValueError("priority", f"the case is {priority} already")
        self._priority_changed(priority=priority, occurred_at=occurred_at, actor=actor)

    @event("PriorityChanged")
    def _priority_changed(self, priority: str, occurred_at: datetime, actor: str) -> None:
        self.priority = priority
        self.last_occurred_at = occurred_at

    def retarget_sla(
        self, *, policy_id: UUID | None, policy_version: int | None, occurred_at: datetime, actor: str
    ) -> bool:
        """Record the SLA policy version whose targets now apply, at the current priority
        (the Application selects it); nothing to record when no policy applied nor applies."""
        if (policy_id is None) != (policy_version is None):
            raise InvalidValueError("sla_policy_version", "a policy needs its version, and only a policy has one")
        if policy_id is None and self.sla_policy_id is None:
            return False
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._sla_retargeted(sla_policy_id=policy_id, sla_policy_version=policy_version, priority=self.priority,
                             occurred_at=occurred_at, actor=actor)
        return True

    @event("SlaRetargeted")
    def _sla_retargeted(self, sla_policy_id: UUID | None, sla_policy_version: int | None, priority: str,
                        occurred_at: datetime, actor: str) -> None:
        self.sla_policy_id = sla_policy_id
        self.sla_policy_version = sla_policy_version
        self.last_occurred_at = occurred_at

    def resolve(self, *, resolution: str, occurred_at: datetime, actor: str) -> None:
        self._require("resolve", *ACTIVE)
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._resolved(resolution=text("resolution", resolution, max_length=10_000),
                       customer_id=self.customer_id, occurred_at=occurred_at, actor=actor)

    @event("Resolved")
    def _resolved(self, resolution: str, customer_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.status = "resolved"
        self.resolutions += 1
        self.resolved_at = occurred_at
        self.last_occurred_at = occurred_at

    def reopen(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        self._require("reopen", "resolved")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._reopened(reason=text("reason", reason, max_length=2000), customer_id=self.customer_id,
                       occurred_at=occurred_at, actor=actor)

    @event("Reopened")
    def _reopened(self, reason: str, customer_id: UUID | None, occurred_at: datetime, actor: str) -> None:
        self.status = "open"
        self.last_occurred_at = occurred_at

    def close(self, *, occurred_at: datetime, actor: str) -> None:
        self._require("close", "resolved")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._closed(occurred_at=occurred_at, actor=actor)

    @event("Closed")
    def _closed(self, occurred_at: datetime, actor: str) -> None:
        self.status = "closed"
        self.last_occurred_at = occurred_at

    def rate(self, *, score: int, comment: str = "", occurred_at: datetime, actor: str) -> None:
        """The customer's satisfaction rating, 1 (bad) to 5 (great), after resolution."""
        self._require("rate", "resolved", "closed")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise InvalidValueError("score", "must be a whole number from 1 to 5")
        self.check_rating_is_not_the_customers(actor)
        self._satisfaction_rated(score=score, comment=text("comment", comment, required=False, max_length=5000),
                                 customer_id=self.customer_id, occurred_at=occurred_at, actor=actor)

    def check_rating_is_not_the_customers(self, actor: str) -> None:
        """Staff and integrators rate on the customer's behalf (a phone survey) only while the
        customer has not rated this resolution themselves; the customer may change their own."""
        if (self.rated_resolution == self.resolutions and is_customer(self.rated_by)
                and not is_customer(actor)):
            raise RatedByCustomerError(f"case {self.tracking_code} was rated {self.satisfaction}/5 by the customer; "
                                       "their own rating cannot be replaced")

    @event("SatisfactionRated")
    def _satisfaction_rated(self, score: int, comment: str, customer_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.satisfaction = score
        self.rated_resolution = self.resolutions
        self.rated_by = actor
        self.last_occurred_at = occurred_at

    def survey_open(self, resolution: int) -> bool:
        """Whether a survey about ``resolution`` may be sent or answered: it is the latest one,
        the case was not reopened since, and nobody rated it yet."""
        return (self.status in ("resolved", "closed") and resolution == self.resolutions
                and self.rated_resolution != resolution)

    def record_survey_sent(self, *, resolution: int, message_id: str, occurred_at: datetime, actor: str) -> bool:
        """Record that the satisfaction survey about ``resolution`` went out; once per resolution,
        and only while the survey is open (False otherwise, nothing recorded)."""
        if resolution in self.surveys or not self.survey_open(resolution):
            return False
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._survey_sent(cycle=int(resolution), message_id=text("message_id", message_id, max_length=300),
                          occurred_at=occurred_at, actor=actor)
        return True

    @event("SurveySent")
    def _survey_sent(self, cycle: int, message_id: str, occurred_at: datetime, actor: str) -> None:
        # ``cycle``: the resolution the survey is about (1 for the first), as ``resolutions`` counts them
        self.surveys[cycle] = message_id
        self.last_occurred_at = occurred_at


def is_customer(actor: str | None) -> bool:
    """Whether ``actor`` is a customer acting for themselves (``customer:<id>``), not staff or a system."""
    return actor is not None and actor.startswith("customer:")


mark_personal(Case.Opened, "subject", "description")
mark_personal(Case.Transferred, "note")
mark_personal(Case.Pended, "note")
mark_personal(Case.AgentReplied, "body")
mark_personal(Case.CustomerReplied, "body")
mark_personal(Case.Resolved, "resolution")
mark_personal(Case.SatisfactionRated, "comment")
mark_personal(Case.Reopened, "reason")  # "she called back from +1 555 ...": agents' words about the person


@upcaster(Case.Reopened, from_version=1)
def _reopened_v1_v2(state: dict[str, Any]) -> None:
    state["customer_id"] = None  # not recorded then: such a reason was stored in the clear, and stays so
