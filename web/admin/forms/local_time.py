"""A date and time field typed in the viewer's time zone (``web.admin.localtime``), read as an
aware instant: a time the clocks skip is a field error, one that happens twice takes the first
and says so in a message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash
from wtforms import DateTimeLocalField
from wtforms.validators import Optional, ValidationError

from domain.clock import NOT_YET, not_yet_happened
from web.admin.localtime import LocalTimeError, input_value, resolve, viewer_zone
from web.services import services

FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class LocalDateTimeField(DateTimeLocalField):
    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("format", FORMATS)
        super().__init__(label, **kwargs)

    def process(self, *args: Any, **kwargs: Any) -> None:
        # Bound per request: the label names the zone the user types in.
        self.label.text = f"{self.label.text} ({viewer_zone().key})"
        super().process(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, datetime) and self.data.tzinfo is None:
            try:
                self.data, note = resolve(self.data, viewer_zone())
            except LocalTimeError as exc:
                self.data = None
                raise ValueError(str(exc)) from None
            if note:
                flash(f"{self.label.text}: {note}", "info")

    def _value(self) -> str:
        if isinstance(self.data, datetime):
            return input_value(self.data)
        if self.raw_data:
            return " ".join(self.raw_data)
        # Prefilled from a link's query (``?due_at=...``): shown as given, checked when sent.
        return self.data if isinstance(self.data, str) else ""


def has_happened(form: Any, field: LocalDateTimeField) -> None:
    """A time that something happened: not later than now (give or take clock skew)."""
    if isinstance(field.data, datetime) and not_yet_happened(field.data, services().clock.now()):
        raise ValidationError(f"This {NOT_YET}.")


def optional_local_time(label: str, description: str = "") -> LocalDateTimeField:
    """When something happened, empty for now."""
    return LocalDateTimeField(label, validators=[Optional(), has_happened], description=description)
