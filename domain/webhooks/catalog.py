"""Which event types a webhook may carry, and the patterns subscriptions choose them with.

A type is ``Aggregate.Event`` (``Case.Opened``), as the event feed names it. A pattern is a
type, ``Aggregate.*`` (every event of one kind of record) or ``*`` (everything). Records of
secrets (API tokens, webhook subscriptions themselves) are never delivered.
"""

from __future__ import annotations

from domain.base import topics_of_events
from domain.errors import InvalidValueError

MAX_PATTERNS = 50


def event_types() -> dict[str, str]:
    """Deliverable event type (``Case.Opened``) -> its topic: all but records of secrets."""
    # Imported here: the webhook model imports this module.
    from domain.tokens.model import ApiToken, ApiTokenName
    from domain.webhooks.model import WebhookSubscription

    return topics_of_events(excluding=(ApiToken, ApiTokenName, WebhookSubscription))


def clean_patterns(patterns: list[str] | str) -> list[str]:
    """Validate patterns (a list, or text separated by commas or lines); sorted, no repeats."""
    raw = patterns.replace("\n", ",").split(",") if isinstance(patterns, str) else list(patterns)
    cleaned = {str(p).strip() for p in raw if str(p).strip()}
    if not cleaned:
        raise InvalidValueError("event_types", "choose at least one event type (e.g. Case.*, or * for all)")
    if len(cleaned) > MAX_PATTERNS:
        raise InvalidValueError("event_types", f"at most {MAX_PATTERNS} patterns")
    known = event_types()
    kinds = {name.partition(".")[0] for name in known}
    for pattern in sorted(cleaned):
        kind, dot, rest = pattern.partition(".")
        if pattern == "*" or pattern in known or (dot and rest == "*" and kind in kinds):
            continue
        raise InvalidValueError("event_types", f"unknown event type {pattern[:80]!r}; use a type such as "
                                               f"Case.Opened, a kind such as Case.*, or *")
    return sorted(cleaned)


def matches(patterns: list[str], event_type: str) -> bool:
    kind = event_type.partition(".")[0]
    return "*" in patterns or event_type in patterns or f"{kind}.*" in patterns


def topics_for(patterns: list[str]) -> list[str]:
    """The topics of every deliverable event type the patterns match (for the log's topic filter)."""
    return sorted(topic for name, topic in event_types().items() if matches(patterns, name))
