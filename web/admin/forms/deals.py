"""Deal command forms: open, move to another stage, win, lose, reopen."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from wtforms import SelectField, StringField, TextAreaField

from projections.views.directory import products
from web.admin.forms.common import CommandForm, RowForm, StaffField, StageField, customer_field
from web.services import services


class ProductField(SelectField):
    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, choices=[], validate_choice=False, **kwargs)

    def load_choices(self) -> None:
        with services().views.connect() as conn:
            rows = conn.execute(sa.select(products.c.id, products.c.name).order_by(products.c.name)).all()
        self.choices = [("", "(none)")] + [(r.id, r.name) for r in rows]


class OpenDealForm(CommandForm):
    customer_id = customer_field()
    product_id = ProductField("Product")
    title = StringField("Title")
    value = StringField("Value", description="In the account's currency, e.g. 1200.00")
    owner = StaffField("Owner")
    stage = StageField("Stage")


class MoveForm(RowForm):
    stage = StageField("Move to stage")


class WinForm(RowForm):
    close_value = StringField("Close value", description="What the customer will pay, e.g. 1150.00")


class LoseForm(RowForm):
    reason = TextAreaField("Why lost", render_kw={"rows": 3})


class ReopenDealForm(RowForm):
    stage = StageField("Reopen in stage")
    reason = TextAreaField("Why reopen", render_kw={"rows": 2})
