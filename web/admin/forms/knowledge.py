"""Knowledge-article command forms (admins only): draft, revise, retire."""

from __future__ import annotations

from wtforms import StringField, TextAreaField

from web.admin.forms.common import CommandForm, RowForm


class ArticleFields(CommandForm):
    title = StringField("Title")
    tags = StringField("Topic tags", description="Words customers use, separated by commas or spaces "
                                                 "(billing, refund, printer-jam); acknowledgements match them.")
    body = TextAreaField("Text", render_kw={"rows": 14},
                         description="Plain text; a blank line starts a new paragraph.")


class DraftArticleForm(ArticleFields):
    pass


class ReviseArticleForm(ArticleFields, RowForm):
    pass


class RetireArticleForm(RowForm):
    reason = TextAreaField("Why retire", render_kw={"rows": 2},
                           description="Its public page goes away and no acknowledgement links to it again.")
