"""Deal command forms: open, revise, move to another stage, win, lose, reopen; stage probabilities."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from projections.views.directory import products
from web.admin.forms.common import (
    CreateForm,
    ListedField,
    RowForm,
    StaffField,
    StageField,
    customer_field,
)
from web.services import services


class ProductField(ListedField):
    """A product of the catalogue, or none (only the listed ids pass: the command reads them as UUIDs)."""

    refusal = "Pick a product from the list (or none)."

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, choices=[], validate_choice=False, **kwargs)

    def load_choices(self) -> None:
        with services().views.connect() as conn:
            rows = conn.execute(sa.select(products.c.id, products.c.name).order_by(products.c.name)).all()
        self.choices = [("", "(none)")] + [(str(r.id), r.name) for r in rows]


class OpenDealForm(CreateForm):
    customer_id = customer_field()
    product_id = ProductField("Product")
    title = StringField("Title")
    value = StringField("Value", description="In the account's currency, e.g. 1200.00")
    owner = StaffField("Owner")
    stage = StageField("Stage")
    expected_close_on = DateField("Expected close", validators=[Optional()],
                                  description="The day you expect to close it: the forecast counts it in that month.")


class ReviseForm(RowForm):
    value = StringField("New value", description="Blank: unchanged. In the account's currency, e.g. 1450.00")
    expected_close_on = DateField("New expected close", validators=[Optional()], description="Blank: unchanged.")
    clear_close_date = BooleanField("No expected close date any more")
    note = TextAreaField("Why", render_kw={"rows": 2}, description="What changed: what the customer said.")


class MoveForm(RowForm):
    stage = StageField("Move to stage")


class WinForm(RowForm):
    close_value = StringField("Close value", description="What the customer will pay, e.g. 1150.00")


class LoseForm(RowForm):
    reason = TextAreaField("Why lost", render_kw={"rows": 3})


class ReopenDealForm(RowForm):
    stage = StageField("Reopen in stage")
    reason = TextAreaField("Why reopen", render_kw={"rows": 2})


def probability_form(stages: list[str], probabilities: dict[str, int], version: int, data: Any = None) -> RowForm:
    """One whole-percent field per open stage (blank: learnt from the deals that passed through it)."""

    class ProbabilityForm(RowForm):
        def probabilities(self) -> dict[str, int]:
            return {stage: self[f"stage_{i}"].data for i, stage in enumerate(stages)
                    if self[f"stage_{i}"].data is not None}

    for i, stage in enumerate(stages):
        setattr(ProbabilityForm, f"stage_{i}", IntegerField(
            stage, validators=[Optional(), NumberRange(0, 100, "a whole percent from 0 to 100")],
            description="% won from this stage; blank: learnt from the deals closed after it"))
    return ProbabilityForm(data, version=version,
                           **{f"stage_{i}": probabilities.get(s) for i, s in enumerate(stages)})
