"""User command forms: register, change a profile, deactivate (admins); preferences (anyone, their own)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from wtforms import SelectField, StringField, TextAreaField

from domain.users.model import ROLES
from web.admin.forms.common import CommandForm, RowForm, choices
from web.admin.localtime import zone_names

# Made first, so it comes first on the form (fields are ordered by creation).
_EMAIL = StringField("Email", description="They log in with it; an admin sets their first password "
                                          "(Reset password, on their details page).")


class ProfileFields(CommandForm):
    name = StringField("Name")
    role = SelectField("Role", choices=choices(ROLES), default="agent")
    team = StringField("Team")
    region = StringField("Region")


class RegisterUserForm(ProfileFields):
    email = _EMAIL


class ProfileForm(ProfileFields, RowForm):
    pass


class DeactivateForm(RowForm):
    reason = TextAreaField("Why", render_kw={"rows": 2}, description="Their access ends at once.")


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
