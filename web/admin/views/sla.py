"""SLA lists: breaches (settled, or past due now), and the targets still counting, soonest due
first (what is at risk). Targets are judged against the clock now, as the SLA API judges them."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from domain.cases.model import PRIORITIES
from projections import models
from web.admin.views import filters
from web.admin.views.base import ListView
from web.admin.views.display import fmt_person, fmt_time, link, plain, utc
from web.services import services

TARGETS = ("first_response", "next_response", "resolution")
T = models.SlaTarget


def fmt_case(view: Any, context: Any, model: Any, name: str) -> Markup | str:
    code = model.case.tracking_code if model.case else model.case_id
    return link("admin_cases.details_view", code, id=model.case_id)


@plain
def fmt_words(view: Any, context: Any, model: Any, name: str) -> str:
    return str(getattr(model, name)).replace("_", " ")


@plain
def fmt_minutes_left(view: Any, context: Any, model: Any, name: str) -> str:
    """Calendar time to the due time (the target may count business hours only: see its due time)."""
    if model.due_at is None:
        return ""
    minutes = int((model.due_at - services().clock.now()).total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 0 else f"{-minutes // 60} h over"


@plain
def fmt_breached_at(view: Any, context: Any, model: Any, name: str) -> str:
    """When it was breached: stored once settled, else the due time that passed."""
    return utc(model.breached_at or model.due_at)


class SlaListView(ListView):
    column_list = ["case", "target", "cycle", "priority", "team", "assignee", "due_at", "status"]
    column_details_list = ["case", "target", "cycle", "status", "priority", "channel", "team", "assignee",
                           "started_at", "due_at", "breached_at", "stopped_at", "minutes", "business_hours",
                           "used", "overrun", "policy_version", "opened_at"]
    column_sortable_list = ["target", "cycle", "priority", "team", "assignee", "due_at", "breached_at", "opened_at"]
    column_searchable_list = ["team"]
    column_filters = [filters.one_of(T.target, "Target", TARGETS), filters.one_of(T.priority, "Priority", PRIORITIES),
                      filters.team(T.team), filters.person(T.assignee, "Assignee"), "due_at"]
    column_labels = {"due_at": "Due", "minutes": "Target minutes", "used": "Minutes used",
                     "overrun": "Minutes over", "business_hours": "Business hours only"}
    column_formatters = {"case": fmt_case, "assignee": fmt_person, "target": fmt_words,
                         **{c: fmt_time for c in ("started_at", "due_at", "stopped_at", "opened_at")}}


class SlaBreachesView(SlaListView):
    description = "Targets breached: settled breaches, and targets still counting whose due time has passed."
    column_list = ["case", "target", "cycle", "priority", "team", "assignee", "due_at", "breached_at"]
    column_default_sort = ("due_at", True)
    column_formatters = {**SlaListView.column_formatters, "breached_at": fmt_breached_at}

    def narrow(self, query: Any) -> Any:
        now = services().clock.now()
        return query.filter((T.status == "breached") | ((T.status == "active") & (T.due_at <= now)))


class SlaOpenTargetsView(SlaListView):
    description = "Targets counting now and not yet due, soonest due first: the top of this list is at risk."
    column_list = ["case", "target", "cycle", "priority", "team", "assignee", "due_at", "time_left"]
    column_default_sort = ("due_at", False)
    column_formatters = {**SlaListView.column_formatters, "time_left": fmt_minutes_left}
    column_labels = {**SlaListView.column_labels, "time_left": "Time left"}

    def narrow(self, query: Any) -> Any:
        return query.filter(T.status == "active", T.due_at > services().clock.now())
