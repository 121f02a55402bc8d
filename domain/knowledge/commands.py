"""Knowledge-article commands of the Application: draft, revise, publish, retire."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.knowledge.model import KnowledgeArticle
from domain.service import Receipt, Service


class KnowledgeCommands(Service):
    def draft_article(self, *, title: str, body: str, tags: list[str] | tuple[str, ...] | str,
                      id: UUID | None = None, occurred_at: datetime, actor: str) -> Receipt:
        return self._save(KnowledgeArticle.draft(id=id or uuid4(), title=title, body=body, tags=tags,
                                                 occurred_at=occurred_at, actor=actor))

    def _article_act(self, article_id: UUID, method: str, expected_version: int | None, **kwargs: Any) -> Receipt:
        article = self._get(KnowledgeArticle, article_id, expected_version)
        if getattr(article, method)(**kwargs) is False:
            return self._unchanged(article)
        return self._save(article)

    def revise_article(self, article_id: UUID, *, title: str, body: str, tags: list[str] | tuple[str, ...] | str,
                       expected_version: int | None = None, occurred_at: datetime, actor: str) -> Receipt:
        return self._article_act(article_id, "revise", expected_version, title=title, body=body, tags=tags,
                                 occurred_at=occurred_at, actor=actor)

    def publish_article(self, article_id: UUID, *, expected_version: int | None = None, occurred_at: datetime,
                        actor: str) -> Receipt:
        return self._article_act(article_id, "publish", expected_version, occurred_at=occurred_at, actor=actor)

    def retire_article(self, article_id: UUID, *, reason: str, expected_version: int | None = None,
                       occurred_at: datetime, actor: str) -> Receipt:
        return self._article_act(article_id, "retire", expected_version, reason=reason, occurred_at=occurred_at,
                                 actor=actor)

    def get_article(self, article_id: UUID, *, version: int | None = None) -> KnowledgeArticle:
        return self._get(KnowledgeArticle, article_id, version=version)
