"""Message-template forms (admins only): the subject and body of one purpose, as Jinja text."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField

from domain.messages.templates import TEMPLATE_PURPOSES
from web.admin.forms.common import CommandForm, RowForm, choices

# Made first, so it comes first on the form (fields are ordered by creation).
_PURPOSE = SelectField("Purpose", choices=choices(TEMPLATE_PURPOSES), validate_choice=False)
_HELP = "Jinja: {{ name }} inserts a value; the preview lists the values this purpose offers."


class TemplateTextFields(CommandForm):
    subject = StringField("Subject", description=_HELP)
    body = TextAreaField("Body", render_kw={"rows": 12, "class": "text-monospace"},
                         description="The signature is added below it.")


class DefineTemplateForm(TemplateTextFields):
    purpose = _PURPOSE


class ReviseTemplateForm(TemplateTextFields, RowForm):
    pass
