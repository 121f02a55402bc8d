"""Cancelling a booked callback: ``/callback/cancel/<token>``, the link in the confirmation the
scheduler mails (``scheduler.promises``). GET shows the call and a button; its POST (CSRF-protected)
cancels it. A link for a time since moved (410), one we did not write (404) or one used once the
time has passed (410) cancels nothing; a call cancelled already says so.
"""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, render_template

from domain.errors import DomainError, NotFoundError
from domain.promises.model import Promise
from scheduler.links import read_callback_token
from web.public.callback import ACTOR
from web.public.forms import ButtonForm
from web.public.pages import Page, limit_address, link_settings, public_error
from web.public.times import chosen_zone, local_text
from web.services import services

blp = Blueprint("public_callback_cancel", __name__)


def _booked(token: str) -> Promise | Page:
    """The open callback the link names, at the time it names; else the page to answer instead."""
    named = read_callback_token(link_settings().link_key, token)
    if named is None:
        return public_error(404, "Link not valid", "This link is not valid. Please use the link in our confirmation, "
                                                   "or reply to it and we will cancel the call for you.")
    try:
        promise = services().app.get_promise(named[0])
    except NotFoundError:
        return public_error(404, "Link not valid", "We cannot find the call this link is about.")
    if promise.promise_kind != "callback" or int(promise.due_at.timestamp()) != named[1]:
        return public_error(410, "Link out of date", "The time of this call has changed since this link was sent. "
                                                     "Please use the link in our latest confirmation.")
    if promise.status == "cancelled":
        return render_template("public/thanks.html", title="Your call is cancelled already",
                               message="We will not call you then.")
    if promise.status != "open" or promise.due_at <= services().clock.now():
        return public_error(410, "Too late to cancel", "The time of this call has passed.")
    return promise


@blp.route("/callback/cancel/<token>", methods=["GET", "POST"])
def cancel(token: str) -> Page:
    """The booked call and a button that cancels it."""
    found = _booked(token)
    if not isinstance(found, Promise):
        return found
    zone = chosen_zone(found.timezone)
    when = local_text(found.due_at, zone)
    form = ButtonForm()
    if not form.is_submitted():  # booking another time shows the times in the zone they booked in
        return render_template("public/callback_cancel.html", form=form, when=when, phone=found.contact_point,
                               zone=zone.key)
    if not form.validate():
        return public_error(400, "Not cancelled", "The form expired. Please open the link again and press the button.")
    if (limited := limit_address()) is not None:
        return limited
    try:
        services().app.cancel_promise(UUID(str(found.id)), reason="Cancelled by the customer (the link in our "
                                      "confirmation)", expected_version=found.version,
                                      occurred_at=services().clock.now(), actor=ACTOR)
    except DomainError:  # changed meanwhile (an agent moved or made the call): the page says what it is now
        return public_error(409, "Not cancelled", "Your call changed a moment ago. Please open the link again.")
    return render_template("public/thanks.html", title="Your call is cancelled",
                           message=f"We will not call you on {when}. You can book another time whenever you like.")
