"""My preferences: every user (auditors too) sets the time zone the panel shows and takes
times in; an admin sets it for others from the users list (``Time zone`` on a user)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, request
from flask_admin import BaseView, expose
from flask_login import current_user

from web.admin.access import READERS, Protected
from web.admin.commands import issue
from web.admin.forms.common import load_choices
from web.admin.forms.users import PreferencesForm
from web.services import services


def change_preferences(app: Any, user_id: UUID, values: dict[str, Any], common: dict[str, Any]) -> Any:
    """The command behind both pages; blank means the installation's default zone."""
    return app.change_user_preferences(user_id, timezone=values["timezone"] or None,
                                       occurred_at=common["occurred_at"], actor=common["actor"])


class PreferencesView(Protected, BaseView):
    read_roles = READERS
    write_roles = READERS  # one's own preferences: not business data, so auditors set theirs too

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        user_id = UUID(current_user.id)
        stored = services().app.get_user(user_id).timezone or ""
        form = load_choices(PreferencesForm(request.form if request.method == "POST" else None, timezone=stored))
        if request.method == "POST" and form.validate() and issue(
                form, lambda app, common: change_preferences(app, user_id, form.values(), common), str(user_id)):
            flash("Your preferences are saved: times are shown in "
                  f"{form.timezone.data or 'the default zone'} from now on.", "success")
            return redirect(self.get_url(".index"))
        return self.render("admin/views/preferences.html", form=form)
