"""Customer command forms: register, change details."""

from __future__ import annotations

from wtforms import SelectField, StringField

from domain.customers.model import CUSTOMER_KINDS
from web.admin.forms.common import CommandForm, CreateForm, RowForm, choices

_KIND = SelectField("Kind", choices=choices(CUSTOMER_KINDS))  # made first: shown first


class CustomerFields(CommandForm):
    aliases = {"contact_points": "email", "segment": "sector"}
    name = StringField("Name")
    email = StringField("Email")
    phone = StringField("Phone")
    sector = StringField("Sector")
    size = StringField("Size")
    location = StringField("Location")


class RegisterCustomerForm(CustomerFields, CreateForm):
    kind = _KIND


class CustomerDetailsForm(CustomerFields, RowForm):
    pass
