"""Promises (callback requests included): the list, making one, and keeping, rescheduling or
cancelling it."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_admin.contrib.sqla import filters as sqla_filters
from markupsafe import Markup

from domain.promises.model import PROMISE_KINDS
from domain.touchpoints.model import CHANNELS
from projections import models
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.common import HandOverForm
from web.admin.forms.promises import (
    CancelForm,
    KeepForm,
    MakePromiseForm,
    RescheduleForm,
)
from web.admin.views import filters
from web.admin.views.display import (
    fmt_customer, fmt_details, fmt_person, fmt_time, held_by_colleague, links, page_url, plain, utc,
)
from web.services import services

STATUSES = ("open", "kept", "cancelled")


def _open(row: Any) -> bool:
    return row.status == "open"


def _colleagues(row: Any) -> str | None:
    """Bulk "keep" leaves a colleague's promise to them (its own page still offers Keep)."""
    return "owned by a colleague" if held_by_colleague(row.owner) else None


PROMISE_COMMANDS = (
    RowCommand("keep", "Keep", KeepForm, lambda app, i, v, kw: app.keep_promise(i, evidence=v["evidence"], **kw),
               offered=_open, bulk=True, style="success", bulk_skip=_colleagues),
    RowCommand("reschedule", "Reschedule", RescheduleForm,
               lambda app, i, v, kw: app.reschedule_promise(i, due_at=v["due_at"], reason=v["reason"], **kw),
               offered=_open),
    RowCommand("hand_over", "Hand over", HandOverForm,
               lambda app, i, v, kw: app.hand_over_promise(i, to_owner=v["to_owner"], note=v["note"] or "", **kw),
               offered=_open),
    RowCommand("cancel", "Cancel", CancelForm, lambda app, i, v, kw: app.cancel_promise(i, reason=v["reason"], **kw),
               offered=_open),
)


def make_promise(app: Any, v: dict[str, Any], kw: dict[str, Any]) -> Any:
    return app.make_promise(customer_id=v["customer_id"], what=v["what"], due_at=v["due_at"], owner=v["owner"],
                            channel=v["channel"], kind=v["kind"], contact_point=v["contact_point"] or None,
                            case_id=v["case_id"], **kw)


class OverdueFilter(sqla_filters.BaseSQLAFilter):
    """Open promises whose due time has passed (judged now, as the scheduler judges them)."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        late = (models.Promise.status == "open") & (models.Promise.due_at < services().clock.now())
        return query.filter(late if value == "1" else ~late)

    def operation(self) -> str:
        return "is"


@plain
def fmt_due(view: Any, context: Any, model: Any, name: str) -> Markup | str:
    """The due time, flagged when the promise is overdue."""
    when = utc(model.due_at)
    if model.status == "open" and model.due_at < services().clock.now():
        return Markup('{} <span class="badge badge-danger">overdue</span>').format(when) if context else \
            f"{when} (overdue)"
    return when


@plain
def fmt_customer_zone(view: Any, context: Any, model: Any, name: str) -> str:
    """The zone the customer reads times in, and the due time on their clock (what they were told)."""
    if not model.timezone:
        return ""
    due = model.due_at if model.due_at.tzinfo else model.due_at.replace(tzinfo=UTC)
    try:
        there = due.astimezone(ZoneInfo(model.timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return model.timezone
    return f"{model.timezone} (due {there:%Y-%m-%d %H:%M %Z} there)"


class PromisesView(CommandView):
    create_command = staticmethod(make_promise)
    create_form_class = MakePromiseForm
    row_commands = PROMISE_COMMANDS
    column_list = ["what", "customer", "kind", "owner", "status", "due_at", "channel", "made_at", "reschedules"]
    column_details_list = ["what", "customer", "kind", "owner", "status", "due_at", "timezone", "channel", "made_at",
                           "kept_at", "kept_on_time", "cancelled_at", "reschedules", "follow_ups", "version"]
    column_sortable_list = ["what", ("customer", "customer.name_key"), "kind", "owner", "status", "due_at", "channel",
                            "made_at", "reschedules"]
    column_searchable_list = ["what", "customer.name"]
    column_filters = [filters.one_of(models.Promise.status, "Status", STATUSES),
                      OverdueFilter(models.Promise.due_at, "Overdue", options=[("1", "yes"), ("0", "no")]),
                      filters.one_of(models.Promise.kind, "Kind", PROMISE_KINDS),
                      filters.one_of(models.Promise.channel, "Channel", CHANNELS),
                      filters.person(models.Promise.owner, "Owner"), "due_at", "made_at"]
    column_default_sort = ("due_at", False)
    column_labels = {"what": "Promise", "due_at": "Due", "made_at": "Made", "kept_at": "Kept",
                     "channel": "Follow up by", "timezone": "Customer's time zone"}
    column_formatters = {"what": fmt_details, "customer": fmt_customer, "owner": fmt_person, "due_at": fmt_due,
                         "timezone": fmt_customer_zone,
                         **{c: fmt_time for c in ("made_at", "kept_at", "cancelled_at")}}

    def record_links(self, model: Any) -> list[tuple[str, str]]:
        return [*super().record_links(model),
                *links(("Customer 360", page_url("customer360.show", customer_id=model.customer_id)),
                       ("Case", page_url("admin_cases.details_view", id=model.case_id) if model.case_id else None))]
