"""Times in the viewer's time zone: which zone that is, how an instant is shown, and how a
date and time typed into a form becomes an instant.

The zone is the user's own preference (``User.timezone``, set on their preferences page or
by an admin), else the installation's ``TOUCHLINE_TIMEZONE`` (default UTC). Read models and
events keep UTC; only what people see and type is local. Typed local times are resolved
with the zone's rules for that date, so DST is exact: a time the clocks skip (02:30 on a
spring-forward day) is refused, and a time that happens twice (fall back) means the first.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask, current_app, g, has_request_context
from flask_login import current_user

from domain.errors import InvalidValueError
from domain.values import clean_timezone
from scheduler.settings import SettingError

DEFAULT_ZONE = "UTC"


class LocalTimeError(ValueError):
    """A typed local time that does not exist in the zone (skipped by a DST change)."""


@lru_cache(maxsize=1)
def zone_names() -> list[str]:
    """Every IANA zone name, sorted (the choices of the preference form)."""
    return sorted(available_timezones())


# The IANA regions people live in: leaves out "localtime" (the server's own), "Factory", POSIX-style
# names (EST5EDT, Etc/GMT+5, whose sign is inverted) and the old country aliases (US/Eastern).
REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
           "Indian/", "Pacific/")


@lru_cache(maxsize=1)
def place_zones() -> list[str]:
    """The zones of places, and UTC, sorted: what a customer picks from on the public pages."""
    return sorted(["UTC", *(z for z in zone_names() if z.startswith(REGIONS))])


def configure_timezone(app: Flask) -> None:
    """``TIMEZONE`` (``TOUCHLINE_TIMEZONE``): the default zone of the panel; a bad name stops the app
    at start-up with a message, never a wrong time on every page."""
    raw = app.config.get("TIMEZONE") or os.environ.get("TOUCHLINE_TIMEZONE") or DEFAULT_ZONE
    try:
        app.config["TIMEZONE"] = clean_timezone("TOUCHLINE_TIMEZONE", raw)
    except InvalidValueError as exc:  # its message names TOUCHLINE_TIMEZONE already
        raise SettingError(str(exc)) from None


def default_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or DEFAULT_ZONE)


def _preference() -> str | None:
    # The session re-reads the user on every request (web.admin.session), preference included.
    return current_user.timezone if current_user.is_authenticated else None


def viewer_zone() -> ZoneInfo:
    """The zone the current user reads and types times in (read once per request)."""
    if not has_request_context():
        return ZoneInfo(DEFAULT_ZONE)
    if "viewer_zone" not in g:
        name = _preference()
        g.viewer_zone = ZoneInfo(name) if name else default_zone()
    zone: ZoneInfo = g.viewer_zone
    return zone


def local_time(value: datetime | None, seconds: bool = False) -> str:
    """``2026-03-02 10:00 CET``: an instant in the viewer's zone, its abbreviation named. The one
    formatter of the panel's lists, details, exports and pages."""
    if value is None:
        return ""
    if value.tzinfo is None:  # read models keep UTC; a naive value is one of theirs
        value = value.replace(tzinfo=UTC)
    shown = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    try:
        return value.astimezone(viewer_zone()).strftime(shown)
    except OverflowError:  # at the very edge of the calendar (stored before years were checked): as it is
        return value.strftime(shown)


def resolve(naive: datetime, zone: ZoneInfo) -> tuple[datetime, str | None]:
    """The instant a wall-clock time in ``zone`` means, and a note when it happens twice (the
    first is taken). ``LocalTimeError`` when the zone skips it."""
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    try:
        first.astimezone(UTC)
    except OverflowError:
        raise LocalTimeError(f"{naive:%Y-%m-%d %H:%M} is out of range.") from None
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise LocalTimeError(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip it "
                             f"(a daylight saving change). Choose a time before or after.")
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC), None
    note = (f"{naive:%Y-%m-%d %H:%M} happens twice in {zone.key} (the clocks go back); "
            f"the first, {first:%H:%M %Z}, was used.")
    return first.astimezone(UTC), note


def end_of_local_day(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The last instant of ``day`` in the viewer's zone: "as of 2026-03-29" includes all of that day there.
    (fold=0 puts a skipped midnight at the moment the clocks jump: still the next day's start.)"""
    next_midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone or viewer_zone())
    return next_midnight.astimezone(UTC) - timedelta(microseconds=1)


def input_value(value: Any) -> str:
    """An instant as a ``datetime-local`` input shows it, in the viewer's zone."""
    return value.astimezone(viewer_zone()).strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else ""
