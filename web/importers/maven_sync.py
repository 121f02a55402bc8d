"""Bring one Maven record and its stored aggregate (if any) into agreement.

Each ``sync_*`` returns the aggregate with the events that make it match the file, through
the aggregates' own factory and command methods (which validate), or None when nothing
differs. What the domain has no command for, or what would rewrite history, is refused
with ``RowError`` rather than ignored.

Business time: deal events happen at their file dates; everything the file does not date
(registrations, changed details, a Prospecting deal without engage_date) happens at the
import's ``now``: it counts from when Touchline learnt of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.customers.model import Customer, customer_id_for
from domain.deals.model import Deal, Pipeline, deal_id_for
from domain.products.model import Product
from domain.users.model import User, user_id_for
from web.importers.csvfiles import RowError
from web.importers.maven_rows import (
    ENGAGING, LOST, PROSPECTING, SEGMENT_KEYS, STAGES, WON, Account, Opportunity, ProductRow, TeamRow,
)

ACTOR = "import:maven"
LOST_REASON = "maven: lost"


def sync_customer(account: Account, stored: Customer | None, now: datetime) -> Customer | None:
    """Register the account as a company, or change its name and the segment keys it owns."""
    if stored is None:
        return Customer.register(
            id=customer_id_for("maven", account.name), customer_kind="company", name=account.name,
            segment=account.segment(), external_ref=f"maven:account:{account.name}", occurred_at=now, actor=ACTOR,
        )
    if stored.merged_into is not None:
        return None  # merged by a person into another customer: the survivor's details are theirs
    # Segment keys the import does not own (added in Touchline) are kept.
    segment = {k: v for k, v in stored.segment.items() if k not in SEGMENT_KEYS} | account.segment()
    changed = stored.change_details(name=account.name, segment=segment, occurred_at=now, actor=ACTOR)
    return stored if changed else None


def sync_product(row: ProductRow, stored: Product | None, now: datetime) -> Product | None:
    """Register the product, or change its list price (name and series stay as first imported)."""
    if stored is None:
        return Product.register(name=row.name, series=row.series, list_price=row.list_price, occurred_at=now, actor=ACTOR)
    return stored if stored.change_price(list_price=row.list_price, occurred_at=now, actor=ACTOR) else None


@dataclass(frozen=True)
class Member:
    """A sales person as a Touchline user: agents and managers alike have the role agent."""

    email: str
    name: str
    team: str | None
    region: str | None
    manager_id: UUID | None


def agent_of(t: TeamRow) -> Member:
    return Member(t.agent_email, t.agent, t.manager, t.office, user_id_for(t.manager_email) if t.manager_email else None)


def manager_of(t: TeamRow) -> Member | None:
    """The manager named in ``t``: they lead a team named after them, in ``t``'s office."""
    if t.manager is None or t.manager_email is None:
        return None
    return Member(t.manager_email, t.manager, t.manager, t.office, None)


def sync_user(member: Member, stored: User | None, now: datetime) -> User | None:
    """Register the user, or change team, region, manager or name (a role given in Touchline is kept)."""
    if stored is None:
        return User.register(email=member.email, name=member.name, role="agent", team=member.team,
                             region=member.region, manager_id=member.manager_id, occurred_at=now, actor=ACTOR)
    changed = stored.change_profile(name=member.name, role=stored.role, team=member.team, region=member.region,
                                    manager_id=member.manager_id, occurred_at=now, actor=ACTOR)
    return stored if changed else None


@dataclass(frozen=True)
class DealLinks:
    """What an opportunity row points at, resolved to Touchline ids."""

    customer_id: UUID | None
    product_id: UUID
    owner: str
    title: str
    value: Decimal


def sync_deal(o: Opportunity, links: DealLinks, stored: Deal | None, pipeline: Pipeline, now: datetime) -> Deal | None:
    """Open the deal and replay its stages, or move a stored deal forward to the file's stage."""
    if stored is None:
        deal = Deal.open(
            id=deal_id_for("maven", o.id), pipeline=pipeline, customer_id=links.customer_id,
            product_id=links.product_id, title=links.title, value=links.value, owner=links.owner,
            stage=PROSPECTING, external_ref=f"maven:opportunity:{o.id}", occurred_at=o.engage_date or now,
            actor=ACTOR,
        )
    else:
        check_same_links(stored, links)
        deal = stored
    advance(deal, o, pipeline)
    return deal if deal.pending_events else None


def check_same_links(deal: Deal, links: DealLinks) -> None:
    differing = [
        name for name, stored, wanted in (
            ("account", deal.customer_id, links.customer_id), ("product", deal.product_id, links.product_id),
            ("sales_agent", deal.owner, links.owner),
        ) if stored != wanted
    ]
    if differing:
        raise RowError(
            f"{' and '.join(differing)} differ from the stored deal {deal.title!r}; "
            "an import does not reassign deals: change it in Touchline"
        )


def advance(deal: Deal, o: Opportunity, pipeline: Pipeline) -> None:
    """Append the stage changes from ``deal.stage`` to ``o.stage``: forward only."""
    if deal.stage == o.stage:
        check_same_outcome(deal, o)
        return
    if deal.is_closed or rank(o.stage) < rank(deal.stage):
        raise RowError(
            f"the stored deal is {deal.stage} and the file says {o.stage}; "
            "an import only moves deals forward"
        )
    if deal.stage == PROSPECTING:
        assert o.engage_date is not None  # parse_opportunity: every later stage has one
        # A deal first recorded as Prospecting (at import time) cannot have engaged before that.
        deal.move(stage=ENGAGING, pipeline=pipeline, occurred_at=max(o.engage_date, deal.stage_entered_at),
                  actor=ACTOR)
    if o.stage in (WON, LOST):
        assert o.close_date is not None
        if o.close_date < deal.stage_entered_at:
            raise RowError(
                f"close_date {o.close_date:%Y-%m-%d} is before the stored deal entered "
                f"{deal.stage} ({deal.stage_entered_at:%Y-%m-%d %H:%M} UTC)"
            )
        if o.stage == WON:
            assert o.close_value is not None
            deal.win(close_value=o.close_value, occurred_at=o.close_date, actor=ACTOR)
        else:
            deal.lose(reason=LOST_REASON, occurred_at=o.close_date, actor=ACTOR)


def check_same_outcome(deal: Deal, o: Opportunity) -> None:
    """A closed deal's date and value are history: a file that disagrees is refused."""
    if not deal.is_closed:
        return
    value_differs = o.stage == WON and deal.close_value != o.close_value
    if deal.stage_entered_at != o.close_date or value_differs:
        raise RowError(
            f"the stored deal was {deal.stage} on {deal.stage_entered_at:%Y-%m-%d} for {deal.close_value}; "
            f"the file says {o.close_date:%Y-%m-%d} for {o.close_value}; an import does not rewrite closed deals"
        )


def rank(stage: str) -> int:
    return min(STAGES.index(stage), STAGES.index(WON))
