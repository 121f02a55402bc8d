"""The callback request: ``/callback``. The customer picks a free slot on the next business days
of the public calendar (``web.public.times``) and we promise to call them then: a callback
promise owned by the callbacks queue (no agent yet), with the touchpoint that asked for it.
The scheduler confirms it by email with a link that cancels it (``web.public.callback_cancel``).

Slots (``CALLBACK_DAYS``, ``CALLBACK_SLOT_MINUTES``, ``CALLBACK_SLOT_CAPACITY``) that have passed
or are full are not offered, and refused when posted anyway. The places taken are the open
callback promises in the read model; the booking itself is decided on the slot's own stream
(``Touchline.request_callback``), so of two requests for the last place exactly one gets it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    ValidationError,
)

from domain.errors import DomainError, NotFoundError
from domain.promises.model import CALLBACK_QUEUE
from domain.promises.slots import SlotFullError, offered_slots
from projections.queries.public import held_places, taken_places
from web.admin.localtime import place_zones
from web.public.forms import (
    PHONE_FORM,
    ContactDetails,
    Page,
    derived_id,
    guard,
    phone,
    setting,
    strip,
)
from web.public.pages import public_error
from web.public.times import local_text, public_calendar
from web.services import services

blp = Blueprint("public_callback", __name__)
ACTOR = "system:public-callback"
TEMPLATE = "public/callback.html"
PICK = "Please pick a time for our call."
GONE = "This time is no longer offered (it has passed or is outside our hours). Please pick another."
FULL = "This time is fully booked. Please pick another."


class CallbackForm(ContactDetails):
    phone = StringField("Your phone number (we call you there)", filters=[strip], validators=[
        DataRequired("Please give the phone number we should call."), Length(max=40, message=PHONE_FORM), phone])
    slot = RadioField("When should we call?", validate_choice=False, validators=[InputRequired(PICK)])
    note = TextAreaField("What is it about? (optional)", validators=[
        Length(max=1000, message="Please keep this under 1,000 characters.")])

    def offer(self, grid: list[datetime], free: set[datetime]) -> None:
        """The slots to choose from (the free ones), and what a posted slot is checked against."""
        self.grid, self.free = set(grid), free
        self.slot.choices = [(_value(s), s.isoformat()) for s in grid if s in free]

    def validate_slot(self, field: Any) -> None:
        starts = _parse(field.data)
        if starts is None or starts not in self.grid:
            raise ValidationError(GONE)
        if starts not in self.free:
            raise ValidationError(FULL)

    def starts_at(self) -> datetime:
        found = _parse(self.slot.data)
        assert found is not None, "validated"
        return found


def _value(starts: datetime) -> str:
    return str(int(starts.timestamp()))


def _parse(value: str | None) -> datetime | None:
    if not value or not value.isdigit() or len(value) > 12:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):  # 12 digits reach past year 9999: offered by nobody
        return None


def _days(form: CallbackForm, zone: Any) -> list[tuple[str, list[tuple[Any, str]]]]:
    """The offered slots grouped by local day, each with its local time as the label."""
    days: dict[str, list[tuple[Any, str]]] = {}
    for option in form.slot:
        local = _parse(option.data).astimezone(zone)  # type: ignore[union-attr]
        days.setdefault(f"{local:%A} {local.day} {local:%B}", []).append((option, f"{local:%H:%M}"))
    return list(days.items())


def _shown_zone(calendar_zone: ZoneInfo) -> tuple[ZoneInfo, str | None]:
    """The zone the visitor asked to read times in (``?zone=``), else the calendar's; and what to
    tell them when the name they gave is not a time zone."""
    asked = request.args.get("zone", "").strip()
    if not asked or asked == calendar_zone.key:
        return calendar_zone, None
    if asked in place_zones():
        return ZoneInfo(asked), None
    return calendar_zone, f"We do not know the time zone {asked[:60]!r}: times are shown in {calendar_zone.key} time."


def _offer(form: CallbackForm) -> dict[str, Any]:
    calendar, minutes = public_calendar(), setting("CALLBACK_SLOT_MINUTES")
    grid = offered_slots(calendar, services().clock.now(), days=setting("CALLBACK_DAYS"), minutes=minutes)
    with services().views.connect() as conn:
        taken = taken_places(conn, grid, minutes)
    form.offer(grid, {s for s in grid if taken[s] < setting("CALLBACK_SLOT_CAPACITY")})
    shown, problem = _shown_zone(calendar.zone)
    return {"days": _days(form, shown), "zone": shown.key, "minutes": minutes, "zones": place_zones(),
            "calendar_zone": calendar.zone.key, "zone_problem": problem}


def _book(form: CallbackForm) -> datetime:
    starts, minutes, key = form.starts_at(), setting("CALLBACK_SLOT_MINUTES"), form.key()
    assert key is not None, "guard() passed, so the stamp is ours"
    note = (form.note.data or "").strip()

    def held(booked: Any) -> int:
        with services().views.connect() as conn:
            return held_places(conn, starts, minutes, booked)

    subject = f"Callback requested for {local_text(starts, public_calendar().zone)}"
    app = services().app
    # A new customer is registered in the booking's own transaction: a full slot registers nobody.
    app.request_callback(
        id=derived_id("callback", key), customer_id=app.customer_id_for_email(form.address(), form.found()),
        register=form.registration(), starts_at=starts,
        capacity=setting("CALLBACK_SLOT_CAPACITY"), held=held, owner=CALLBACK_QUEUE, contact_point=form.phone.data.strip(),
        what=f"Call {form.name.data.strip()} back" + (f" about: {note}" if note else ""),
        touchpoint={"id": derived_id("touchpoint", key), "channel": "web_form", "direction": "inbound",
                    "kind": "request", "subject": subject, "summary": note},
        timezone=_shown_zone(public_calendar().zone)[0].key,  # the confirmation names the time as shown here
        reply_to=form.address(),  # the confirmation goes where they asked from (they may have several)
        occurred_at=services().clock.now(), actor=ACTOR)
    return starts


def _booked_page(starts: datetime, phone: str) -> str:
    zone = _shown_zone(public_calendar().zone)[0]
    return render_template("public/thanks.html", title="We will call you",
                           message=f"We will call you on {local_text(starts, zone)} at {phone}.")


def _sent_before(form: CallbackForm) -> str | None:
    """The confirmation again when this very form, unchanged, booked its call already (a double
    click, a reload); checked before the slot, which that booking may have filled."""
    key = form.key()
    if key is None:
        return None
    try:
        promise = services().app.get_promise(derived_id("callback", key))
    except NotFoundError:
        return None
    return _booked_page(promise.due_at, promise.contact_point or "")


@blp.route("/callback", methods=["GET", "POST"])
def callback() -> Page:
    """The free slots; a POST books one and confirms the time."""
    form = CallbackForm()
    offer = _offer(form)
    if not form.is_submitted():
        form.stamp_once()
        return render_template(TEMPLATE, form=form, **offer)
    if (before := _sent_before(form)) is not None:
        return before
    if (refused := guard(form, TEMPLATE, **offer)) is not None:
        return refused
    try:
        starts = _book(form)
    except SlotFullError:
        offer = _offer(form)
        form.slot.errors = [FULL]
        return render_template(TEMPLATE, form=form, **offer), 409
    except DomainError as exc:
        return public_error(400, "Not booked", f"We could not book your call: {exc}")
    return _booked_page(starts, form.phone.data.strip())
