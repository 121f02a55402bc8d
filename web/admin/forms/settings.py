"""Settings forms (admins only): API tokens, the pipeline's stages, SLA policies."""

from __future__ import annotations

import json
from typing import Any

from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import InputRequired, ValidationError

from domain.tokens.model import ACCESS, AREAS
from web.admin.forms.common import CommandForm, RowForm

SCOPES = [(a, f"{a} (everything)") for a in ACCESS] + [(f"{a}:{area}", f"{a}:{area}") for a in ACCESS for area in AREAS]


class IssueTokenForm(CommandForm):
    name = StringField("Name", description="Who uses it, e.g. website or telephony (letters, digits, . _ @ -).")
    scopes = SelectMultipleField("Scopes", choices=SCOPES, default=["read"],
                                 widget=widgets.ListWidget(prefix_label=False),
                                 option_widget=widgets.CheckboxInput())


class RevokeTokenForm(CommandForm):
    reason = StringField("Why revoke")


class PipelineForm(CommandForm):
    stages = TextAreaField("Open stages, in order", render_kw={"rows": 6},
                           description="One per line. Won and Lost are the outcomes and always follow.")

    def stage_list(self) -> list[str]:
        return [line.strip() for line in (self.stages.data or "").splitlines() if line.strip()]


class PolicyForm(RowForm):
    """An SLA policy: conditions, targets and calendar as JSON, as the SLA API takes them."""

    name = StringField("Name")
    position = IntegerField("Position", validators=[InputRequired("Give the order in which policies are tried.")],
                            description="Policies are tried in this order; the first that matches applies.")
    conditions = TextAreaField("Conditions (JSON)", render_kw={"rows": 3, "class": "text-monospace"},
                               description='e.g. {"priority": ["urgent"], "channel": ["phone"]}; {} matches all.')
    targets = TextAreaField("Targets (JSON)", render_kw={"rows": 6},
                            description="Per priority: first_response, next_response, resolution in minutes.")
    calendar = TextAreaField("Calendar (JSON)", render_kw={"rows": 6},
                             description="timezone, weekly hours and holidays; see the README's service levels.")


    def validate_json(self, field: Any) -> None:
        try:
            field.parsed = json.loads(field.data or "{}")
        except ValueError as exc:
            raise ValidationError(f"is not valid JSON: {exc}") from None
        if not isinstance(field.parsed, dict):
            raise ValidationError("must be a JSON object: {...}")

    validate_conditions = validate_targets = validate_calendar = validate_json

    def policy(self) -> dict[str, Any]:
        """The command's arguments (after ``validate``)."""
        return {"name": self.name.data, "position": self.position.data, "conditions": self.conditions.parsed,
                "targets": self.targets.parsed, "calendar": self.calendar.parsed}


class RetireForm(RowForm):
    reason = TextAreaField("Why retire", render_kw={"rows": 2},
                           description="It covers no new case; cases it covered keep its targets.")
