"""What a leaving user still holds (active cases, open promises: counted in the read models),
and handing their active cases to a colleague with ``transfer_case`` and a handover note.
A promise's owner cannot be changed (the domain has no such command): open promises are only
counted, for a colleague to keep, reschedule or cancel. Used by the panel and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from domain.application import Touchline
from domain.cases.model import ACTIVE
from domain.errors import DomainError
from projections.views.cases import cases
from projections.views.promises import promises
from web.admin.pages.reading import read_models

WHERE = ("transfer the cases from the panel's Cases list (filter by Assignee); keep, reschedule or cancel the "
         "promises from the Promises list (filter by Owner): a promise's owner cannot be changed")


def plural(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


@dataclass(frozen=True)
class HeldWork:
    cases: list[tuple[UUID, str, int]]  # active cases: (id, tracking code, version the read model shows)
    open_promises: int
    unknown: str | None = None  # why it could not be counted

    def summary(self, who: str) -> str:
        """What ``who`` holds and where to reassign it; empty when they hold nothing."""
        if self.unknown:
            return f"What {who} still holds could not be counted: {self.unknown}"
        if not self.cases and not self.open_promises:
            return ""
        return (f"{who} still holds {plural(len(self.cases), 'active case')} and "
                f"{plural(self.open_promises, 'open promise')}: {WHERE}.")


def held_work(user_id: UUID, email: str) -> HeldWork:
    """The user's active cases and open promises, under every reference work names them by
    (``user:<id>``, ``user:<email>``, the bare id of imports), as the read models show them."""
    refs = (f"user:{user_id}", f"user:{email}", str(user_id))

    def fetch(conn: sa.Connection) -> HeldWork:
        rows = conn.execute(sa.select(cases.c.id, cases.c.tracking_code, cases.c.version)
                            .where(cases.c.assignee.in_(refs), cases.c.status.in_(ACTIVE))
                            .order_by(cases.c.tracking_code)).all()
        held = conn.execute(sa.select(sa.func.count()).select_from(promises)
                            .where(promises.c.owner.in_(refs), promises.c.status == "open")).scalar_one()
        return HeldWork([(UUID(str(r.id)), r.tracking_code, r.version) for r in rows], held)

    found, unavailable = read_models(fetch)
    return found or HeldWork([], 0, unknown=unavailable)


def handover_note(who: str, reason: str) -> str:
    """The note each transferred case carries (the next agent reads it on the case)."""
    return f"Handed over: {who} was deactivated ({reason}). The conversation so far is on this case."


@dataclass(frozen=True)
class Handover:
    moved: list[str]  # tracking codes
    left: list[str]  # "CODE (why)"
    position: int  # the log position of the last transfer (0: none)


def hand_over(app: Touchline, work: HeldWork, to: str, *, note: str, occurred_at: datetime, actor: str) -> Handover:
    """Transfer ``work``'s active cases to ``to`` (``user:<id>``), each at the version the read
    model showed: a case changed since (taken by someone, resolved) is left and named, not overridden."""
    moved, left, position = [], [], 0
    for case_id, code, version in work.cases:
        try:
            receipt = app.transfer_case(case_id, to_assignee=to, note=note, expected_version=version,
                                        occurred_at=occurred_at, actor=actor)
        except DomainError as exc:
            left.append(f"{code} ({exc})")
            continue
        moved.append(code)
        position = max(position, receipt.position or 0)
    return Handover(moved, left, position)


def remaining(work: HeldWork, done: Handover) -> HeldWork:
    """What is still held after ``done``."""
    return HeldWork([c for c in work.cases if c[1] not in done.moved], work.open_promises)
