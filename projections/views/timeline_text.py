"""One readable line per event for the customer timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.cases.model import Case
from domain.customers.model import Customer
from domain.deals.model import Deal
from domain.personal import ERASED, personal_fields
from domain.promises.model import Promise
from domain.touchpoints.model import Touchpoint


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


_LINES: dict[type[Any], Callable[[Any, str], str]] = {
    Customer.Registered: lambda e, case: f"Registered as a {e.customer_kind}: {e.name}",
    Customer.DetailsChanged: lambda e, case: "Details changed",
    Customer.ConsentGiven: lambda e, case: f"Gave consent to {e.purpose.replace('_', ' ')}",
    Customer.ConsentWithdrawn: lambda e, case: f"Withdrew consent to {e.purpose.replace('_', ' ')}",
    Customer.MergedInto: lambda e, case: f"Merged into customer {e.survivor_id}",
    Customer.Absorbed: lambda e, case: f"Absorbed duplicate customer {e.duplicate_id}",
    Customer.WinBackOffered: lambda e, case: f"Win-back offer sent (coupon {e.coupon})",
    Customer.ExternalRefLinked: lambda e, case: f"Known in another system as {e.external_ref}",
    Touchpoint.Recorded: lambda e, case: f"{e.direction.capitalize()} {e.channel.replace('_', ' ')}: {e.subject}",
    Touchpoint.Corrected: lambda e, case: f"Touchpoint corrected ({', '.join(sorted(e.changes))}): {e.reason}",
    Touchpoint.Retracted: lambda e, case: f"Touchpoint retracted: {e.reason}",
    Case.Opened: lambda e, case: f"{case} opened ({e.priority}): {e.subject}",
    Case.Acknowledged: lambda e, case: f"{case} acknowledged to the customer",
    Case.Assigned: lambda e, case: f"{case} assigned to {e.assignee}",
    Case.Transferred: lambda e, case: f"{case} transferred to {e.to_assignee}: {e.note}",
    Case.AgentReplied: lambda e, case: f"{case}: {'reply' if e.public else 'internal note'}: {e.body[:120]}",
    Case.CustomerReplied: lambda e, case: f"{case}: customer replied by {e.channel}: {e.body[:120]}",
    Case.Pended: lambda e, case: f"{case} pending ({e.reason.replace('_', ' ')})",
    Case.Resumed: lambda e, case: f"{case} resumed",
    Case.PriorityChanged: lambda e, case: f"{case} priority changed to {e.priority}",
    Case.Resolved: lambda e, case: f"{case} resolved: {e.resolution[:120]}",
    Case.Reopened: lambda e, case: f"{case} reopened: {e.reason}",
    Case.Closed: lambda e, case: f"{case} closed",
    Case.SatisfactionRated: lambda e, case: f"{case} rated {e.score}/5",
    Case.SurveySent: lambda e, case: f"{case}: satisfaction survey sent",
    Promise.Made: lambda e, case: f"Promised ({e.promise_kind}) by {_when(e.due_at)}: {e.what}",
    Promise.Kept: lambda e, case: f"Promise kept{'' if e.on_time else ' late'}: {e.evidence[:120]}",
    Promise.Rescheduled: lambda e, case: f"Promise moved to {_when(e.due_at)}: {e.reason}",
    Promise.Cancelled: lambda e, case: f"Promise cancelled: {e.reason}",
    Promise.FollowUpSent: lambda e, case: f"Promise follow-up sent ({e.purpose.replace('_', ' ')})",
    Promise.HandedOver: lambda e, case: f"Promise handed over from {e.previous_owner} to {e.owner}",
    Deal.Opened: lambda e, case: f"Deal opened in {e.stage}: {e.title} ({e.value})",
    Deal.StageChanged: lambda e, case: f"Deal moved from {e.from_stage} to {e.to_stage}",
    Deal.Won: lambda e, case: f"Deal won ({e.close_value})",
    Deal.Lost: lambda e, case: f"Deal lost: {e.reason}",
    Deal.Reopened: lambda e, case: f"Deal reopened in {e.to_stage}: {e.reason}",
}


# Lines that quote personal fields, as they read once their customer is erased: the same
# whether written from erased events (a rebuild) or overwritten when ``Customer.Erased`` arrives.
ERASED_LINES: dict[type[Any], Callable[[str], str]] = {
    Customer.Registered: lambda case: f"Registered: {ERASED}",
    Customer.ExternalRefLinked: lambda case: f"Known in another system as {ERASED}",
    Touchpoint.Recorded: lambda case: f"Touchpoint: {ERASED}",
    Touchpoint.Retracted: lambda case: f"Touchpoint retracted: {ERASED}",
    Case.Opened: lambda case: f"{case} opened: {ERASED}",
    Case.Transferred: lambda case: f"{case} transferred: {ERASED}",
    Case.AgentReplied: lambda case: f"{case}: reply or note: {ERASED}",
    Case.CustomerReplied: lambda case: f"{case}: customer replied: {ERASED}",
    Case.Resolved: lambda case: f"{case} resolved: {ERASED}",
    Case.Reopened: lambda case: f"{case} reopened: {ERASED}",
    Promise.Made: lambda case: f"Promised: {ERASED}",
    Promise.Kept: lambda case: f"Promise kept: {ERASED}",
    Promise.Rescheduled: lambda case: f"Promise moved: {ERASED}",
    Promise.Cancelled: lambda case: f"Promise cancelled: {ERASED}",
    Deal.Opened: lambda case: f"Deal opened: {ERASED}",
}
ERASED_LINE_TYPES = {cls.__qualname__: cls for cls in ERASED_LINES}
_LINES[Customer.Erased] = lambda e, case: f"Personal data erased: {e.reason}"


# The full text an event carries beyond its line: what the customer wrote, a reply's body, a
# handover note. Shown under the line, so whoever picks up a case reads what was said, not its
# first 120 characters. All of it is personal data: erased with the customer (``detail``).
_DETAILS: dict[type[Any], Callable[[Any], str]] = {
    Touchpoint.Recorded: lambda e: e.summary,
    Touchpoint.Corrected: lambda e: e.changes.get("summary") or "",
    Case.Opened: lambda e: e.description,
    Case.AgentReplied: lambda e: e.body,
    Case.CustomerReplied: lambda e: e.body,
    Case.Transferred: lambda e: e.note,
    Case.Pended: lambda e: e.note,
    Case.Resolved: lambda e: e.resolution,
    Case.SatisfactionRated: lambda e: e.comment,
    Promise.Kept: lambda e: e.evidence,
    Promise.HandedOver: lambda e: e.note,
}


def detail(e: Any) -> str | None:
    """The full text ``e`` carries (None when none, or erased: as the erasure leaves the row)."""
    text = _DETAILS[type(e)](e) if type(e) in _DETAILS else ""
    if not isinstance(text, str) or not text.strip() or ERASED in (getattr(e, f, None) for f in personal_fields(type(e))):
        return None
    return text.strip()


def erased_line(event_type: str, code: str | None = None) -> str | None:
    """The erased form of a line of ``event_type`` (a qualified name), or None if it quotes nothing personal."""
    cls = ERASED_LINE_TYPES.get(event_type)
    return ERASED_LINES[cls](f"Case {code}" if code else "Case") if cls else None


def describe(e: Any, code: str | None = None) -> str:
    """A one-line, human summary of ``e``; ``code`` is the case's tracking code, if any."""
    if type(e) in ERASED_LINES and ERASED in (getattr(e, f, None) for f in personal_fields(type(e))):
        return erased_line(type(e).__qualname__, code) or ""
    line = _LINES.get(type(e))
    return (line(e, f"Case {code}" if code else "Case") if line else type(e).__qualname__)[:500]
