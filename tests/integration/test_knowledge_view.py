"""The knowledge and message-template read models on both databases: what the articles went
through, matching reads only the published ones, and a rebuild from the log gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from projections.verify import verify_projections
from projections.views.knowledge import (
    knowledge_articles,
    published_article,
    published_cards,
)
from projections.views.message_templates import message_templates
from web.services import Services, build_services

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = "user:admin"


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=FixedClock(T0))
    yield found
    found.close()


def test_the_views_follow_each_article_and_template_and_rebuild_identically(services: Services) -> None:
    app = services.app
    kept = app.draft_article(title="Paper jams", body="Open the tray.", tags="printer", occurred_at=T0,
                             actor=ADMIN).id
    app.publish_article(kept, occurred_at=T0 + timedelta(hours=1), actor=ADMIN)
    app.revise_article(kept, title="Clearing paper jams", body="Open the tray.", tags=["printer", "paper-jam"],
                       occurred_at=T0 + timedelta(hours=2), actor=ADMIN)
    gone = app.draft_article(title="Old model", body="x", tags="printer", occurred_at=T0, actor=ADMIN).id
    app.publish_article(gone, occurred_at=T0, actor=ADMIN)
    app.retire_article(gone, reason="Withdrawn", occurred_at=T0 + timedelta(hours=3), actor=ADMIN)
    app.draft_article(title="Draft", body="x", tags="billing", occurred_at=T0, actor=ADMIN)
    app.save_message_template(purpose="acknowledgement", subject="[{{ code }}]", body="Thanks",
                              occurred_at=T0, actor=ADMIN)
    app.save_message_template(purpose="acknowledgement", subject="[{{ code }}] Thanks", body="Thanks",
                              occurred_at=T0 + timedelta(hours=1), actor="user:other")
    runner = services.projection_runner()
    try:
        runner.catch_up()
        with services.views.connect() as conn:
            row = conn.execute(sa.select(knowledge_articles).where(knowledge_articles.c.id == str(kept))).one()
            cards = published_cards(conn)
            retired = published_article(conn, str(gone))
            template = conn.execute(sa.select(message_templates)).one()
        assert (row.title, row.tags, row.status, row.revisions, row.version) == (
            "Clearing paper jams", "printer paper-jam", "published", 1, 3)
        assert (row.published_at, row.updated_at) == (T0 + timedelta(hours=1), T0 + timedelta(hours=2))
        assert [(c.id, c.tags) for c in cards] == [(str(kept), ("printer", "paper-jam"))]
        assert retired is None
        assert (template.purpose, template.subject, template.version, template.revised_by) == (
            "acknowledgement", "[{{ code }}] Thanks", 2, "user:other")
        projections = [p for p in runner.projections if p.name in ("knowledge", "message_templates")]
        reports = verify_projections(app, services.views, projections)
        assert [(r.projection, r.rows_compared, r.differences) for r in reports] == [
            ("knowledge", 3, []), ("message_templates", 1, [])]
    finally:
        runner.close()
