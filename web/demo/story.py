"""The storyteller: the state every demo story shares (chance, ids, time, the touchpoint
budget, the cast) and the steps they all take: pick a customer, record a contact, make
and settle a promise."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from uuid import UUID

from domain.promises.model import Promise
from domain.touchpoints.model import Touchpoint
from web.demo.channels import LIVE, Contact, contact_point, summary
from web.demo.plans import Ids, Plan
from web.demo.population import ACTOR, Agent, Party
from web.demo.texts import CANCEL_REASONS, RESCHEDULE_REASONS
from web.demo.timeline import StoryEnds, Timeline

# Share of promises that nobody keeps: they stay open and turn overdue.
FORGOTTEN = 0.15
# Share of promises about something weeks ahead (a review, a renewal), besides sales ones.
LONG_TERM = 0.2


class Storyteller:
    def __init__(self, *, seed: int, touchpoints: int, end: datetime, companies: list[Party],
                 agents: list[Agent]) -> None:
        self.rng = random.Random(seed)
        self.ids = Ids(seed, touchpoints)
        self.time = Timeline(end, touchpoints, self.rng)
        self.total = touchpoints
        self.left = touchpoints
        self.companies = companies
        self.agents = agents
        self.persons: list[Party] = []

    def customer(self) -> tuple[Party, Contact]:
        """A customer and who speaks for them; a few customers call often (repeat contacts)."""
        pool = self.persons if self.persons and self.rng.random() < 0.4 else self.companies
        party = pool[int(len(pool) * self.rng.random() ** 1.7)]
        return party, self.rng.choice(party.contacts)

    def agent(self, other_than: Agent | None = None) -> Agent:
        choices = [a for a in self.agents if a != other_than] or self.agents
        return self.rng.choice(choices)

    def opening(self, begin: datetime, channel: str) -> datetime:
        """When the story's first contact happens: live channels wait for office hours,
        unless that would be after now."""
        if channel not in LIVE:
            return begin
        opened = self.time.office(begin)
        return opened if opened <= self.time.now else begin

    @staticmethod
    def recorder(channel: str, direction: str, party: Party, agent: Agent) -> str:
        """Who records a contact: the agent on live and outbound ones, the customer on the
        public form, the channel integration otherwise."""
        if direction == "outbound" or channel in LIVE:
            return agent.ref
        return f"customer:{party.id}" if channel == "web_form" else ACTOR

    def touch(self, plans: list[Plan], party: Party, contact: Contact, *, channel: str, direction: str,
              kind: str, subject: str, words: str, at: datetime, actor: str,
              case_id: UUID | None = None, promise_id: UUID | None = None) -> UUID:
        """Record one contact; the story ends when the touchpoint budget is spent."""
        if self.left == 0:
            raise StoryEnds
        self.left -= 1
        touchpoint_id = self.ids.next()
        plans.append(Plan(touchpoint_id, Touchpoint, dict(
            id=touchpoint_id, customer_id=party.id, channel=channel, direction=direction, kind=kind,
            subject=subject, summary=summary(self.rng, channel, direction, contact, words),
            contact_point=contact_point(channel, contact), case_id=case_id, promise_id=promise_id,
            occurred_at=at, actor=actor)))
        return touchpoint_id

    def due(self, made: datetime, *, long_term: bool = False) -> datetime:
        """When a promise made at ``made`` falls due: in a few workdays, or weeks ahead."""
        if long_term or self.rng.random() < LONG_TERM:
            return self.time.slot(made, 5, 25)
        return self.time.slot(made, 1, 4)

    def promise(self, plans: list[Plan], party: Party, contact: Contact, *, what: str, subject: str,
                owner: Agent, at: datetime, due: datetime, channel: str, kind: str = "promise",
                actor: str | None = None, case_id: UUID | None = None) -> datetime | None:
        """Make a promise (follow-up on ``channel``) and play out what became of it; returns
        when it was settled (kept or cancelled), or None while it is still open."""
        promise_id = self.ids.next()
        promise = Plan(promise_id, Promise, dict(
            id=promise_id, customer_id=party.id, what=what[0].upper() + what[1:], due_at=due,
            owner=owner.ref, channel=channel, promise_kind=kind, contact_point=contact_point(channel, contact),
            case_id=case_id, occurred_at=at, actor=actor or owner.ref))
        plans.append(promise)
        rng, time = self.rng, self.time
        chance = rng.random()
        if chance < FORGOTTEN:
            return None
        if chance < FORGOTTEN + 0.08:
            cancelled = time.after(at, 30, max(60, int((due - at).total_seconds() // 60)))
            if cancelled > time.now:
                return None
            promise.then("cancel", reason=rng.choice(CANCEL_REASONS), occurred_at=cancelled, actor=owner.ref)
            return cancelled
        if chance < FORGOTTEN + 0.23:
            moved = max(at + timedelta(minutes=5), due - timedelta(minutes=rng.randint(60, 1440)))
            if moved > time.now:
                return None
            due = time.slot(due, 1, 4)
            promise.then("reschedule", due_at=due, reason=rng.choice(RESCHEDULE_REASONS),
                         occurred_at=moved, actor=owner.ref)
            if rng.random() < 0.25:
                return None
        if rng.random() < 0.78:  # on time: shortly before the promised time
            kept = max(at + timedelta(minutes=5), due - timedelta(minutes=rng.randint(0, 120)))
        else:
            kept = time.after(due, 60, 2 * 1440)
        if kept > time.now:
            return None
        words = f"followed up as promised ({what})."
        if self.left:  # the last promises of a history may be kept without a recorded contact
            self.touch(plans, party, contact, channel=channel, direction="outbound", kind="follow_up",
                       subject=subject, words=words, at=kept, actor=owner.ref, case_id=case_id,
                       promise_id=promise_id)
        promise.then("keep", evidence=f"{channel} contact with {contact.name}: {words}",
                     occurred_at=kept, actor=owner.ref)
        return kept
