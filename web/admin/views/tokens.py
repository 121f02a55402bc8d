"""API tokens (admins only): the list over the ``api_tokens`` read model (search, filters,
sort, CSV; never the hash), issuing one (the secret is shown once, never stored, never
cached) and revoking (one, or the selected rows)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, make_response, redirect, request
from flask_admin import expose

from projections import models
from projections.api_state import create_api_tables
from web.admin.access import ADMINS, require_write
from web.admin.commands import CommandView, RowCommand, issue
from web.admin.forms.settings import IssueTokenForm, RevokeTokenForm
from web.admin.views.display import fmt_details, fmt_person, fmt_time
from web.services import services

T = models.ApiToken


def revoke(app: Any, token_id: UUID, values: dict[str, Any], common: dict[str, Any]) -> Any:
    return app.revoke_api_token(token_id, reason=values.get("reason") or "", occurred_at=common["occurred_at"],
                                actor=common["actor"])


TOKEN_COMMANDS = (
    RowCommand("revoke", "Revoke", RevokeTokenForm, revoke, offered=lambda row: row.active, bulk=True,
               versioned=False, style="danger"),
)


class TokensView(CommandView):
    read_roles = ADMINS
    write_roles = ADMINS
    row_commands = TOKEN_COMMANDS
    form_ajax_refs = None
    create_template = "admin/views/token_issue.html"
    column_list = ["name", "scopes", "active", "created_at", "created_by", "last_used_at", "revoked_at"]
    column_details_list = ["name", "scopes", "active", "created_at", "created_by", "last_used_at", "revoked_at",
                           "revoked_by", "revoke_reason"]
    column_export_list = column_details_list
    column_searchable_list = ["name", "scopes"]
    column_sortable_list = ["name", "active", "created_at", "last_used_at", "revoked_at"]
    column_filters = ["active", "scopes", "created_at", "revoked_at"]
    column_default_sort = "name"
    column_labels = {"active": "Active", "created_at": "Created", "created_by": "Created by",
                     "last_used_at": "Last used", "revoked_at": "Revoked", "revoked_by": "Revoked by",
                     "revoke_reason": "Why revoked"}
    column_formatters = {"name": fmt_details, "created_by": fmt_person, "revoked_by": fmt_person,
                         **{c: fmt_time for c in ("created_at", "last_used_at", "revoked_at")}}

    def __init__(self, model: Any = T, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)

    @property  # type: ignore[override]
    def can_create(self) -> bool:
        return self.can_write()

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        return []  # no History: tokens' events are hidden from it (projections.audit.HIDDEN); this page has it all

    def get_query(self) -> Any:
        services().ensure_tables(create_api_tables)
        return super().get_query()

    def get_one(self, id: Any) -> Any:
        services().ensure_tables(create_api_tables)
        return super().get_one(id)

    def version_of(self, model: Any) -> int | None:
        return None  # revoking takes no expected version

    @expose("/new/", methods=("GET", "POST"))
    @require_write
    def create_view(self) -> Any:
        """Issue a token; the response carrying its secret is the only place it ever appears."""
        form = IssueTokenForm(request.form if request.method == "POST" else None)
        issued: list[str] = []

        def command(app: Any, common: dict[str, Any]) -> Any:
            result = app.issue_api_token(name=form.name.data, scopes=form.scopes.data or [], **common)
            issued.append(result.token)
            return result.receipt

        receipt = issue(form, command) if request.method == "POST" and form.validate() else None
        if receipt is None:
            return self.render(self.create_template, form=form)
        token = services().app.get_api_token(receipt.id)
        response = make_response(self.render("admin/views/token_issued.html", token=token, secret=issued[0]))
        response.headers["Cache-Control"] = "no-store"  # the secret must not linger in any cache
        return response

    @expose("/issue", methods=("POST",))
    def issue_view(self) -> Any:
        """The form's former address (scripts and bookmarks): the same as New."""
        return self.create_view()

    @expose("/revoke/<uuid:token_id>", methods=("POST",))
    @require_write
    def revoke_view(self, token_id: UUID) -> Any:
        form = RevokeTokenForm(request.form)
        if issue(form, lambda app, common: revoke(app, token_id, form.values(), common), str(token_id)) is not None:
            flash("The token is revoked: requests with it fail from now on.", "success")
        return redirect(self.get_url(".index_view"))
