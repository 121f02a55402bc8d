"""Webhook forms (admins only): subscribe a URL, change it or its types, pause, replay."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from web.admin.forms.common import CommandForm, RowForm

TYPES_HELP = ("Event types, separated by commas or lines: a type (Case.Opened), every event of a kind "
              "(Case.*), or * for everything. See the event feed (/api/v1/events) for the types.")


class CreateWebhookForm(CommandForm):
    url = StringField("URL", description="https://... (a receiver on this machine or a private network only when "
                                         "TOUCHLINE_WEBHOOK_ALLOW_PRIVATE=1; plain http only to this machine).")
    event_types = TextAreaField("Event types", render_kw={"rows": 3}, description=TYPES_HELP)


class EditWebhookForm(RowForm):
    url = StringField("URL")
    event_types = TextAreaField("Event types", render_kw={"rows": 3}, description=TYPES_HELP)


class PauseWebhookForm(RowForm):
    reason = StringField("Why pause")


class ReplayWebhookForm(RowForm):
    from_position = IntegerField("From log position", validators=[InputRequired(), NumberRange(min=1)],
                                 description="Every matching event from this position on is delivered again "
                                             "(each event's position is in its payload).")


class RotateSecretForm(RowForm):
    leaked = BooleanField("The old secret leaked: stop signing with it now",
                          description="Otherwise deliveries carry a signature with the old secret too for 24 hours, "
                                      "so the receiver can switch without missing any.")
