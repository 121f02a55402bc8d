"""Case command forms: open, assign, transfer with a handover note, reply or note, pend, resolve..."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from domain.cases.model import PEND_REASONS, PRIORITIES
from domain.touchpoints.model import CHANNELS
from web.admin.forms.common import (
    CreateForm,
    RowForm,
    StaffField,
    TeamField,
    choices,
    customer_field,
)


class OpenCaseForm(CreateForm):
    customer_id = customer_field(validators=[InputRequired("Pick the customer.")])
    subject = StringField("Subject")
    description = TextAreaField("Description", render_kw={"rows": 4})
    channel = SelectField("Channel", choices=choices(CHANNELS), default="phone")
    priority = SelectField("Priority", choices=choices(PRIORITIES), default="normal")
    team = TeamField("Team", blank="(no team yet)")


class AssignForm(RowForm):
    assignee = StaffField("Assign to")
    team = TeamField("Team", blank="(keep the case's team)")


class TransferForm(RowForm):
    to_assignee = StaffField("Transfer to")
    to_team = TeamField("Team", blank="(keep the case's team)")
    note = TextAreaField("Handover note", render_kw={"rows": 5},
                         description="What the next agent needs to know, so the customer repeats nothing.")


class ReplyForm(RowForm):
    aliases = {"public": "visibility"}
    visibility = SelectField("Kind", choices=[("public", "Public reply to the customer"),
                                              ("internal", "Internal note (the customer does not see it)")])
    body = TextAreaField("Text", render_kw={"rows": 6})


class PendForm(RowForm):
    reason = SelectField("Waiting for", choices=choices(PEND_REASONS))
    note = TextAreaField("Note", render_kw={"rows": 3})


class PriorityForm(RowForm):
    priority = SelectField("Priority", choices=choices(PRIORITIES))


class ResolveForm(RowForm):
    resolution = TextAreaField("Resolution", render_kw={"rows": 4})


class ReopenForm(RowForm):
    reason = TextAreaField("Why reopen", render_kw={"rows": 3})


class ConfirmForm(RowForm):
    """A command with nothing to fill in (resume, close, assign to me)."""
