"""Knowledge articles as they stand: the panel's list, the public pages and the scheduler's
matching read them here."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.knowledge.matching import ArticleCard
from domain.knowledge.model import KnowledgeArticle
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, UTCDateTime, metadata

knowledge_articles = sa.Table(
    "knowledge_articles", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("tags", sa.String(500), nullable=False),  # "billing refund": searchable and filterable as text
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("drafted_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.Column("retired_at", UTCDateTime),
    sa.Column("revisions", sa.Integer, nullable=False, default=0),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_knowledge_articles_status_published", "status", "published_at"),
    sa.Index("ix_knowledge_articles_updated", "updated_at", "id"),
)
k = knowledge_articles.c


def published_cards(conn: sa.Connection) -> list[ArticleCard]:
    """Every published article, as matching needs it."""
    rows = conn.execute(sa.select(k.id, k.title, k.tags, k.published_at).where(k.status == "published"))
    return [ArticleCard(r.id, r.title, tuple(r.tags.split()), r.published_at) for r in rows]


def published_article(conn: sa.Connection, article_id: str) -> dict[str, Any] | None:
    """One article if it is published (the public page), else None."""
    row = conn.execute(sa.select(knowledge_articles).where(k.id == article_id, k.status == "published"))
    found = row.mappings().first()
    return dict(found) if found else None


class KnowledgeProjection(Projection):
    name = "knowledge"
    version = 1
    tables = (knowledge_articles,)

    def prefetch(self, events: list[Any], rows: Rows) -> None:
        rows.prefetch(knowledge_articles, self.ids(events, "originator_id"))

    def _set(self, e: Any, rows: Rows, **changes: Any) -> dict[str, Any] | None:
        return rows.update(knowledge_articles, str(e.originator_id), version=e.originator_version,
                           updated_at=e.occurred_at, **changes)

    @handles(KnowledgeArticle.Drafted)
    def drafted(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(knowledge_articles, {
            "id": str(e.originator_id), "title": e.title, "body": e.body, "tags": " ".join(e.tags),
            "status": "draft", "drafted_at": e.occurred_at, "updated_at": e.occurred_at, "revisions": 0,
            "version": e.originator_version,
        })

    @handles(KnowledgeArticle.Revised)
    def revised(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(knowledge_articles, str(e.originator_id))
        if row:
            self._set(e, rows, title=e.title, body=e.body, tags=" ".join(e.tags), revisions=row["revisions"] + 1)

    @handles(KnowledgeArticle.Published)
    def published(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="published", published_at=e.occurred_at)

    @handles(KnowledgeArticle.Retired)
    def retired(self, e: Any, ctx: Context, rows: Rows) -> None:
        self._set(e, rows, status="retired", retired_at=e.occurred_at)
