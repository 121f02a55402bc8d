"""User command forms: register, change a profile, deactivate (admins); preferences (anyone, their own)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from wtforms import SelectField, StringField, TextAreaField

from domain.users.model import ROLES
from projections.views.directory import users
from web.admin.forms.common import (
    CommandForm,
    ListedField,
    RowForm,
    StaffField,
    choices,
)
from web.admin.localtime import zone_names
from web.services import services

# Made first, so it comes first on the form (fields are ordered by creation).
_EMAIL = StringField("Email", description="They log in with it; an admin sets their first password "
                                          "(Reset password, on their details page).")


class ManagerField(ListedField):
    """The user's manager (promise escalations and SLA notices go to them): an active user, or
    none; a manager deactivated since stays offered on the form of whoever they still manage."""

    refusal = "Pick a manager from the list (an active user)."

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, choices=[], validate_choice=False, **kwargs)

    def load_choices(self) -> None:
        kept = str(self.object_data) if self.object_data else None  # the record's own, before this form
        with services().views.connect() as conn:
            rows = conn.execute(sa.select(users.c.id, users.c.name, users.c.email)
                                .where(users.c.active.is_(True) | (users.c.id == kept))
                                .order_by(users.c.name)).all()
        self.choices = [("", "(no manager)")] + [(str(r.id), f"{r.name} <{r.email}>") for r in rows]


class ProfileFields(CommandForm):
    name = StringField("Name")
    role = SelectField("Role", choices=choices(ROLES), default="agent")
    team = StringField("Team")
    region = StringField("Region")
    manager_id = ManagerField("Manager", description="Overdue promises and SLA breaches are escalated to them.")


class RegisterUserForm(ProfileFields):
    email = _EMAIL


class ProfileForm(ProfileFields, RowForm):
    pass


class DeactivateForm(RowForm):
    reason = TextAreaField("Why", render_kw={"rows": 2}, description="Their access ends at once.")
    # Its description (set by the view) says what they still hold.
    reassign_to = StaffField("Hand their active cases and open promises to", blank="(nobody: they stay theirs)")


class ZoneField(SelectField):
    """An IANA time zone, or blank for the installation's default (``TOUCHLINE_TIMEZONE``)."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, choices=[], **kwargs)

    def load_choices(self) -> None:
        default = current_app.config.get("TIMEZONE") or "UTC"
        self.choices = [("", f"Default ({default})")] + [(z, z) for z in zone_names()]


class PreferencesForm(RowForm):
    """Personal settings: the time zone every time in the panel is shown and typed in."""

    timezone = ZoneField("Time zone", description="Times in lists, pages and forms are shown and typed in this zone.")
