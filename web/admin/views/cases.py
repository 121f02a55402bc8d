"""Cases: the list, opening a case, and the commands that work one (assign, transfer with a
handover note, reply or note, pend, resume, change priority, resolve, reopen, close)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from domain.cases.model import ACTIVE, PRIORITIES
from domain.touchpoints.model import CHANNELS
from projections import models
from projections.queries.customer_page import get_case_conversation
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.cases import (
    AssignForm,
    ConfirmForm,
    OpenCaseForm,
    PendForm,
    PriorityForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
    TransferForm,
)
from web.admin.pages.reading import read_models
from web.admin.views import filters
from web.admin.views.display import (
    fmt_customer,
    fmt_details,
    fmt_person,
    fmt_time,
    held_by_colleague,
    links,
    my_refs,
    page_url,
    staff_ref,
)

STATUSES = ("new", "open", "pending", "resolved", "closed")


def _active(row: Any) -> bool:
    return row.status in ACTIVE


def _colleagues(row: Any) -> str | None:
    """Bulk commands leave a colleague's case to them (its own page still offers the command)."""
    return "held by a colleague" if held_by_colleague(row.assignee) else None


def _not_to_take(row: Any) -> str | None:
    """Bulk "assign to me" takes only unassigned cases (or a team's)."""
    return "already yours" if row.assignee in my_refs() else _colleagues(row)


CASE_COMMANDS = (
    RowCommand("assign_to_me", "Assign to me", ConfirmForm,
               lambda app, i, v, kw: app.assign_case(i, assignee=staff_ref(current_user.id), **kw),
               offered=lambda row: _active(row) and row.assignee not in my_refs(), bulk=True, style="primary",
               bulk_skip=_not_to_take),
    RowCommand("assign", "Assign", AssignForm,
               lambda app, i, v, kw: app.assign_case(i, assignee=v["assignee"], team=v["team"], **kw),
               offered=_active, bulk=True),
    RowCommand("transfer", "Transfer", TransferForm,
               lambda app, i, v, kw: app.transfer_case(i, to_assignee=v["to_assignee"], to_team=v["to_team"],
                                                       note=v["note"], **kw), offered=_active),
    RowCommand("reply", "Reply or note", ReplyForm,
               lambda app, i, v, kw: app.reply_to_case(i, body=v["body"], public=v["visibility"] == "public", **kw),
               offered=lambda row: row.status in (*ACTIVE, "resolved"), style="primary"),
    RowCommand("pend", "Pend", PendForm,
               lambda app, i, v, kw: app.pend_case(i, reason=v["reason"], note=v["note"] or "", **kw),
               offered=lambda row: row.status in ("new", "open")),
    RowCommand("resume", "Resume", ConfirmForm, lambda app, i, v, kw: app.resume_case(i, **kw),
               offered=lambda row: row.status == "pending"),
    RowCommand("priority", "Change priority", PriorityForm,
               lambda app, i, v, kw: app.change_case_priority(i, priority=v["priority"], **kw), offered=_active,
               prefill=("priority",)),
    RowCommand("resolve", "Resolve", ResolveForm,
               lambda app, i, v, kw: app.resolve_case(i, resolution=v["resolution"], **kw),
               offered=_active, bulk=True, style="success", bulk_skip=_colleagues),
    RowCommand("reopen", "Reopen", ReopenForm, lambda app, i, v, kw: app.reopen_case(i, reason=v["reason"], **kw),
               offered=lambda row: row.status == "resolved"),
    RowCommand("close", "Close", ConfirmForm, lambda app, i, v, kw: app.close_case(i, **kw),
               offered=lambda row: row.status == "resolved"),
)


def open_case(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.open_case(customer_id=v["customer_id"], subject=v["subject"], description=v["description"] or "",
                         channel=v["channel"], priority=v["priority"], team=v["team"], **kw)


class CasesView(CommandView):
    create_command = staticmethod(open_case)
    create_form_class = OpenCaseForm
    row_commands = CASE_COMMANDS
    column_list = ["tracking_code", "subject", "customer", "status", "priority", "channel", "team", "assignee",
                   "opened_at", "last_activity_at"]
    column_details_list = ["tracking_code", "subject", "customer", "status", "priority", "channel", "team", "assignee",
                           "opened_at", "acknowledged_at", "first_response_at", "resolved_at", "closed_at",
                           "last_activity_at", "customer_contacts", "agent_replies", "transfers", "reopened",
                           "satisfaction", "sla_policy_version", "version"]
    column_sortable_list = ["tracking_code", "subject", ("customer", "customer.name_key"), "status",
                            # by urgency (a one-path tuple: Flask-Admin renames a plain same-table column)
                            ("priority", ("priority_rank",)), "channel", "team", "assignee", "opened_at",
                            "last_activity_at"]
    column_searchable_list = ["tracking_code", "subject", "customer.name"]
    column_filters = [filters.one_of(models.Case.status, "Status", STATUSES),
                      filters.one_of(models.Case.priority, "Priority", PRIORITIES),
                      filters.one_of(models.Case.channel, "Channel", CHANNELS),
                      filters.team(models.Case.team), filters.person(models.Case.assignee, "Assignee"),
                      filters.unset(models.Case.assignee, "Unassigned"), "opened_at", "last_activity_at"]
    column_default_sort = ("opened_at", True)
    column_labels = {"tracking_code": "Code", "opened_at": "Opened", "last_activity_at": "Last activity",
                     "acknowledged_at": "Acknowledged", "first_response_at": "First response",
                     "resolved_at": "Resolved", "closed_at": "Closed",
                     "sla_policy_version": "SLA policy version", "reopened": "Times reopened"}
    column_formatters = {"tracking_code": fmt_details, "customer": fmt_customer, "assignee": fmt_person,
                         **{c: fmt_time for c in ("opened_at", "acknowledged_at", "first_response_at", "resolved_at",
                                                  "closed_at", "last_activity_at")}}

    def conversation(self, model: Any) -> tuple[dict[str, Any] | None, str | None]:
        """The case's conversation for its details page, or a message when it cannot be read."""
        return read_models(lambda conn: get_case_conversation(conn, model.id))

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        found = [*super().record_links(model),
                 *links(("Customer 360", page_url("customer360.show", customer_id=model.customer_id)))]
        if self.can_write():
            about = {"customer_id": model.customer_id, "case_id": model.id}
            found += [("Record a touchpoint", url_for("admin_touchpoints.create_view", **about)),
                      ("Make a promise", url_for("admin_promises.create_view", **about))]
        return found
