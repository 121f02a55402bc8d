"""What every public page shares: the error page and a per-address rate limit for POSTs."""

from __future__ import annotations

import math

from flask import current_app, render_template, request

from scheduler.settings import SchedulerSettings
from web.api.ratelimit import MemoryBucket, RateLimiter

Page = str | tuple[str, int] | tuple[str, int, dict[str, str]]  # what a public view answers
POSTS_PER_MINUTE = 30  # per client address and web process: plenty for a person, little for a script
BURST = 10


def public_error(status: int, title: str, message: str) -> tuple[str, int]:
    """A plain page saying what went wrong (never a stack trace or a login form)."""
    return render_template("public/error.html", title=title, message=message), status


def too_many(title: str, wait: float) -> Page:
    """The 429 page of a rate limit: come back in ``wait`` seconds (said in the text, and in
    ``Retry-After`` for browsers and scripts)."""
    seconds = max(1, math.ceil(wait))
    page, status = public_error(429, title, f"Please wait {seconds} seconds and try again.")
    return page, status, {"Retry-After": str(seconds)}


def _limiter() -> RateLimiter:
    limiter = current_app.extensions.get("touchline_public_limiter")
    if limiter is None:
        clock = current_app.extensions["touchline"].clock
        limiter = RateLimiter(POSTS_PER_MINUTE, BURST, MemoryBucket(), clock=lambda: clock.now().timestamp())
        current_app.extensions["touchline_public_limiter"] = limiter
    return limiter


def limit_address() -> Page | None:
    """None when this address may go on, else the 429 page (with Retry-After)."""
    wait = _limiter().take(request.remote_addr or "-")
    if wait <= 0:
        return None
    return too_many("Too many requests", wait)


def link_settings() -> SchedulerSettings:
    """The scheduler's settings as the links in its messages need them (the same key and URL)."""
    found = current_app.extensions.get("touchline_link_settings")
    if found is None:
        found = current_app.extensions["touchline_link_settings"] = SchedulerSettings.from_config(current_app.config)
    return found
