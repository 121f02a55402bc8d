"""Settings forms (admins only): API tokens, the pipeline's stages, retiring an SLA policy (its
definition and revision: ``web.admin.forms.policy_form``)."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField, TextAreaField, widgets

from domain.tokens.model import ACCESS, AREAS, READ_ONLY_AREAS
from web.admin.forms.common import CommandForm, RowForm

# A write scope on an area the API only reads grants nothing: not offered (the domain refuses it).
SCOPES = [(a, f"{a} (everything)") for a in ACCESS] + [
    (f"{a}:{area}", f"{a}:{area}") for a in ACCESS for area in AREAS if not (a == "write" and area in READ_ONLY_AREAS)]


class IssueTokenForm(CommandForm):
    name = StringField("Name", description="Who uses it, e.g. website or telephony (letters, digits, . _ @ -).")
    scopes = SelectMultipleField("Scopes", choices=SCOPES, default=["read"],
                                 widget=widgets.ListWidget(prefix_label=False),
                                 option_widget=widgets.CheckboxInput())


class RevokeTokenForm(RowForm):
    reason = StringField("Why revoke")


class PipelineForm(RowForm):
    stages = TextAreaField("Open stages, in order", render_kw={"rows": 6},
                           description="One per line. Won and Lost are the outcomes and always follow.")

    def stage_list(self) -> list[str]:
        return [line.strip() for line in (self.stages.data or "").splitlines() if line.strip()]


class RetireForm(RowForm):
    reason = TextAreaField("Why retire", render_kw={"rows": 2},
                           description="It covers no new case; cases it covered keep its targets.")
