"""Users (admins only): the staff list, registering a colleague, changing a profile,
deactivating (their access ends at once) and reactivating, their time zone; password resets are core's page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.users.model import ROLES
from projections import models
from web.admin.access import ADMINS
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.cases import ConfirmForm
from web.admin.forms.users import (
    DeactivateForm,
    PreferencesForm,
    ProfileForm,
    RegisterUserForm,
)
from web.admin.views import filters
from web.admin.views.display import fmt_details, fmt_time, links, page_url
from web.admin.views.preferences import change_preferences


def _when(kw: dict[str, Any]) -> dict[str, Any]:
    """User commands take no expected version: only business time and actor."""
    return {"occurred_at": kw["occurred_at"], "actor": kw["actor"]}


USER_COMMANDS = (
    RowCommand("deactivate", "Deactivate", DeactivateForm,
               lambda app, i, v, kw: app.deactivate_user(i, reason=v["reason"], **_when(kw)),
               offered=lambda row: row.active, versioned=False, style="danger"),
    RowCommand("reactivate", "Reactivate", ConfirmForm, lambda app, i, v, kw: app.reactivate_user(i, **_when(kw)),
               offered=lambda row: not row.active, versioned=False),
    RowCommand("timezone", "Time zone", PreferencesForm, change_preferences, versioned=False),
)


def register_user(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.register_user(email=v["email"], name=v["name"], role=v["role"], team=v["team"] or None,
                             region=v["region"] or None, **_when(kw))


def change_profile(app: Any, user_id: UUID, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    manager = app.get_user(user_id).manager_id  # the form does not show it: keep it
    return app.change_user_profile(user_id, name=v["name"], role=v["role"], team=v["team"] or None,
                                   region=v["region"] or None, manager_id=manager, **_when(kw))


class UsersView(CommandView):
    read_roles = ADMINS
    write_roles = ADMINS
    create_command = staticmethod(register_user)
    create_form_class = RegisterUserForm
    edit_command = staticmethod(change_profile)
    edit_form_class = ProfileForm
    row_commands = USER_COMMANDS
    form_ajax_refs = None
    column_list = ["name", "email", "role", "team", "region", "active", "registered_at"]
    column_details_list = column_list
    column_searchable_list = ["name", "email", "team"]
    column_filters = [filters.one_of(models.User.role, "Role", ROLES), filters.team(models.User.team), "region",
                      "active"]
    column_default_sort = "name"
    column_formatters = {"name": fmt_details, "registered_at": fmt_time}

    def version_of(self, model: Any) -> int | None:
        return None  # profile changes take no expected version

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        return [*super().record_links(model),
                *links(("Reset password", page_url("account.reset", user_id=model.id) if model.active else None))]
