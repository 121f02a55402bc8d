"""Deals: the pipeline list, opening a deal, and moving, winning, losing or reopening it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.deals.model import LOST, WON
from projections import models
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.common import HandOverForm
from web.admin.forms.deals import (
    LoseForm,
    MoveForm,
    OpenDealForm,
    ReopenDealForm,
    ReviseForm,
    WinForm,
)
from web.admin.views import filters
from web.admin.views.display import (
    fmt_customer,
    fmt_details,
    fmt_person,
    fmt_time,
    links,
    page_url,
)
from web.services import services


def _open(row: Any) -> bool:
    return row.stage not in (WON, LOST)


DEAL_COMMANDS = (
    RowCommand("revise", "Revise", ReviseForm,
               lambda app, i, v, kw: app.revise_deal(
                   i, value=str(v["value"] or "").strip() or None, expected_close_on=v["expected_close_on"],
                   clear_close_date=v["clear_close_date"], note=v["note"] or "", **kw),
               offered=_open, prefill=("value", "expected_close_on")),
    RowCommand("move", "Move", MoveForm, lambda app, i, v, kw: app.move_deal(i, stage=v["stage"], **kw),
               offered=_open, style="primary"),
    RowCommand("win", "Win", WinForm, lambda app, i, v, kw: app.win_deal(i, close_value=v["close_value"], **kw),
               offered=_open, style="success"),
    RowCommand("lose", "Lose", LoseForm, lambda app, i, v, kw: app.lose_deal(i, reason=v["reason"], **kw),
               offered=_open, style="danger"),
    RowCommand("hand_over", "Hand over", HandOverForm,
               lambda app, i, v, kw: app.hand_over_deal(i, to_owner=v["to_owner"], note=v["note"] or "", **kw),
               offered=_open),
    RowCommand("reopen", "Reopen", ReopenDealForm,
               lambda app, i, v, kw: app.reopen_deal(i, stage=v["stage"], reason=v["reason"], **kw),
               offered=lambda row: not _open(row)),
)


def open_deal(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    product_id = UUID(v["product_id"]) if v["product_id"] else None  # a listed product's id (``ProductField``)
    return app.open_deal(customer_id=v["customer_id"], product_id=product_id, title=v["title"],
                         value=v["value"], owner=v["owner"], stage=v["stage"],
                         expected_close_on=v["expected_close_on"], **kw)


class DealsView(CommandView):
    create_command = staticmethod(open_deal)
    create_form_class = OpenDealForm
    row_commands = DEAL_COMMANDS
    column_list = ["title", "customer", "product", "stage", "value", "owner", "opened_at", "stage_entered_at",
                   "expected_close_on", "closed_at", "close_value"]
    column_details_list = ["title", "customer", "product", "stage", "value", "owner", "opened_at", "stage_entered_at",
                           "expected_close_on", "closed_at", "close_value", "lost_reason", "last_activity_at",
                           "stage_count", "external_ref"]
    column_sortable_list = ["title", ("customer", "customer.name_key"), ("product", "product.name"), "stage", "value",
                            "owner", "opened_at", "stage_entered_at", "expected_close_on", "closed_at", "close_value"]
    column_searchable_list = ["title", "customer.name", "external_ref"]
    column_filters = [filters.stage(models.Deal.stage), filters.person(models.Deal.owner, "Owner"), "value",
                      "opened_at", "expected_close_on", "closed_at"]
    column_default_sort = ("opened_at", True)
    column_labels = {"opened_at": "Opened", "stage_entered_at": "In stage since", "closed_at": "Closed",
                     "expected_close_on": "Expected close",
                     "stage_count": "Stages", "external_ref": "Reference"}
    column_formatters = {"title": fmt_details, "customer": fmt_customer, "owner": fmt_person,
                         **{c: fmt_time for c in ("opened_at", "stage_entered_at", "closed_at", "last_activity_at")}}

    def version_of(self, model: Any) -> int | None:
        """The deals read model keeps no version: the user acts on the deal as it is now."""
        return services().app.get_deal(UUID(model.id)).version if model is not None else None

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        return [*super().record_links(model),
                *links(("Customer 360", page_url("customer360.show", customer_id=model.customer_id)
                        if model.customer_id else None))]
