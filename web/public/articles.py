"""Published knowledge articles, one public page each (acknowledgements link here); a draft,
a retired or an unknown article is a 404."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, render_template

from projections.views.knowledge import published_article
from web.public.pages import public_error
from web.services import services

blp = Blueprint("public_articles", __name__)


@blp.get("/articles/<uuid:article_id>")
def article(article_id: UUID) -> Any:
    """The article as it stands (its latest revision), if it is published."""
    with services().views.connect() as conn:
        found = published_article(conn, str(article_id))
    if found is None:
        return public_error(404, "Article not found", "This article does not exist or is no longer published.")
    return render_template("public/article.html", article=found)
