"""The case status page: ``/status``. With a tracking code AND the email address of the customer
whose case it is, it shows the status, the last public update and when to expect an answer. A
wrong code and a wrong email get the same answer, and lookups have their own tight per-address
limit, so codes cannot be probed. Internal notes are never shown: only public replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import Blueprint, current_app, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from domain.cases.model import Case
from domain.errors import InvalidValueError, NotFoundError
from web.api.ratelimit import MemoryBucket, RateLimiter
from web.public.consent import consent_url
from web.public.forms import strip
from web.public.pages import Page, too_many
from web.public.times import local_text, zone_of_case
from web.services import services

blp = Blueprint("public_status", __name__)
TEMPLATE = "public/status.html"
LOOKUPS_PER_MINUTE, LOOKUP_BURST = 1, 5  # per address: enough to mistype twice, far too few to probe
NOT_FOUND = ("We found no request with this tracking code and email address. Please check both: the code "
             "is in our confirmation message, and the address is the one you wrote to us from.")
STATUS_WORDS = {"new": "Received: we will look at it soon", "open": "We are working on it",
                "pending": "Waiting for an answer from you or from someone else", "resolved": "Resolved",
                "closed": "Closed"}
RESPONSE_TARGETS = ("first_response", "next_response")


class StatusForm(FlaskForm):
    code = StringField("Tracking code", filters=[strip], validators=[
        DataRequired("Please give the tracking code from our message."),
        Length(max=20, message="A tracking code looks like CASE-004044."),
        Regexp(r"^\s*[cC][aA][sS][eE]-\d{6,}\s*$", message="A tracking code looks like CASE-004044.")])
    email = StringField("Your email address", filters=[strip], validators=[
        DataRequired("Please give the email address you wrote to us from."),
        Length(max=254, message="An email address has at most 254 characters.")])


def _limited() -> Page | None:
    limiter = current_app.extensions.get("touchline_status_limiter")
    if limiter is None:
        clock = services().clock
        limiter = RateLimiter(LOOKUPS_PER_MINUTE, LOOKUP_BURST, MemoryBucket(), clock=lambda: clock.now().timestamp())
        current_app.extensions["touchline_status_limiter"] = limiter
    wait = limiter.take(request.remote_addr or "-")
    if wait <= 0:
        return None
    return too_many("Too many lookups", wait)


def _matching_case(code: str, email: str) -> Case | None:
    """The case with this code whose customer has this email address; None otherwise (either way)."""
    app = services().app
    try:
        case = app.get_case(app.find_case_id(code))
        customer = app.get_customer(case.customer_id)
        # Merged since: the person's addresses are the survivor's too (it took the duplicate's).
        survivor = app.get_customer(app.survivor(customer.id)) if customer.merged_into else customer
    except (NotFoundError, InvalidValueError):
        return None
    if customer.erased or survivor.erased:  # their addresses read "[erased]": nobody's to type
        return None
    emails = {str(p["value"]).strip().lower() for c in (customer, survivor) for p in c.contact_points
              if p.get("kind") == "email"}
    return case if email.strip().lower() in emails else None


def _last_public_reply(case_id: UUID) -> tuple[str, datetime] | None:
    last = None
    for e in services().app.events.get(case_id):
        if isinstance(e, Case.AgentReplied) and e.public:
            last = (e.body, e.occurred_at)
    return last


def _expected_response(case: Case, now: datetime) -> dict[str, Any] | None:
    """The due time of the answer we owe (the earliest running response target), if any."""
    if case.status in ("resolved", "closed"):
        return None
    clocks = [c for c in services().app.get_case_sla(case.id, at=now)
              if c.target in RESPONSE_TARGETS and c.stopped_at is None and c.due_at is not None]
    if not clocks:
        return None
    due = min(c.due_at for c in clocks if c.due_at is not None)
    return {"due_at": due, "late": due <= now}


def _details(case: Case) -> dict[str, Any]:
    now, zone = services().clock.now(), zone_of_case(case)
    reply = _last_public_reply(case.id)
    expected = _expected_response(case, now)
    return {
        "code": case.tracking_code, "subject": case.subject, "status": STATUS_WORDS.get(case.status, case.status),
        "reply": reply[0] if reply else None, "updated_at": local_text(reply[1] if reply else case.opened_at, zone),
        "expected": expected and {**expected, "text": local_text(expected["due_at"], zone)},
        "consent_url": consent_url(case.customer_id),
    }


@blp.route("/status", methods=["GET", "POST"])
def status() -> Page:
    """The lookup form; its POST shows the case when code and email match."""
    form = StatusForm()
    if not form.is_submitted():
        return render_template(TEMPLATE, form=form)
    if (limited := _limited()) is not None:
        return limited
    if not form.validate():
        return render_template(TEMPLATE, form=form), 400
    case = _matching_case(form.code.data, form.email.data)
    if case is None:
        return render_template(TEMPLATE, form=form, problem=NOT_FOUND), 404
    return render_template("public/status_case.html", case=_details(case))
