"""Saved queues ("My queue"): the same lists and commands, narrowed to the work at hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.cases.model import ACTIVE
from projections import models
from web.admin.localtime import end_of_local_day, viewer_zone
from web.admin.views.cases import CasesView
from web.admin.views.display import my_refs, plain
from web.admin.views.promises import PromisesView
from web.admin.views.touchpoints import TouchpointsView
from web.services import services


class MyOpenCases(CasesView):
    description = "Cases assigned to you that are new, open or pending, oldest activity first."
    column_default_sort = ("last_activity_at", False)

    def narrow(self, query: Any) -> Any:
        return query.filter(models.Case.status.in_(ACTIVE), models.Case.assignee.in_(my_refs()))


class UnassignedCases(CasesView):
    description = "Active cases nobody holds yet, grouped by team (pick a team with the Team filter)."
    column_list = ["team", "tracking_code", "subject", "customer", "status", "priority", "channel", "opened_at"]
    column_default_sort = [("team", False), ("opened_at", False)]

    def narrow(self, query: Any) -> Any:
        return query.filter(models.Case.status.in_(ACTIVE), models.Case.assignee.is_(None))


def end_of_today(now: datetime) -> datetime:
    """The last instant of the viewer's today (in their time zone)."""
    zone = viewer_zone()
    return end_of_local_day(now.astimezone(zone).date(), zone)


class PromisesDueToday(PromisesView):
    description = ("Your open promises and callbacks due by the end of today (in your time zone), overdue ones "
                   "first. Everyone's: Promises, filtered by due time.")

    def narrow(self, query: Any) -> Any:
        return query.filter(models.Promise.status == "open", models.Promise.owner.in_(my_refs()),
                            models.Promise.due_at <= end_of_today(services().clock.now()))


class OverduePromises(PromisesView):
    description = "Open promises whose due time has passed, longest overdue first."

    def narrow(self, query: Any) -> Any:
        return query.filter(models.Promise.status == "open", models.Promise.due_at < services().clock.now())


REPEAT_DAYS = 7


@plain
def fmt_gap(view: Any, context: Any, model: Any, name: str) -> str:
    hours = (model.repeat_gap_seconds or 0) // 3600
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"


class RepeatContacts(TouchpointsView):
    description = (f"Inbound contacts that repeat one of the same customer about the same case or topic within "
                   f"{REPEAT_DAYS} days: the customers who had to ask again.")
    column_list = ["occurred_at", "customer", "channel", "subject", "repeat_gap", "actor"]
    column_formatters = {**TouchpointsView.column_formatters, "repeat_gap": fmt_gap}
    column_labels = {**TouchpointsView.column_labels, "repeat_gap": "Since the previous contact"}

    def narrow(self, query: Any) -> Any:
        t = models.Touchpoint
        return query.filter(t.direction == "inbound", t.retracted.is_(False),
                            t.repeat_gap_seconds <= REPEAT_DAYS * 86400)
