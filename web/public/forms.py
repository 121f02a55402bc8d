"""What the public forms share: the spam guard and the idempotency key.

Every ``GuardedForm`` carries a hidden ``stamp``: a random nonce and the time the form was shown,
signed with the link key (``scheduler.links``), so neither can be made up or changed. The nonce
and what was typed name what the form writes (``GuardedForm.key``, ``derived_id``): sending the
same form twice (a double click, a reload) writes it once; sent again with changes (Back, a typo
fixed) it is a new request. The guard, with no third-party service: a honeypot field people do not
see (a bot that fills it gets a generic answer), a minimum fill time counted from the stamp, and
the per-address rate limit of every public POST.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from flask import current_app, render_template
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from domain.errors import InvalidValueError
from domain.values import is_plain_name, phone_number, storable
from projections.queries.public import find_customer_by_email
from scheduler.links import sign, verify
from web.public.pages import Page, limit_address, link_settings, public_error
from web.services import services

STAMP_VALID = timedelta(hours=24)  # a form left open longer than this is shown again, fresh
NOT_ACCEPTED = ("Not sent", "We could not accept this form. Please reload the page and fill it in again.")
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_FORM = ("Please give a phone number: at least 5 digits, with spaces and + ( ) - / . if you like "
              "(and an extension such as ext. 12).")
NOT_TYPED = ("csrf_token", "stamp", "website")  # the fields a person does not fill in
NAME_FORM = "Please write your name on one line, without invisible control characters."
UNSTORABLE = "Please remove the invisible control characters from this field."


def phone(form: Any, field: Any) -> None:
    """A phone number as the domain takes one (``domain.values.phone_number``), said on the field."""
    if field.data:
        try:
            phone_number(field.name, field.data)
        except InvalidValueError:
            raise ValidationError(PHONE_FORM) from None


def storable_text(form: Any, field: Any) -> None:
    """Nothing a text column cannot store (a NUL, a lone surrogate), said on the field in words a
    customer understands (``GuardedForm`` checks every field so; other forms name it per field)."""
    if isinstance(field.data, str) and not storable(field.data):
        raise ValidationError(UNSTORABLE)


def plain_name(form: Any, field: Any) -> None:
    """A name as the domain takes one (``domain.values.name_text``), said on the field."""
    if field.data and storable(field.data) and not is_plain_name(field.data):
        raise ValidationError(NAME_FORM)


def strip(value: str | None) -> str | None:
    """A field filter: blanks around what was typed are no part of it (so "  " is empty)."""
    return value.strip() if isinstance(value, str) else value


def setting(name: str) -> int:
    """A whole-number setting of the public pages (``TOUCHLINE_<name>``), checked at start-up (web.settings)."""
    return int(current_app.config[name])


def new_stamp() -> str:
    return sign(link_settings().link_key, f"f-{uuid4().hex}-{int(services().clock.now().timestamp())}")


def read_stamp(stamp: str) -> tuple[str, datetime] | None:
    """The nonce and the time shown of a stamp we signed; None for anything else."""
    kind, _, rest = (verify(link_settings().link_key, stamp or "") or "").partition("-")
    nonce, _, shown = rest.partition("-")
    if kind != "f" or len(nonce) != 32 or not shown.isdigit():
        return None
    return nonce, datetime.fromtimestamp(int(shown), UTC)


def derived_id(kind: str, key: str) -> UUID:
    """The id of the record a form with this key (``GuardedForm.key``) writes: the same on every resend."""
    return uuid5(NAMESPACE_URL, f"/public-forms/{kind}/{key}")


class ButtonForm(FlaskForm):
    """Only the CSRF token: the button is the whole form (a link's page that does one thing)."""


class GuardedForm(FlaskForm):
    stamp = HiddenField()
    # The honeypot: hidden from people by the page's style, left empty by them.
    website = StringField("Leave this field empty", render_kw={"autocomplete": "off", "tabindex": "-1"})

    def stamp_once(self) -> None:
        """Give a newly shown form its stamp (a form shown again keeps the one it was sent with)."""
        if not self.stamp.data:
            self.stamp.data = new_stamp()

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, and none may hold what no text column stores (a NUL, a lone
        surrogate): named on its field, not refused later by the command as a whole."""
        valid = bool(super().validate(extra_validators))
        for field in self:
            if isinstance(field.data, str) and not storable(field.data):
                field.errors = [*field.errors, UNSTORABLE]
                valid = False
        return valid

    def key(self) -> str | None:
        """What names the records this form writes: its nonce and a digest of what was typed (None
        without a stamp of ours). Sent again changed (Back, a typo fixed), it is a new request: the
        customer expects what they see sent to be what we record, and a refusal would have them fill
        in again a form they just corrected; an agent can close the first request as a duplicate."""
        found = read_stamp(self.stamp.data)
        if found is None:
            return None
        typed = json.dumps({f.name: f.data for f in self if f.name not in NOT_TYPED}, sort_keys=True, default=str)
        return f"{found[0]}-{hashlib.sha256(typed.encode()).hexdigest()[:32]}"


def guard(form: GuardedForm, template: str, **context: object) -> Page | None:
    """None when a sent form may be written; else the page to answer: 429 when the address sent
    too much, a generic refusal for a bot, the form with its errors for a person (400)."""
    if (limited := limit_address()) is not None:
        return limited
    found = read_stamp(form.stamp.data)
    if form.website.data or found is None:
        return public_error(400, *NOT_ACCEPTED)
    age = services().clock.now() - found[1]
    if age > STAMP_VALID:
        form.stamp.data = new_stamp()
        return render_template(template, form=form, problem="This form was open for more than a day. "
                               "Please check it and send it again.", **context), 400
    if not form.validate():
        return render_template(template, form=form, **context), 400
    if age < timedelta(seconds=setting("PUBLIC_FORM_MIN_SECONDS")):
        return render_template(template, form=form, problem="That was quicker than we expect a person to fill in "
                               "this form. Please check it and send it again.", **context), 400
    return None


class ContactDetails(GuardedForm):
    """Who is writing: enough to find them among our customers, or to register them."""

    name = StringField("Your name", filters=[strip], validators=[DataRequired("Please tell us your name."),
                                                Length(max=200, message="Please keep your name under 200 characters."),
                                                plain_name])
    email = StringField("Your email address", filters=[strip], validators=[
        DataRequired("Please give your email address: we answer there."),
        Length(max=254, message="An email address has at most 254 characters."),
        Regexp(EMAIL, message="Please give an email address like name@example.com.")])
    phone = StringField("Your phone number (optional)", filters=[strip],
                        validators=[Optional(), Length(max=40, message=PHONE_FORM), phone])

    def address(self) -> str:
        return str(self.email.data).strip().lower()

    def found(self) -> UUID | None:
        """The read model's customer with this email (a merged one's survivor). Without one, the
        Application derives the customer's id from the address, as for mail, so near-simultaneous
        first forms from an address register one customer (``Touchline.customer_id_for_email``)."""
        with services().views.connect() as conn:
            return find_customer_by_email(conn, self.address())

    def registration(self) -> dict[str, Any]:
        """The name and contact points a new customer is registered with."""
        points = [{"kind": "email", "value": self.address()}]
        if self.phone.data:
            points.append({"kind": "phone", "value": self.phone.data.strip()})
        return {"name": self.name.data.strip(), "contact_points": points}
