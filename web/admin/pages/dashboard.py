"""The panel's home page: the funnel as of a date, service figures of a period, work due now.

Every figure comes from ``projections.queries.dashboard.get_dashboard``; this view only reads
the filters (a period and an "as of" date) and shows the result.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import request
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from domain.values import EARLIEST_YEAR
from projections.queries.dashboard import AT_RISK_SHARE, get_dashboard
from web.admin.access import ADMINS, Protected
from web.admin.localtime import end_of_local_day, viewer_zone
from web.admin.pages.reading import read_models
from web.services import services

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "365": "Last 12 months", "all": "All time"}
DEFAULT_PERIOD = "all"


def parse_filters(args: Any, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """The period and as-of date asked for, and messages for what could not be used (the
    defaults stand in: a bad filter never fails the page)."""
    problems = []
    period = args.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        problems.append(f"Period: choose one of {', '.join(PERIODS.values())}.")
        period = DEFAULT_PERIOD
    as_of_text, as_of = (args.get("as_of") or "").strip(), None
    if as_of_text:
        try:
            day = date.fromisoformat(as_of_text)
        except ValueError:
            problems.append(f"As of: {as_of_text[:40]!r} is not a date (YYYY-MM-DD); showing today.")
        else:
            if day > now.astimezone(viewer_zone()).date():
                problems.append("As of: that date is in the future; showing today.")
            elif day.year < EARLIEST_YEAR:
                problems.append(f"As of: choose a date from {EARLIEST_YEAR} on; showing today.")
            else:
                as_of = min(end_of_local_day(day), now)  # the end of that day where the viewer is
    at = as_of or now
    since = None if period == "all" else at - timedelta(days=int(period))
    return {"period": period, "as_of": as_of, "at": at, "since": since,
            "as_of_text": at.astimezone(viewer_zone()).date().isoformat()}, problems


class DashboardView(Protected, AdminIndexView):
    """The index view of /admin: every role reads it."""

    @expose("/")
    def index(self) -> Any:
        now = services().clock.now()
        filters, problems = parse_filters(request.args, now)
        day = min(filters["as_of"] or now, now).astimezone(viewer_zone()).date()  # the viewer's day
        figures, unavailable = read_models(lambda conn: get_dashboard(
            conn, now=now, as_of=filters["as_of"], since=filters["since"], day=day))
        return self.render("admin/pages/dashboard.html", figures=figures, unavailable=unavailable,
                           filters=filters, problems=problems, periods=PERIODS, at_risk_share=AT_RISK_SHARE,
                           can_set_probabilities=current_user.role in ADMINS,
                           chart=funnel_chart(figures["funnel"]) if figures else None)


def funnel_chart(funnel: dict[str, Any]) -> dict[str, Any]:
    """What the chart script draws: one bar per stage (count), values for the tooltips."""
    return {"labels": [s["name"] for s in funnel["stages"]],
            "counts": [s["count"] for s in funnel["stages"]],
            "values": [str(s["value"]) for s in funnel["stages"]]}
