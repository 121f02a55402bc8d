"""What a leaving user still holds (active cases, open promises, open deals: read from the read
models), and handing it to a colleague: each case with ``transfer_case`` and a handover note,
each promise and deal handed over with the same note, at the version the read model showed (a
record changed since is left and named). Used by the panel and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from domain.application import Touchline
from domain.cases.model import ACTIVE
from domain.deals.model import LOST, WON
from domain.errors import DomainError
from projections.views.cases import cases
from projections.views.deals import deals
from projections.views.promises import promises
from web.admin.pages.reading import read_models

WHERE = ("hand them over on the user's Deactivate form (or `--reassign-to`), or one by one: Transfer on the "
         "Cases list (filter by Assignee), Hand over on the Promises and Deals lists (filter by Owner)")
# The same advice where it is given on the Deactivate form itself.
HERE = "pick a colleague here to take them all, each with a handover note, or leave it blank and hand them over yourself"


def plural(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


@dataclass(frozen=True)
class Held:
    kind: str  # "case", "promise" or "deal"
    id: UUID
    label: str  # a case's tracking code; a promise's first words
    version: int  # as the read model shows it


@dataclass(frozen=True)
class HeldWork:
    items: list[Held]
    unknown: str | None = None  # why it could not be counted

    def count(self, kind: str) -> int:
        return sum(1 for item in self.items if item.kind == kind)

    def summary(self, who: str, where: str = WHERE) -> str:
        """What ``who`` holds and where to hand it over; empty when they hold nothing."""
        if self.unknown:
            return f"What {who} still holds could not be counted: {self.unknown}"
        if not self.items:
            return ""
        return (f"{who} still holds {plural(self.count('case'), 'active case')}, "
                f"{plural(self.count('promise'), 'open promise')} and {plural(self.count('deal'), 'open deal')}: "
                f"{where}.")


def held_work(user_id: UUID, email: str) -> HeldWork:
    """The user's active cases and open promises, under every reference work names them by
    (``user:<id>``, ``user:<email>``, the bare id of imports), as the read models show them."""
    refs = (f"user:{user_id}", f"user:{email}", str(user_id))

    def fetch(conn: sa.Connection) -> HeldWork:
        held = [Held("case", UUID(str(r.id)), r.tracking_code, r.version) for r in conn.execute(
            sa.select(cases.c.id, cases.c.tracking_code, cases.c.version)
            .where(cases.c.assignee.in_(refs), cases.c.status.in_(ACTIVE)).order_by(cases.c.tracking_code))]
        held += [Held("promise", UUID(str(r.id)), f"promise {r.what[:40]!r}", r.version) for r in conn.execute(
            sa.select(promises.c.id, promises.c.what, promises.c.version)
            .where(promises.c.owner.in_(refs), promises.c.status == "open").order_by(promises.c.due_at))]
        held += [Held("deal", UUID(str(r.id)), f"deal {r.title[:40]!r}", r.version) for r in conn.execute(
            sa.select(deals.c.id, deals.c.title, deals.c.version)
            .where(deals.c.owner.in_(refs), deals.c.stage.not_in((WON, LOST))).order_by(deals.c.opened_at))]
        return HeldWork(held)

    found, unavailable = read_models(fetch)
    return found or HeldWork([], unknown=unavailable)


def handover_note(who: str, reason: str) -> str:
    """The note each case, promise and deal handed over carries (the next owner reads it on the record)."""
    return f"Handed over: {who} was deactivated ({reason}). The conversation so far is on the record."


@dataclass(frozen=True)
class Handover:
    moved: list[Held]
    left: list[str]  # "LABEL (why)"
    position: int  # the log position of the last change (0: none)

    def report(self, to: str) -> list[tuple[str, str]]:
        """(category, line) messages for the panel and the CLI."""
        lines = [("success", f"Handed over to {to}: {', '.join(item.label for item in self.moved)}.")] \
            if self.moved else []
        return lines + ([("error", f"Not handed over: {'; '.join(self.left)}.")] if self.left else [])


def hand_over(app: Touchline, work: HeldWork, to: str, *, note: str, occurred_at: datetime, actor: str) -> Handover:
    """Give ``work`` to ``to`` (``user:<id>``), each record at the version the read model showed."""
    moved, left, position = [], [], 0
    for item in work.items:
        common = {"note": note, "expected_version": item.version, "occurred_at": occurred_at, "actor": actor}
        try:
            if item.kind == "case":
                receipt = app.transfer_case(item.id, to_assignee=to, **common)
            elif item.kind == "promise":
                receipt = app.hand_over_promise(item.id, to_owner=to, **common)
            else:
                receipt = app.hand_over_deal(item.id, to_owner=to, **common)
        except DomainError as exc:
            left.append(f"{item.label} ({exc})")
            continue
        moved.append(item)
        position = max(position, receipt.position or 0)
    return Handover(moved, left, position)


def remaining(work: HeldWork, done: Handover) -> HeldWork:
    """What is still held after ``done``."""
    return HeldWork([item for item in work.items if item not in done.moved])
