"""Promise command forms: make (a callback at the time the customer chose included), keep,
reschedule, cancel."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from domain.promises.model import PROMISE_KINDS
from domain.touchpoints.model import CHANNELS
from web.admin.forms.common import (
    CreateForm,
    RowForm,
    StaffField,
    case_field,
    choices,
    customer_field,
)
from web.admin.forms.local_time import LocalDateTimeField

KIND_LABELS = {"promise": "Promise (we do something by then)", "callback": "Callback at the time the customer chose"}


class MakePromiseForm(CreateForm):
    customer_id = customer_field(validators=[InputRequired("Pick the customer.")])
    kind = SelectField("Kind", choices=[(k, KIND_LABELS[k]) for k in PROMISE_KINDS])
    what = TextAreaField("What we promised", render_kw={"rows": 3})
    due_at = LocalDateTimeField("Due", validators=[InputRequired("Give the due date and time.")])
    owner = StaffField("Owner")
    channel = SelectField("Follow up by", choices=choices(CHANNELS), default="phone")
    contact_point = StringField("Number or address to use",
                                description="For a callback: the number the customer wants to be called on.")
    case_id = case_field("About case")


class KeepForm(RowForm):
    evidence = TextAreaField("How it was kept", render_kw={"rows": 3})


class RescheduleForm(RowForm):
    due_at = LocalDateTimeField("New due time", validators=[InputRequired("Give the new due date and time.")])
    reason = TextAreaField("Why", render_kw={"rows": 2})


class CancelForm(RowForm):
    reason = TextAreaField("Why cancel", render_kw={"rows": 2})
