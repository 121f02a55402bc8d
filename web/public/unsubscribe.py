"""Unsubscribing: ``/unsubscribe/<token>`` from an outreach message (survey, win-back offer).

GET says what will happen and shows a button; its POST (CSRF-protected) withdraws the consent
the message relied on and confirms. ``/unsubscribe/<token>/one-click`` is the email's
List-Unsubscribe target: a mail provider POSTs ``List-Unsubscribe=One-Click`` there (RFC 8058),
with no cookie and so no CSRF token: the signed token in the URL is the authority. A link we
did not write is a 404 page, one older than ``UNSUBSCRIBE_LINK_DAYS`` a 410.
"""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from domain.customers.outreach import CONSENT_OF_PURPOSE
from domain.errors import NotFoundError
from domain.messages.model import Message
from scheduler.links import ONE_CLICK, read_unsubscribe_token
from web.public.forms import ButtonForm
from web.public.pages import Page, limit_address, link_settings, public_error
from web.services import services

blp = Blueprint("public_unsubscribe", __name__)
WHAT = {"surveys": "satisfaction surveys", "marketing": "offers and news"}


def _message(token: str) -> Message | Page:
    """The message the link came in, or the error page to answer instead."""
    message_id = read_unsubscribe_token(link_settings().link_key, token)
    if message_id is None:
        return public_error(404, "Link not valid", "This unsubscribe link is not valid. "
                            "Please use the link in our message, or reply to it and we will take you off the list.")
    try:
        message = services().app.get_queued_message(message_id)
    except NotFoundError:
        return public_error(404, "Link not valid", "We cannot find the message this link came in.")
    if services().clock.now() - message.last_occurred_at > link_settings().link_valid_for:
        return public_error(410, "Link expired", "This unsubscribe link has expired. Please use the link in a "
                            "more recent message, or reply to it and we will take you off the list.")
    return message


def _unsubscribe(message_id: UUID) -> str:
    purpose, _ = services().app.unsubscribe(message_id, occurred_at=services().clock.now())
    return purpose


@blp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Page:
    """What unsubscribing does, and the button that does it."""
    found = _message(token)
    if not isinstance(found, Message):
        return found
    consent = CONSENT_OF_PURPOSE.get(found.purpose, "marketing")
    what = WHAT[consent]
    form = ButtonForm()
    if not form.is_submitted():
        withdrawn = found.customer_id is not None and \
            services().app.get_customer(found.customer_id).consents.get(consent) is False  # not merely never given
        if withdrawn:
            return render_template("public/thanks.html", title="You are unsubscribed already",
                                   message=f"You receive no {what} from us. Messages about your own requests "
                                           "(answers, the status of a case) still reach you.")
        return render_template("public/unsubscribe.html", form=form, what=what)
    if (limited := limit_address()) is not None:
        return limited
    _unsubscribe(found.id)
    return render_template("public/thanks.html", title="You are unsubscribed",
                           message=f"You will receive no more {what} from us. Thank you for letting us know.")


@blp.route("/unsubscribe/<token>/one-click", methods=["GET", "POST"])
def one_click(token: str) -> Page | Response:
    """RFC 8058: a POST with ``List-Unsubscribe=One-Click`` unsubscribes; a GET (a person following
    the header's link) goes to the page with the button."""
    if request.method == "GET":
        return redirect(url_for("public_unsubscribe.unsubscribe", token=token))
    if (limited := limit_address()) is not None:
        return limited
    found = _message(token)
    if not isinstance(found, Message):
        return found
    if request.form.get("List-Unsubscribe") != ONE_CLICK.partition("=")[2]:
        return public_error(400, "Not unsubscribed", f"A one-click unsubscribe is a POST of {ONE_CLICK}.")
    _unsubscribe(found.id)
    return render_template("public/thanks.html", title="You are unsubscribed",
                           message=f"You will receive no more {WHAT[CONSENT_OF_PURPOSE[found.purpose]]} from us.")


@blp.record_once
def _exempt_one_click(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    app.extensions.setdefault("csrf_exempt_endpoints", set()).add("public_unsubscribe.one_click")
