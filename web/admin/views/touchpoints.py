"""Touchpoints: the contact log, recording a contact (now or back-filled), retracting one."""

from __future__ import annotations

from typing import Any

from domain.touchpoints.model import CHANNELS, DIRECTIONS, TOUCHPOINT_KINDS
from projections import models
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.touchpoints import RecordTouchpointForm, RetractForm
from web.admin.views import filters
from web.admin.views.display import fmt_customer, fmt_details, fmt_person, fmt_time, links, page_url

TOUCHPOINT_COMMANDS = (
    RowCommand("retract", "Retract", RetractForm,
               lambda app, i, v, kw: app.retract_touchpoint(i, reason=v["reason"], **kw),
               offered=lambda row: not row.retracted, versioned=False, style="danger"),
)


def record_touchpoint(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.record_touchpoint(
        customer_id=v["customer_id"], channel=v["channel"], direction=v["direction"], kind=v["kind"],
        subject=v["subject"], summary=v["summary"] or "", contact_point=v["contact_point"] or None,
        case_id=v["case_id"], id=kw.get("id"), occurred_at=v["occurred_at"] or kw["occurred_at"], actor=kw["actor"])


class TouchpointsView(CommandView):
    create_command = staticmethod(record_touchpoint)
    create_form_class = RecordTouchpointForm
    row_commands = TOUCHPOINT_COMMANDS
    column_list = ["occurred_at", "customer", "channel", "direction", "kind", "subject", "actor", "retracted"]
    column_details_list = ["occurred_at", "customer", "channel", "direction", "kind", "subject", "topic", "actor",
                           "retracted", "repeat_gap_seconds", "version"]
    column_sortable_list = ["occurred_at", ("customer", "customer.name_key"), "channel", "direction", "kind", "subject",
                            "actor"]
    column_searchable_list = ["subject", "customer.name"]
    column_filters = [filters.one_of(models.Touchpoint.channel, "Channel", CHANNELS),
                      filters.one_of(models.Touchpoint.direction, "Direction", DIRECTIONS),
                      filters.one_of(models.Touchpoint.kind, "Kind", TOUCHPOINT_KINDS),
                      filters.person(models.Touchpoint.actor, "Recorded by"), "retracted", "occurred_at"]
    column_default_sort = ("occurred_at", True)
    column_labels = {"occurred_at": "When", "actor": "Recorded by",
                     "repeat_gap_seconds": "Seconds since the previous contact on this topic"}
    column_formatters = {"occurred_at": fmt_time, "subject": fmt_details, "customer": fmt_customer,
                         "actor": fmt_person}

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        return [*super().record_links(model),
                *links(("Customer 360", page_url("customer360.show", customer_id=model.customer_id)),
                       ("Case", page_url("admin_cases.details_view", id=model.case_id) if model.case_id else None))]
