"""Knowledge articles: drafted, revised, published, retired; every change an event, bad input a
named error on the field, and a retired article is final."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError, StaleVersionError
from domain.knowledge.model import ArticleStateError, KnowledgeArticle, clean_tags

ADMIN = "user:admin"
BODY = "Open the front tray.\n\nPull the sheet out gently."


def draft(app: Touchline, now: datetime, **changes: object) -> UUID:
    fields: dict[str, object] = {"title": "Clearing a paper jam", "body": BODY, "tags": "printer, paper-jam",
                                 **changes}
    return app.draft_article(occurred_at=now, actor=ADMIN, **fields).id  # type: ignore[arg-type]


def test_an_article_goes_from_draft_to_published_to_retired_and_each_step_is_an_event(
    memory_app: Touchline, now: datetime
) -> None:
    article_id = draft(memory_app, now)
    assert memory_app.get_article(article_id).status == "draft"
    memory_app.revise_article(article_id, title="Clearing a paper jam", body=BODY + "\n\nCall us.",
                              tags=["printer", "paper-jam", "tray"], occurred_at=now, actor=ADMIN)
    memory_app.publish_article(article_id, occurred_at=now, actor=ADMIN)
    published = memory_app.get_article(article_id)
    assert (published.status, published.tags, published.published_at) == ("published", ("printer", "paper-jam",
                                                                                           "tray"), now)
    memory_app.retire_article(article_id, reason="Printer model withdrawn", occurred_at=now, actor=ADMIN)
    kinds = [type(e).__name__ for e in memory_app.events.get(article_id)]
    assert kinds == ["Drafted", "Revised", "Published", "Retired"]
    assert memory_app.get_article(article_id, version=3).status == "published"


def test_an_unchanged_revision_or_a_second_publish_records_nothing(memory_app: Touchline, now: datetime) -> None:
    article_id = draft(memory_app, now)
    same = memory_app.revise_article(article_id, title="Clearing a paper jam", body=BODY, tags="Printer paper-jam",
                                     occurred_at=now, actor=ADMIN)
    assert same.position is None
    memory_app.publish_article(article_id, occurred_at=now, actor=ADMIN)
    again = memory_app.publish_article(article_id, occurred_at=now, actor=ADMIN)
    assert (again.position, again.version) == (None, 2)


@pytest.mark.parametrize("action", ["revise", "publish", "retire"])
def test_a_retired_article_cannot_change_any_more(memory_app: Touchline, now: datetime, action: str) -> None:
    article_id = draft(memory_app, now)
    memory_app.retire_article(article_id, reason="Wrong", occurred_at=now, actor=ADMIN)
    calls = {
        "revise": lambda: memory_app.revise_article(article_id, title="T", body="B", tags="x1", occurred_at=now,
                                                    actor=ADMIN),
        "publish": lambda: memory_app.publish_article(article_id, occurred_at=now, actor=ADMIN),
        "retire": lambda: memory_app.retire_article(article_id, reason="Again", occurred_at=now, actor=ADMIN),
    }
    with pytest.raises(ArticleStateError, match="retired"):
        calls[action]()


@pytest.mark.parametrize(("field", "changes", "message"), [
    ("title", {"title": "  "}, "is required"),
    ("title", {"title": "x" * 201}, "longer than 200"),
    ("body", {"body": ""}, "is required"),
    ("tags", {"tags": ""}, "at least one topic tag"),
    ("tags", {"tags": ["billing", "no spaces!"]}, "is not a tag"),
    ("tags", {"tags": "a"}, "is not a tag"),
    ("tags", {"tags": " ".join(f"t{i}" for i in range(11))}, "at most 10"),
    ("tags", {"tags": 42}, "list of words"),
])
def test_bad_content_is_refused_naming_the_field(
    memory_app: Touchline, now: datetime, field: str, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidValueError, match=message) as refused:
        draft(memory_app, now, **changes)
    assert refused.value.field == field


def test_retiring_needs_a_reason_and_acting_on_a_stale_version_is_refused(memory_app: Touchline, now: datetime
                                                                          ) -> None:
    article_id = draft(memory_app, now)
    with pytest.raises(InvalidValueError) as refused:
        memory_app.retire_article(article_id, reason=" ", occurred_at=now, actor=ADMIN)
    assert refused.value.field == "reason"
    memory_app.publish_article(article_id, occurred_at=now, actor=ADMIN)
    with pytest.raises(StaleVersionError):
        memory_app.revise_article(article_id, title="New", body=BODY, tags="printer", expected_version=1,
                                  occurred_at=now, actor=ADMIN)


def test_tags_are_lower_cased_and_kept_once_in_the_order_given() -> None:
    assert clean_tags("Billing, refund  billing,Printer-Jam") == ("billing", "refund", "printer-jam")
    assert KnowledgeArticle.kind == "Article"
