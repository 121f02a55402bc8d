"""The contact form: ``/contact``. A customer writes; we find them by email (or register them,
in the same transaction), record the message as an inbound web-form touchpoint and open a case
with it, and show the tracking code. The scheduler acknowledges the case as any new one. The case and touchpoint are
named by the form's key (nonce and content), so the same form sent twice opens one case."""

from __future__ import annotations

from flask import Blueprint, render_template
from wtforms import SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from domain.errors import AlreadyExistsError, DomainError, NotFoundError
from web.public.forms import ContactDetails, Page, derived_id, guard, strip
from web.public.pages import public_error
from web.services import services

blp = Blueprint("public_contact", __name__)
ACTOR = "system:public-contact"
TEMPLATE = "public/contact.html"
# topic -> (what the customer reads, the touchpoint kind)
TOPICS = {"question": ("A question", "inquiry"), "problem": ("A problem or complaint", "complaint"),
          "order": ("An order or a change to one", "request"), "feedback": ("Feedback", "feedback"),
          "sales": ("Buying from us", "sales")}
PICK_TOPIC = "Please choose what your message is about."


class ContactForm(ContactDetails):
    topic = SelectField("What is it about?", choices=[("", "Please choose")] + [(k, v[0]) for k, v in TOPICS.items()],
                        validate_choice=False, validators=[InputRequired(PICK_TOPIC), AnyOf(list(TOPICS), PICK_TOPIC)])
    message = TextAreaField("Your message", filters=[strip], validators=[
        DataRequired("Please write your message."),
        Length(max=5000, message="Please keep your message under 5,000 characters.")])


def _subject(form: ContactForm) -> str:
    first_line = form.message.data.strip().splitlines()[0].strip()
    short = first_line if len(first_line) <= 80 else first_line[:79] + "\u2026"
    return f"{TOPICS[form.topic.data][0]}: {short}"


def _open_case(form: ContactForm) -> str:
    """The tracking code of the case this form opened (now, or when it was first sent)."""
    app, key, now = services().app, form.key(), services().clock.now()
    assert key is not None, "guard() passed, so the stamp is ours"
    case_id = derived_id("case", key)
    try:
        return app.get_case(case_id).tracking_code
    except NotFoundError:
        pass
    subject, message = _subject(form), form.message.data.strip()
    touchpoint = {"id": derived_id("touchpoint", key), "channel": "web_form", "direction": "inbound",
                  "kind": TOPICS[form.topic.data][1], "subject": subject, "summary": message,
                  "contact_point": form.address()}
    try:
        # A new customer is registered in the case's transaction: a failed opening registers nobody.
        app.open_case(id=case_id, customer_id=app.customer_id_for_email(form.address(), form.found()),
                      register=form.registration(), subject=subject, description=message, channel="web_form",
                      touchpoint=touchpoint, occurred_at=now, actor=ACTOR)
    except AlreadyExistsError:
        pass  # the same form, sent again at the same moment: it opened the case
    return app.get_case(case_id).tracking_code


@blp.route("/contact", methods=["GET", "POST"])
def contact() -> Page:
    """The form; its POST opens a case and shows the tracking code."""
    form = ContactForm()
    if not form.is_submitted():
        form.stamp_once()
        return render_template(TEMPLATE, form=form)
    if (refused := guard(form, TEMPLATE)) is not None:
        return refused
    try:
        code = _open_case(form)
    except DomainError as exc:
        return public_error(400, "Not sent", f"We could not record your message: {exc}")
    return render_template("public/contact_sent.html", code=code)
