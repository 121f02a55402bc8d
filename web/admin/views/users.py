"""Users (admins only): the staff list, registering a colleague, changing a profile,
deactivating (their access ends at once) and reactivating, their time zone; password resets are core's page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash

from domain.errors import InvalidValueError
from domain.service import Receipt
from domain.users.model import ROLES
from projections import models
from web.admin.access import ADMINS, HISTORY_READERS
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.cases import ConfirmForm
from web.admin.forms.users import (
    DeactivateForm,
    PreferencesForm,
    ProfileForm,
    RegisterUserForm,
)
from web.admin.handover import HERE, hand_over, handover_note, held_work, remaining
from web.admin.views import filters
from web.admin.views.display import (
    fmt_details,
    fmt_time,
    links,
    page_url,
    person,
    staff_ref,
)
from web.admin.views.preferences import change_preferences


def _when(kw: dict[str, Any]) -> dict[str, Any]:
    """User commands take no expected version: only business time and actor."""
    return {"occurred_at": kw["occurred_at"], "actor": kw["actor"]}


def deactivate(app: Any, user_id: UUID, v: dict[str, Any], kw: dict[str, Any]) -> Receipt:
    """Deactivate, then hand their active cases, open promises and deals to the colleague picked
    (if any) and say what they still hold: nothing of theirs is left without anyone being told."""
    if v["reassign_to"] == staff_ref(user_id):
        raise InvalidValueError("reassign_to", "pick someone other than the user leaving")
    user = app.get_user(user_id)
    receipt = app.deactivate_user(user_id, reason=v["reason"], **_when(kw))
    work = held_work(user_id, user.email)
    if v["reassign_to"] and work.items:
        done = hand_over(app, work, v["reassign_to"], note=handover_note(user.name, v["reason"]), **_when(kw))
        for category, line in done.report(person(v["reassign_to"])):
            flash(line, category)
        receipt, work = receipt._replace(position=max(receipt.position or 0, done.position)), remaining(work, done)
    if work.summary(user.name):
        flash(work.summary(user.name), "warning")
    return receipt


USER_COMMANDS = (
    RowCommand("deactivate", "Deactivate", DeactivateForm, deactivate,
               offered=lambda row: row.active, versioned=False, style="danger"),
    RowCommand("reactivate", "Reactivate", ConfirmForm, lambda app, i, v, kw: app.reactivate_user(i, **_when(kw)),
               offered=lambda row: not row.active, versioned=False),
    RowCommand("timezone", "Time zone", PreferencesForm, change_preferences, versioned=False),
)


def _manager(v: dict[str, Any]) -> UUID | None:
    return UUID(v["manager_id"]) if v["manager_id"] else None


def register_user(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.register_user(email=v["email"], name=v["name"], role=v["role"], team=v["team"] or None,
                             region=v["region"] or None, manager_id=_manager(v), **_when(kw))


def change_profile(app: Any, user_id: UUID, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.change_user_profile(user_id, name=v["name"], role=v["role"], team=v["team"] or None,
                                   region=v["region"] or None, manager_id=_manager(v), **_when(kw))


class UsersView(CommandView):
    read_roles = HISTORY_READERS  # auditors read who holds which role (an audit's first question)
    write_roles = ADMINS
    create_command = staticmethod(register_user)
    create_form_class = RegisterUserForm
    edit_command = staticmethod(change_profile)
    edit_form_class = ProfileForm
    row_commands = USER_COMMANDS
    form_ajax_refs = None
    column_list = ["name", "email", "role", "team", "region", "active", "registered_at"]
    column_details_list = (*column_list, "manager_id")
    column_searchable_list = ["name", "email", "team"]
    column_filters = [filters.one_of(models.User.role, "Role", ROLES), filters.team(models.User.team), "region",
                      "active"]
    column_default_sort = "name"
    column_formatters = {"name": fmt_details, "registered_at": fmt_time,
                         "manager_id": lambda v, c, m, n: person(m.manager_id)}

    def get_column_name(self, field: str) -> str:
        return "Manager" if field == "manager_id" else str(super().get_column_name(field))

    def version_of(self, model: Any) -> int | None:
        return None  # profile changes take no expected version

    def command_form(self, command: RowCommand, model: Any = None) -> Any:
        form = super().command_form(command, model)
        if command.name == "deactivate" and model is not None:  # what they hold, before anyone confirms
            form.reassign_to.description = held_work(UUID(model.id), model.email).summary(model.name, HERE) or \
                f"{model.name} holds no active cases and no open promises."
            leaving = staff_ref(model.id)  # not offered their own work back
            form.reassign_to.choices = [c for c in form.reassign_to.choices if c[0] != leaving]
        return form

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        return [*super().record_links(model),
                *links(("Reset password", page_url("account.reset", user_id=model.id)
                        if model.active and self.can_write() else None))]
