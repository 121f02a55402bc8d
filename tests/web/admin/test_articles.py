"""Knowledge articles in the panel: everyone signed in reads, only admins draft, revise (with a
rendered preview that saves nothing), publish and retire; the public page shows a published
article only."""

from __future__ import annotations

from uuid import UUID

from projections.views.knowledge import knowledge_articles
from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import READ, assert_matrix
from tests.web.admin.test_users import ADMIN_ONLY

ARTICLE = {"title": "Clearing a paper jam", "tags": "printer, paper-jam",
           "body": "Open the front tray.\n\nPull the <b>sheet</b> out gently."}


def article(panel: Panel, *, publish: bool = False, title: str = "Clearing a paper jam") -> UUID:
    app, now = panel.services.app, panel.clock.now()
    article_id = app.draft_article(title=title, body="Open the tray.", tags="printer", occurred_at=now,
                                   actor="system:test").id
    if publish:
        app.publish_article(article_id, occurred_at=now, actor="system:test")
    panel.catch_up()
    return article_id


def only_article(panel: Panel) -> UUID:
    with panel.services.views.connect() as conn:
        [found] = conn.execute(knowledge_articles.select()).all()
    return UUID(found.id)


def test_role_matrix_of_the_articles_views(panel: Panel) -> None:
    on = f"?id={article(panel)}"
    cells = [("GET /admin/articles/", "", None, READ), ("GET /admin/articles/details/" + on, "", None, READ),
             ("GET /admin/articles/export/csv/", "", None, READ),
             ("GET /admin/articles/new/", "", None, ADMIN_ONLY),
             ("POST /admin/articles/new/", "", {"title": ""}, ADMIN_ONLY),
             ("GET /admin/articles/edit/" + on, "", None, ADMIN_ONLY),
             ("POST /admin/articles/edit/" + on, "", {"title": ""}, ADMIN_ONLY),
             ("POST /admin/articles/action/", "", {"action": "publish", "rowid": on[4:]}, ADMIN_ONLY)]
    for command in ("publish", "retire"):
        cells += [(f"GET /admin/articles/act/{command}/" + on, "", None, ADMIN_ONLY),
                  (f"POST /admin/articles/act/{command}/" + on, "", {}, ADMIN_ONLY)]
    assert_matrix(panel, cells)


def test_readers_see_no_buttons_that_change_articles(panel: Panel) -> None:
    article_id = article(panel)
    for role in ("agent", "auditor"):
        client = panel.client(role)
        listed = client.get("/admin/articles/").get_data(as_text=True)
        assert "Clearing a paper jam" in listed and "/admin/articles/new/" not in listed
        details = client.get(f"/admin/articles/details/?id={article_id}").get_data(as_text=True)
        assert "/act/publish/" not in details


def test_the_preview_renders_the_public_page_and_saves_nothing(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, "/admin/articles/new/", {**ARTICLE, "_preview": "Preview"}).get_data(as_text=True)
    preview = page.split('id="article-preview"', 1)[1]
    assert "<p>Open the front tray.</p>" in preview
    assert "<p>Pull the &lt;b&gt;sheet&lt;/b&gt; out gently.</p>" in preview  # text, never markup
    assert "Topics: printer, paper-jam" in preview
    assert panel.event_count() == before


def test_draft_publish_revise_and_retire_an_article_and_its_public_page(stored_panel: Panel) -> None:
    panel = stored_panel
    admin, visitor = panel.client("admin"), panel.anonymous()
    with projecting(panel):
        assert panel.post(admin, "/admin/articles/new/", ARTICLE).status_code == 302
        listed = admin.get("/admin/articles/?search=paper").get_data(as_text=True)
        assert "Clearing a paper jam" in listed and "draft" in listed
        article_id = only_article(panel)
        assert visitor.get(f"/articles/{article_id}").status_code == 404  # a draft is not public
        url = f"/admin/articles/act/publish/?id={article_id}"
        assert panel.post(admin, url, {"version": "1"}).status_code == 302
        page = visitor.get(f"/articles/{article_id}")
        assert page.status_code == 200 and "<p>Open the front tray.</p>" in page.get_data(as_text=True)
        edit = f"/admin/articles/edit/?id={article_id}"
        assert panel.post(admin, edit, {**ARTICLE, "title": "Paper jams", "version": "2"}).status_code == 302
        assert '<h1 id="article-title">Paper jams</h1>' in visitor.get(f"/articles/{article_id}").get_data(
            as_text=True)
        csv = admin.get("/admin/articles/export/csv/").get_data(as_text=True)
        assert "Paper jams" in csv and "published" in csv
        retire = f"/admin/articles/act/retire/?id={article_id}"
        assert panel.post(admin, retire, {"reason": "Printer withdrawn", "version": "3"}).status_code == 302
    assert visitor.get(f"/articles/{article_id}").status_code == 404
    assert panel.services.app.get_article(article_id).status == "retired"


def test_bad_input_is_a_field_error_and_saves_nothing(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, "/admin/articles/new/", {**ARTICLE, "tags": "printer, not ok!"}).get_data(as_text=True)
    assert "is not a tag" in page.split('id="tags"', 1)[1][:800]
    page = panel.post(admin, "/admin/articles/new/", {**ARTICLE, "title": " "}).get_data(as_text=True)
    assert "is required" in page.split('id="title"', 1)[1][:800]
    assert panel.event_count() == before


def test_an_article_revised_meanwhile_is_a_conflict(panel: Panel) -> None:
    article_id = article(panel)
    admin = panel.client("admin")
    panel.services.app.revise_article(article_id, title="Someone else's", body="x", tags="printer",
                                      occurred_at=panel.clock.now(), actor="user:other")
    page = panel.post(admin, f"/admin/articles/edit/?id={article_id}", {**ARTICLE, "version": "1"})
    assert "someone else changed this record meanwhile" in page.get_data(as_text=True)
    assert panel.services.app.get_article(article_id).title == "Someone else's"


def test_unknown_draft_and_retired_articles_have_no_public_page(panel: Panel) -> None:
    visitor = panel.anonymous()
    draft, retired = article(panel), article(panel, publish=True, title="Old")
    panel.services.app.retire_article(retired, reason="Old", occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    for article_id in (draft, retired, "0d9c5a0e-0000-4000-8000-000000000000"):
        page = visitor.get(f"/articles/{article_id}")
        assert page.status_code == 404 and "Article not found" in page.get_data(as_text=True)
    assert visitor.get("/articles/not-an-id").status_code == 404
