"""The consent page: ``/consent/<token>``, where a customer sees and changes what we may send
them beyond answers to their own requests (satisfaction surveys, offers and news).

The token is signed as the unsubscribe links are (``scheduler.links.sign``): it names the
customer and the day it was made, so it cannot be forged and stops working after
``UNSUBSCRIBE_LINK_DAYS``. The status page links here once code and email have matched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from flask import Blueprint, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField

from domain.customers.model import Customer
from domain.errors import NotFoundError
from scheduler.links import sign, verify
from web.public.pages import Page, limit_address, link_settings, public_error
from web.services import services

blp = Blueprint("public_consent", __name__)
ACTOR = "system:public-consent"
PURPOSES = {"surveys": "Satisfaction surveys after we resolve a request",
            "marketing": "Offers and news about our products"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def consent_token(key: bytes, customer_id: UUID, made_at: datetime) -> str:
    return sign(key, f"c-{customer_id.hex}-{(made_at - _EPOCH).days}")


def read_consent_token(key: bytes, token: str) -> tuple[UUID, datetime] | None:
    kind, _, rest = (verify(key, token) or "").partition("-")
    customer_hex, _, day = rest.partition("-")
    if kind != "c" or len(customer_hex) != 32 or not day.isdigit():
        return None
    return UUID(customer_hex), _EPOCH + timedelta(days=int(day))


def consent_url(customer_id: UUID) -> str:
    """A link to this customer's consent page, made now."""
    token = consent_token(link_settings().link_key, customer_id, services().clock.now())
    return url_for("public_consent.consent", token=token)


class ConsentForm(FlaskForm):
    surveys = BooleanField(PURPOSES["surveys"])
    marketing = BooleanField(PURPOSES["marketing"])


def _customer(token: str) -> Customer | Page:
    found = read_consent_token(link_settings().link_key, token)
    if found is None:
        return public_error(404, "Link not valid", "This link is not valid. Please use the link in our message "
                            "or on the status page of your request.")
    customer_id, made_at = found
    if services().clock.now() - made_at > link_settings().link_valid_for:
        return public_error(410, "Link expired", "This link has expired. Please look up your request on the "
                            "status page again for a fresh one.")
    try:
        customer = services().app.get_customer(customer_id)
        if customer.merged_into is not None:  # a duplicate: its consents live on the survivor
            customer = services().app.get_customer(customer.merged_into)
    except NotFoundError:
        customer = None
    if customer is None or getattr(customer, "erased", False):
        return public_error(404, "Link not valid", "We hold no details about you any more.")
    return customer


@blp.route("/consent/<token>", methods=["GET", "POST"])
def consent(token: str) -> Page:
    """The customer's consents as boxes to tick; its POST records the boxes that changed."""
    customer = _customer(token)
    if not isinstance(customer, Customer):
        return customer
    form = ConsentForm()
    if not form.is_submitted():
        for purpose in PURPOSES:
            getattr(form, purpose).data = customer.may_send(purpose)
        return render_template("public/consent.html", form=form)
    if (limited := limit_address()) is not None:
        return limited
    app, now = services().app, services().clock.now()
    for purpose in PURPOSES:
        wanted = bool(getattr(form, purpose).data)
        if wanted and not customer.may_send(purpose):
            app.give_consent(customer.id, purpose=purpose, occurred_at=now, actor=ACTOR)
        elif not wanted and customer.may_send(purpose):
            app.withdraw_consent(customer.id, purpose=purpose, occurred_at=now, actor=ACTOR)
    chosen = [PURPOSES[p].split(" after")[0].split(" about")[0].lower() for p in PURPOSES
              if getattr(form, p).data]
    return render_template("public/thanks.html", title="Your choices are saved",
                           message=("We will send you: " + " and ".join(chosen) + ".") if chosen else
                           "We will send you nothing beyond answers to your own requests.")
