"""Which published articles fit a case: a small, deterministic ranking (no I/O).

Words are compared normalised: lower case, letters and digits only, a plural ``s`` dropped
(``printers`` ~ ``printer``), common words ignored. For each article:

- a tag matches when all its words occur in the case (``printer-jam`` needs both);
- a title word matches when it occurs in the case.

Score = 3 x matching tags + matching title words; articles scoring 0 are left out. Ties go
to the article published last, then the title, then the id, so the same case and articles
always give the same links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "for", "from", "has", "have", "how", "i",
    "if", "in", "is", "it", "its", "my", "no", "not", "of", "on", "or", "our", "so", "that", "the", "their", "there",
    "this", "to", "was", "we", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your"))
TAG_WEIGHT = 3


@dataclass(frozen=True)
class ArticleCard:
    """What matching needs to know of a published article."""

    id: str
    title: str
    tags: tuple[str, ...]
    published_at: datetime


def words(*texts: str | None) -> set[str]:
    """The normalised words of ``texts`` (see the module's docstring)."""
    found = set()
    for raw in re.findall(r"[a-z0-9]+", " ".join(t for t in texts if t).lower()):
        word = raw[:-1] if len(raw) > 3 and raw.endswith("s") and not raw.endswith("ss") else raw
        if word not in STOP_WORDS and len(word) > 1:
            found.add(word)
    return found


def score(article: ArticleCard, case_words: set[str]) -> int:
    tags = sum(1 for tag in article.tags if (parts := words(tag.replace("-", " "))) and parts <= case_words)
    return TAG_WEIGHT * tags + len(words(article.title) & case_words)


def match_articles(articles: Iterable[ArticleCard], *texts: str | None, limit: int = 3) -> list[ArticleCard]:
    """Up to ``limit`` articles for a case whose subject and first message are ``texts``, best first."""
    case_words = words(*texts)
    scored = [(s, a) for a in articles if (s := score(a, case_words)) > 0]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].published_at.timestamp(), pair[1].title.lower(), pair[1].id))
    return [a for _, a in scored[:limit]]
