"""Webhooks (Settings, admins only): the list over ``webhook_subscriptions`` with each one's
delivery progress and last error (search, filters, sort, CSV; never the secret); subscribing a
URL and rotating its secret (the secret is shown once, never cached); changing the URL or
types, pausing, resuming, replaying from a log position and deleting, each one command."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar
from uuid import UUID

from flask import abort, current_app, make_response, request
from flask_admin import expose

from domain.webhooks.model import ROTATION_OVERLAP
from projections import models
from projections.webhook_state import attempts_of
from scheduler.settings import webhook_url_rules
from web.admin.access import ADMINS, require_write
from web.admin.commands import CommandView, RowCommand, issue
from web.admin.forms.cases import ConfirmForm
from web.admin.forms.webhooks import (
    CreateWebhookForm,
    EditWebhookForm,
    PauseWebhookForm,
    ReplayWebhookForm,
    RotateSecretForm,
)
from web.admin.views import filters
from web.admin.views.display import fmt_details, fmt_person, fmt_time, links
from web.api.webhooks import ensure_webhook_tables
from web.services import services

W = models.WebhookSubscription
STATUSES = ("active", "paused", "deleted")


def url_rules() -> dict[str, bool]:
    return webhook_url_rules(current_app.config)


def change(app: Any, webhook_id: UUID, values: dict[str, Any], common: dict[str, Any]) -> Any:
    return app.change_webhook(webhook_id, url=values["url"] or "", event_types=values["event_types"] or "",
                              **url_rules(), **common)


WEBHOOK_COMMANDS = (
    RowCommand("pause", "Pause", PauseWebhookForm,
               lambda app, i, v, kw: app.pause_webhook(i, reason=v.get("reason") or "", **kw),
               offered=lambda row: row.status == "active", bulk=True),
    RowCommand("resume", "Resume", ConfirmForm, lambda app, i, v, kw: app.resume_webhook(i, **kw),
               offered=lambda row: row.status == "paused", bulk=True, style="primary"),
    RowCommand("replay", "Replay from a position", ReplayWebhookForm,
               lambda app, i, v, kw: app.replay_webhook(i, from_position=v["from_position"], occurred_at=kw["occurred_at"],
                                                        actor=kw["actor"]),
               offered=lambda row: row.status != "deleted", versioned=False),
    RowCommand("delete", "Delete", ConfirmForm, lambda app, i, v, kw: app.delete_webhook(i, **kw),
               offered=lambda row: row.status != "deleted", style="danger"),
)


class WebhooksView(CommandView):
    read_roles = ADMINS
    write_roles = ADMINS
    row_commands = WEBHOOK_COMMANDS
    edit_command = staticmethod(change)
    edit_form_class = EditWebhookForm
    form_ajax_refs = None
    create_template = "admin/views/webhook_create.html"
    column_list = ("url", "event_types", "status", "delivered_to", "last_error", "pause_reason", "created_at")
    column_details_list = ("url", "event_types", "status", "pause_reason", "paused_at", "paused_by", "delivered_to",
                           "failures", "last_error", "last_attempt_at", "next_attempt_at", "replay_from",
                           "secret_rotated_at", "created_at", "created_by", "changed_at", "version")
    column_export_list = column_details_list
    column_searchable_list = ("url", "event_types", "pause_reason")
    column_sortable_list = ("url", "status", "created_at", "delivered_to")
    column_filters = (filters.one_of(W.status, "Status", STATUSES), "created_at")
    column_default_sort = ("created_at", True)
    column_labels: ClassVar[dict[str, str]] = {"url": "URL", "event_types": "Event types", "delivered_to": "Delivered up to position",
                     "pause_reason": "Why paused", "last_error": "Last error", "created_at": "Created",
                     "created_by": "Created by", "paused_by": "Paused by", "secret_rotated_at": "Secret rotated",
                     "replay_from": "Last replay from", "next_attempt_at": "Next attempt",
                     "last_attempt_at": "Last attempt", "changed_at": "Changed"}
    column_formatters: ClassVar[dict[str, Any]] = {"url": fmt_details, "created_by": fmt_person, "paused_by": fmt_person,
                         **{c: fmt_time for c in ("created_at", "paused_at", "secret_rotated_at", "next_attempt_at",
                                                  "last_attempt_at", "changed_at")}}

    def __init__(self, model: Any = W, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)

    @property  # type: ignore[override]
    def can_create(self) -> bool:
        return self.can_write()

    @property  # type: ignore[override]
    def can_edit(self) -> bool:
        return self.can_write()

    def get_query(self) -> Any:
        ensure_webhook_tables()
        return super().get_query()

    def get_count_query(self) -> Any:
        ensure_webhook_tables()
        return super().get_count_query()

    def get_one(self, id: Any) -> Any:
        ensure_webhook_tables()
        return super().get_one(id)

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        found = [("Delivery attempts", self.get_url(".attempts_view", id=model.id))]
        if self.can_write() and model.status != "deleted":
            found.append(("Rotate secret", self.get_url(".rotate_view", webhook_id=model.id)))
        return [*super().record_links(model), *links(*found)]

    @expose("/new/", methods=("GET", "POST"))
    @require_write
    def create_view(self) -> Any:
        """Subscribe a URL; the response carrying its secret is the only place it ever appears."""
        form = CreateWebhookForm(request.form if request.method == "POST" else None)
        secrets: list[str] = []

        def command(app: Any, common: dict[str, Any]) -> Any:
            issued = app.create_webhook(url=form.url.data or "", event_types=form.event_types.data or "",
                                        **url_rules(), **common)
            secrets.append(issued.secret)
            return issued.receipt

        receipt = issue(form, command) if request.method == "POST" and form.validate() else None
        if receipt is None:
            return self.render(self.create_template, form=form)
        return self._secret_page(receipt.id, secrets[0], "created")

    @expose("/rotate/<uuid:webhook_id>", methods=("GET", "POST"))
    @require_write
    def rotate_view(self, webhook_id: UUID) -> Any:
        """Confirm, then rotate: the new secret is shown once; the old one signs beside it for 24
        hours, or stops at once when it leaked."""
        model = self.get_one(str(webhook_id))
        if model is None:
            abort(404)
        form = RotateSecretForm(request.form if request.method == "POST" else None)
        secrets: list[str] = []

        def command(app: Any, common: dict[str, Any]) -> Any:
            overlap = timedelta(0) if form.leaked.data else ROTATION_OVERLAP
            issued = app.rotate_webhook_secret(webhook_id, previous_valid_for=overlap, **common)
            secrets.append(issued.secret)
            return issued.receipt

        if request.method == "POST" and issue(form, command, str(webhook_id)) is not None:
            return self._secret_page(webhook_id, secrets[0], "rotated")
        return self.render("admin/views/webhook_rotate.html", model=model, form=form)

    def _secret_page(self, webhook_id: UUID, secret: str, what: str) -> Any:
        webhook = services().app.get_webhook(webhook_id)
        response = make_response(self.render("admin/views/webhook_secret.html", webhook=webhook, secret=secret,
                                             what=what))
        response.headers["Cache-Control"] = "no-store"  # the secret must not linger in any cache
        return response

    @expose("/attempts/")
    def attempts_view(self) -> Any:
        """The latest delivery attempts of one subscription: outcome, response, duration."""
        model = self.get_one(request.args.get("id", ""))
        if model is None:
            abort(404)
        with services().views.connect() as conn:
            attempts = attempts_of(conn, str(model.id), limit=100)
        return self.render("admin/views/webhook_attempts.html", model=model, attempts=attempts)

