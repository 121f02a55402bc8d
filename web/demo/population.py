"""Who the demo's history is about: the companies and agents already in the store
(the imported Maven accounts and sales agents), or fixed fallbacks on an empty store.

Records the demo itself registered (actor ``system:demo``) are left out, so the history
a seed produces does not depend on earlier demo runs with other seeds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.application import Touchline
from domain.customers.model import Customer, customer_id_for
from domain.users.model import User, user_id_for
from web.demo.channels import Contact
from web.demo.names import (
    CITIES, FALLBACK_AGENT_DOMAIN, FALLBACK_AGENTS, FALLBACK_COMPANIES, JOB_TITLES, ascii_slug, handle,
    person_name, phone_number, work_email,
)
from web.demo.plans import Plan

ACTOR = "system:demo"
_TOPICS = [get_topic(cls) for cls in (
    Customer.Registered, Customer.MergedInto, User.Registered, User.Deactivated, User.Reactivated)]


@dataclass(frozen=True)
class Agent:
    id: UUID
    name: str
    team: str

    @property
    def ref(self) -> str:
        """How the agent appears as actor, assignee and promise owner."""
        return f"user:{self.id}"


@dataclass(frozen=True)
class Party:
    """A customer the demo talks to, and the people we talk to there."""

    id: UUID
    name: str
    kind: str
    contacts: tuple[Contact, ...]


@dataclass
class Population:
    companies: list[Party]
    agents: list[Agent]
    # When this demo's history started, if it was written before (see ``read_population``).
    started: datetime | None = None
    registrations: list[Plan] = field(default_factory=list)  # fallback records to store first

    def add_fallbacks(self, registered_at: datetime) -> None:
        """Fixed agents and companies when the store has none of its own."""
        if not self.agents:
            for name, team, region in FALLBACK_AGENTS:
                email = f"{ascii_slug(name)}@{FALLBACK_AGENT_DOMAIN}"
                self.registrations.append(Plan(user_id_for(email), User, dict(
                    email=email, name=name, role="agent", team=team, region=region,
                    occurred_at=registered_at, actor=ACTOR)))
                self.agents.append(Agent(user_id_for(email), name, team))
        if not self.companies:
            for name, sector, city in FALLBACK_COMPANIES:
                cid = customer_id_for("demo", name)
                self.registrations.append(Plan(cid, Customer, dict(
                    id=cid, customer_kind="company", name=name,
                    contact_points=[{"kind": "phone", "value": f"+1 {dict(CITIES)[city]} 555 0100"},
                                    {"kind": "website", "value": f"https://{ascii_slug(name, '-')}.example.com"}],
                    segment={"sector": sector, "city": city}, occurred_at=registered_at, actor=ACTOR)))
                self.companies.append(Party(cid, name, "company", company_contacts(cid, name)))


def company_contacts(company_id: UUID, name: str) -> tuple[Contact, ...]:
    """Three people at the company, the same on every run (seeded by the company's id)."""
    rng = random.Random(str(company_id))
    people = []
    for _ in range(3):
        who = person_name(rng)
        people.append(Contact(name=who, email=work_email(who, name), phone=phone_number(rng),
                              handle=handle(who), title=rng.choice(JOB_TITLES)))
    return tuple(people)


def read_population(app: Touchline, *, demo_id: UUID) -> Population:
    """The company customers and active agents in the store, in a stable order.

    The scan stops at ``demo_id``, the demo's first customer: a re-run sees the store as
    the first run did (later imports do not change its plans) and learns when that run's
    history started.
    """
    companies: dict[UUID, str] = {}
    agents: dict[UUID, tuple[str, str]] = {}
    inactive: set[UUID] = set()
    started = None
    start = 0
    while started is None:
        page = app.recorder.select_notifications(start, 1000, topics=_TOPICS, inclusive_of_start=False)
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            if isinstance(event, Customer.Registered) and event.originator_id == demo_id:
                started = event.occurred_at
                break
            if isinstance(event, Customer.Registered):
                if event.actor != ACTOR and event.customer_kind == "company":
                    companies[event.originator_id] = event.name
            elif isinstance(event, Customer.MergedInto):
                companies.pop(event.originator_id, None)
            elif isinstance(event, User.Registered):
                if event.actor != ACTOR and event.role == "agent":
                    agents[event.originator_id] = (event.name, event.team or event.region or "Support")
            elif isinstance(event, User.Deactivated):
                inactive.add(event.originator_id)
            elif isinstance(event, User.Reactivated):
                inactive.discard(event.originator_id)
        if len(page) < 1000:
            break
        start = page[-1].id
    parties = [Party(cid, name, "company", company_contacts(cid, name)) for cid, name in companies.items()]
    staff = [Agent(uid, name, team) for uid, (name, team) in agents.items() if uid not in inactive]
    parties.sort(key=lambda p: (p.name.lower(), p.id))
    staff.sort(key=lambda a: (a.name.lower(), a.id))
    return Population(parties, staff, started)
