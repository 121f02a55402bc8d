"""Knowledge articles: everyone signed in reads the list; admins draft, revise (with a rendered
preview: the "Preview" button shows the public page's rendering and saves nothing), publish
and retire."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import request

from domain.knowledge.model import STATUSES
from projections import models
from web.admin.access import ADMINS
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.cases import ConfirmForm
from web.admin.forms.knowledge import (
    DraftArticleForm,
    RetireArticleForm,
    ReviseArticleForm,
)
from web.admin.views import filters
from web.admin.views.display import fmt_details, fmt_time, links, page_url

PREVIEW = "_preview"  # the name of the form's Preview button

ARTICLE_COMMANDS = (
    RowCommand("publish", "Publish", ConfirmForm, lambda app, i, v, kw: app.publish_article(i, **kw),
               offered=lambda row: row.status == "draft", bulk=True, style="success"),
    RowCommand("retire", "Retire", RetireArticleForm,
               lambda app, i, v, kw: app.retire_article(i, reason=v["reason"], **kw),
               offered=lambda row: row.status != "retired", style="danger"),
)


def draft_article(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.draft_article(title=v["title"], body=v["body"], tags=v["tags"], **kw)


def revise_article(app: Any, article_id: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.revise_article(article_id, title=v["title"], body=v["body"], tags=v["tags"], **kw)


class ArticlesView(CommandView):
    write_roles = ADMINS
    create_command = staticmethod(draft_article)
    create_form_class = DraftArticleForm
    edit_command = staticmethod(revise_article)
    edit_form_class = ReviseArticleForm
    row_commands = ARTICLE_COMMANDS
    form_ajax_refs = None
    create_template = "admin/views/article_create.html"
    edit_template = "admin/views/article_edit.html"
    column_list = ("title", "status", "tags", "updated_at", "published_at", "revisions")
    column_details_list = ("title", "status", "tags", "body", "drafted_at", "updated_at", "published_at",
                           "retired_at", "revisions", "version")
    column_searchable_list = ("title", "tags", "body")
    column_sortable_list = ("title", "status", "tags", "updated_at", "published_at", "revisions")
    column_filters = (filters.one_of(models.KnowledgeArticle.status, "Status", STATUSES), "tags", "published_at",
                      "updated_at")
    column_default_sort = ("updated_at", True)
    column_labels: ClassVar[dict[str, Any]] = {"tags": "Topic tags", "updated_at": "Changed", "published_at": "Published",
                     "drafted_at": "Drafted", "retired_at": "Retired", "body": "Text"}
    column_formatters: ClassVar[dict[str, Any]] = {"title": fmt_details,
                         **{c: fmt_time for c in ("updated_at", "published_at", "drafted_at", "retired_at")}}
    column_formatters_export: ClassVar[dict[str, Any]] = {c: fmt_time for c in ("updated_at", "published_at")}

    @staticmethod
    def previewing() -> bool:
        return request.method == "POST" and PREVIEW in request.form

    def preview_of(self, form: Any) -> dict[str, Any] | None:
        """What the public page would show for the form's text (None before anything is typed)."""
        if not (form.title.data or form.body.data):
            return None
        return {"title": form.title.data or "", "body": form.body.data or "",
                "tags": " ".join((form.tags.data or "").replace(",", " ").split())}

    def create_model(self, form: Any) -> Any:
        return False if self.previewing() else super().create_model(form)

    def update_model(self, form: Any, model: Any) -> bool:
        return False if self.previewing() else super().update_model(form, model)

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        public = page_url("public_articles.article", article_id=model.id) if model.status == "published" else None
        return [*super().record_links(model), *links(("Public page", public))]


def register_knowledge(admin: Any) -> None:
    """The menu entries: Knowledge articles, and Message templates under Settings."""
    from web.admin.views.templates import TemplatesView

    admin.add_view(ArticlesView(models.KnowledgeArticle, name="Knowledge articles", endpoint="admin_articles",
                                url="articles"))
    admin.add_view(TemplatesView(models.MessageTemplate, name="Message templates", endpoint="message_templates",
                                 url="message-templates", category="Settings"))
