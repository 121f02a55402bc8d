"""Message templates (admins write, every role reads): the templates admins stored, each
purpose's text defined or revised with a live preview on sample values. A template the sandbox
refuses (bad syntax, a value the purpose does not offer, unsafe attribute access) is shown as
errors on its fields and nothing is saved; one revised meanwhile is a conflict. A stored template
that a later, stricter check refuses is named above the list: its messages use the built-in text."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import flash, request
from jinja2 import TemplateError
from markupsafe import Markup

from domain.messages.templates import TEMPLATE_PURPOSES
from projections import models
from scheduler.templates import BUILT_IN, SAMPLES, preview, template_errors, why
from web.admin.access import ADMINS
from web.admin.commands import CommandView, issue
from web.admin.forms.templates_form import DefineTemplateForm, ReviseTemplateForm
from web.admin.views.base import read_session
from web.admin.views.display import fmt_details, fmt_person, fmt_time

PREVIEW = "_preview"  # the name of the form's Preview button (the page's script posts it too)


@lru_cache(maxsize=64)
def _stored_errors(purpose: str, subject: str, body: str) -> dict[str, str]:
    """``template_errors`` of a stored text, once per process: the list page shows them on every
    view, and a text that runs out of time costs a second per check."""
    return template_errors(purpose, subject, body)


class TemplatesView(CommandView):
    write_roles = ADMINS
    create_form_class = DefineTemplateForm
    edit_form_class = ReviseTemplateForm
    form_ajax_refs = None
    create_template = "admin/views/template_create.html"
    edit_template = "admin/views/template_edit.html"
    column_list = ("purpose", "subject", "revised_at", "revised_by", "version")
    column_details_list = ("purpose", "subject", "body", "defined_at", "revised_at", "revised_by", "version")
    column_searchable_list = ("purpose", "subject", "body")
    column_sortable_list = ("purpose", "subject", "revised_at", "version")
    column_default_sort = "purpose"
    column_labels: ClassVar[dict[str, Any]] = {"revised_at": "Changed", "revised_by": "By", "defined_at": "Defined"}
    column_formatters: ClassVar[dict[str, Any]] = {"purpose": fmt_details, "revised_by": fmt_person,
                         **{c: fmt_time for c in ("revised_at", "defined_at")}}
    column_formatters_export: ClassVar[dict[str, Any]] = {c: fmt_time for c in ("revised_at", "defined_at")}

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return self.can_write()

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return self.can_write()

    @property
    def description(self) -> Markup:  # type: ignore[override]
        t = models.MessageTemplate
        texts = {r.purpose: (r.subject, r.body) for r in read_session.execute(sa.select(t.purpose, t.subject, t.body))}
        rest = [p for p in TEMPLATE_PURPOSES if p not in texts]
        shown = Markup("Purposes not listed here use the built-in text")
        if rest:
            items = [Markup('<a href="{}">{}</a>').format(self.get_url(".create_view", purpose=p), p)
                     if self.can_write() else p for p in rest]
            shown += Markup(": ") + Markup(", ").join(items)
        shown += "."
        # Stored before a check they now fail (the sandbox's rules grew): messages fall back to the built-in text.
        refused = {p: errors for p, (subject, body) in texts.items() if p in SAMPLES
                   and (errors := _stored_errors(p, subject, body))}
        if refused:
            shown += Markup(" <strong>Refused by the template checks, so their messages use the built-in text:"
                            "</strong> ") + Markup("; ").join(
                Markup("{} ({})").format(p, next(iter(errors.values()))) for p, errors in sorted(refused.items()))
        return shown

    # The form, prefilled and previewed ----------------------------------------------------
    def create_form(self, obj: Any = None) -> Any:
        form = super().create_form(obj)
        purpose = request.args.get("purpose", "")
        if request.method == "GET" and purpose in BUILT_IN:  # start from the built-in text
            form.purpose.data = purpose
            form.subject.data, form.body.data = BUILT_IN[purpose]
        return form

    @staticmethod
    def previewing() -> bool:
        return request.method == "POST" and PREVIEW in request.form

    @staticmethod
    def preview_of(purpose: str | None, form: Any) -> dict[str, Any]:
        """The message the form's text makes with sample values, or why it cannot be used."""
        if purpose not in SAMPLES:
            return {"errors": {"purpose": f"unknown purpose {purpose!r}"}, "names": []}
        subject, body = form.subject.data or "", form.body.data or ""
        errors = template_errors(purpose, subject, body)
        shown = {"errors": errors, "names": sorted(SAMPLES[purpose])}
        if not errors:
            try:
                shown["subject"], shown["body"] = preview(purpose, subject, body)
            except TemplateError as exc:  # both fields together, as sending renders them, took too long
                errors["body"] = why(exc)
        return shown

    def _checked(self, purpose: str, form: Any) -> bool:
        """Put the sandbox's objections on the fields they concern; True when there are none."""
        errors = self.preview_of(purpose, form)["errors"]
        for name, message in errors.items():
            field = form.field_for(name)
            if field is not None:
                field.errors = [*field.errors, message]
        if errors and not self.previewing():
            flash("Not saved: the template cannot be used as it is; see the fields marked below.", "error")
        return not errors

    def _save(self, form: Any, purpose: str, expected_version: int | None, record_id: str | None) -> Any:
        if not self._checked(purpose, form) or self.previewing():
            return None
        return issue(form, lambda app, common: app.save_message_template(
            purpose=purpose, subject=form.subject.data or "", body=form.body.data or "",
            expected_version=expected_version, **common), record_id)

    def create_model(self, form: Any) -> Any:
        # expected_version 0: a purpose customised meanwhile by someone else is a conflict, not overwritten.
        receipt = self._save(form, form.purpose.data, 0, None)
        return False if receipt is None else (self.get_one(str(receipt.id)) or True)

    def update_model(self, form: Any, model: Any) -> bool:
        return self._save(form, model.purpose, form.expected_version(), model.id) is not None
