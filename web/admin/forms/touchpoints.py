"""Touchpoint command forms: record a contact (now or back-filled), retract one."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from domain.touchpoints.model import CHANNELS, DIRECTIONS, TOUCHPOINT_KINDS
from web.admin.forms.common import (
    CreateForm,
    RowForm,
    case_field,
    choices,
    customer_field,
)
from web.admin.forms.local_time import optional_local_time


class RecordTouchpointForm(CreateForm):
    customer_id = customer_field(validators=[InputRequired("Pick the customer.")])
    channel = SelectField("Channel", choices=choices(CHANNELS), default="phone")
    direction = SelectField("Direction", choices=choices(DIRECTIONS))
    kind = SelectField("Kind", choices=choices(TOUCHPOINT_KINDS))
    subject = StringField("Subject")
    summary = TextAreaField("Summary", render_kw={"rows": 4})
    contact_point = StringField("Number or address used")
    occurred_at = optional_local_time("When", "Leave empty for now; fill in to log a contact made earlier.")
    case_id = case_field("About case")


class RetractForm(RowForm):
    reason = TextAreaField("Why retract", render_kw={"rows": 2},
                           description="The touchpoint stays in the history, marked retracted.")
