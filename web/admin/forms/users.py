"""User command forms (admins only): register, change a profile, deactivate."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField

from domain.users.model import ROLES
from web.admin.forms.common import CommandForm, RowForm, choices

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
