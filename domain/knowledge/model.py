"""The KnowledgeArticle aggregate: a help article for customers, with topic tags.

Drafted, revised any number of times, published (then it is public and acknowledgements may
link to it), revised while published (the public page shows the new text), and retired (no
longer public, never linked again; final). Every change is an event.
"""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.values import text

STATUSES = ("draft", "published", "retired")
MAX_TAGS = 10
_TAG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ArticleStateError(DomainError):
    """The article's status does not allow that (a retired article cannot change)."""


def clean_tags(tags: list[str] | tuple[str, ...] | str | None) -> tuple[str, ...]:
    """Tags lower-cased, in the order given, duplicates dropped: words joined by hyphens
    (``billing``, ``printer-jam``), 2-40 characters, 1 to ``MAX_TAGS`` of them. A text is
    split at commas and spaces."""
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,\s]+", tags) if t]
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
        raise InvalidValueError("tags", "must be a list of words")
    cleaned: list[str] = []
    for tag in (t.strip().lower() for t in tags):
        if not (2 <= len(tag) <= 40 and _TAG.fullmatch(tag)):
            raise InvalidValueError("tags", f"{tag!r} is not a tag: use 2-40 letters or digits, words joined by '-'")
        if tag not in cleaned:
            cleaned.append(tag)
    if not cleaned:
        raise InvalidValueError("tags", "give at least one topic tag, e.g. billing")
    if len(cleaned) > MAX_TAGS:
        raise InvalidValueError("tags", f"has {len(cleaned)} tags; at most {MAX_TAGS}")
    return tuple(cleaned)


def checked_content(title: str, body: str, tags: list[str] | tuple[str, ...] | str | None
                    ) -> tuple[str, str, tuple[str, ...]]:
    return text("title", title, max_length=200), text("body", body, max_length=50_000), clean_tags(tags)


class KnowledgeArticle(Entity):
    kind = "Article"

    @classmethod
    def draft(cls, *, id: UUID, title: str, body: str, tags: list[str] | tuple[str, ...] | str,
              occurred_at: datetime, actor: str) -> KnowledgeArticle:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        title, body, cleaned = checked_content(title, body, tags)
        return cls(id=id, title=title, body=body, tags=list(cleaned), occurred_at=occurred_at, actor=actor)

    @event("Drafted")
    def __init__(self, *, id: UUID, title: str, body: str, tags: list[str], occurred_at: datetime,
                 actor: str) -> None:
        self.title = title
        self.body = body
        self.tags = tuple(tags)
        self.status = "draft"
        self.published_at: datetime | None = None
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return repr(self.title)

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    def _check_not_retired(self, action: str) -> None:
        if self.status == "retired":
            raise ArticleStateError(f"article {self.label} is retired: cannot {action} it")

    def revise(self, *, title: str, body: str, tags: list[str] | tuple[str, ...] | str, occurred_at: datetime,
               actor: str) -> bool:
        """New title, body and tags; False when nothing differs (no event)."""
        self._check_not_retired("revise")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        title, body, cleaned = checked_content(title, body, tags)
        if (title, body, cleaned) == (self.title, self.body, self.tags):
            return False
        self._revised(title=title, body=body, tags=list(cleaned), occurred_at=occurred_at, actor=actor)
        return True

    @event("Revised")
    def _revised(self, title: str, body: str, tags: list[str], occurred_at: datetime, actor: str) -> None:
        self.title = title
        self.body = body
        self.tags = tuple(tags)
        self.last_occurred_at = occurred_at

    def publish(self, *, occurred_at: datetime, actor: str) -> bool:
        """Make a draft public; False when it is published already."""
        self._check_not_retired("publish")
        if self.status == "published":
            return False
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._published(occurred_at=occurred_at, actor=actor)
        return True

    @event("Published")
    def _published(self, occurred_at: datetime, actor: str) -> None:
        self.status = "published"
        self.published_at = occurred_at
        self.last_occurred_at = occurred_at

    def retire(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        """Take the article down for good (its page answers 404, nothing links to it)."""
        self._check_not_retired("retire")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._retired(reason=text("reason", reason, max_length=2000), occurred_at=occurred_at, actor=actor)

    @event("Retired")
    def _retired(self, reason: str, occurred_at: datetime, actor: str) -> None:
        self.status = "retired"
        self.last_occurred_at = occurred_at
