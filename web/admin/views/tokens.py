"""API tokens (admins only): list, issue (the secret is shown once, never stored) and revoke.

No read model holds tokens: the domain keeps a token log (``list_api_tokens``), and tokens
are few, so the page reads it directly, with the last use from the API's own table.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from flask import flash, make_response, redirect, request, url_for
from flask_admin import BaseView, expose

from projections.api_state import token_last_uses
from web.admin.access import ADMINS, Protected
from web.admin.commands import issue
from web.admin.forms.settings import IssueTokenForm, RevokeTokenForm
from web.services import services


def _last_uses() -> dict[str, Any]:
    try:
        with services().views.connect() as conn:
            return token_last_uses(conn)
    except sa.exc.DBAPIError:  # the API has served no request yet: its table does not exist
        return {}


class TokensView(Protected, BaseView):
    read_roles = ADMINS
    write_roles = ADMINS

    def _page(self, form: IssueTokenForm, status: int = 200) -> Any:
        tokens = sorted(services().app.list_api_tokens(), key=lambda t: (not t.active, t.name.lower()))
        return self.render("admin/views/tokens.html", tokens=tokens, last_uses=_last_uses(), form=form,
                           revoke_form=RevokeTokenForm()), status

    @expose("/")
    def index(self) -> Any:
        return self._page(IssueTokenForm())

    @expose("/issue", methods=("POST",))
    def issue_view(self) -> Any:
        form = IssueTokenForm(request.form)
        issued: list[str] = []

        def command(app: Any, common: dict[str, Any]) -> Any:
            result = app.issue_api_token(name=form.name.data, scopes=form.scopes.data or [], **common)
            issued.append(result.token)
            return result.receipt

        receipt = issue(form, command) if form.validate() else None
        if receipt is None:
            return self._page(form, 200)
        token = services().app.get_api_token(receipt.id)
        response = make_response(self.render("admin/views/token_issued.html", token=token, secret=issued[0]))
        response.headers["Cache-Control"] = "no-store"  # the secret must not linger in any cache
        return response

    @expose("/revoke/<uuid:token_id>", methods=("POST",))
    def revoke_view(self, token_id: UUID) -> Any:
        form = RevokeTokenForm(request.form)
        if issue(form, lambda app, common: app.revoke_api_token(token_id, reason=form.reason.data or "", **common),
                 str(token_id)) is not None:
            flash("The token is revoked: requests with it fail from now on.", "success")
        return redirect(url_for(".index"))
