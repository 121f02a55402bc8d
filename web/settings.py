"""Every setting of the app, its ``TOUCHLINE_<KEY>`` environment variable and default (the
README's table), and the one check of their values: a bad one stops start-up with a message
naming the variable, never a traceback or a 500 later."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from projections.storage import DEFAULT_URL
from scheduler.settings import POSITIVE, SCHEDULER_DEFAULTS, SCHEDULER_NUMBERS, Rule, number

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": DEFAULT_URL,
    "HOST": "127.0.0.1",  # where `touchline serve` listens
    "PORT": 5000,
    "WEB_THREADS": 8,  # requests `touchline serve` handles at once
    "MAX_REQUEST_MB": 16,  # the largest request body any page or endpoint reads (413 beyond)
    "API_RATE_LIMIT": 600,  # requests per minute per API token, on average...
    "API_RATE_BURST": 120,  # ...and at most this many at once
    "API_TOKEN_USE_INTERVAL": 60,  # seconds between writes of a token's "last used" time
    "API_MIN_POSITION_WAIT": 5,  # seconds a read with min_position waits for the projections
    "API_LONG_POLLS": 2,  # event-feed requests per process that may wait at once (each holds a thread)
    **SCHEDULER_DEFAULTS,  # mail, webhooks and the scheduler's intervals (scheduler/settings.py)
    "SECRET_KEY": None,  # signs panel sessions; generated into the data directory when unset
    "SESSION_COOKIE_SECURE": "auto",  # 1/0; auto: on unless testing, debug or served on loopback only
    "LOGIN_MAX_FAILURES": 5,  # failed panel logins per account...
    "LOGIN_MAX_FAILURES_PER_IP": 20,  # ...or per address, before a lockout of
    "LOGIN_LOCKOUT_MINUTES": 15,  # minutes
    "AUDIT_KEY": None,  # signs audit checkpoints; generated beside the SQLite file when unset (set it on PostgreSQL)
}

AT_LEAST_ONE = Rule(1, whole=True)
NONE_OR_MORE = Rule(0, whole=True)
# What each numeric setting accepts: the web's own, then the scheduler's and the mail's.
NUMBERS: dict[str, Rule] = {
    "PORT": Rule(1, 65535, whole=True),
    "WEB_THREADS": AT_LEAST_ONE,
    "MAX_REQUEST_MB": Rule(1, 1024, whole=True),
    "API_RATE_LIMIT": POSITIVE,
    "API_RATE_BURST": AT_LEAST_ONE,
    "API_TOKEN_USE_INTERVAL": Rule(0),
    "API_MIN_POSITION_WAIT": Rule(0),
    "API_LONG_POLLS": NONE_OR_MORE,
    "LOGIN_MAX_FAILURES": AT_LEAST_ONE,
    "LOGIN_MAX_FAILURES_PER_IP": AT_LEAST_ONE,
    "LOGIN_LOCKOUT_MINUTES": POSITIVE,
    "CALLBACK_DAYS": AT_LEAST_ONE,  # the public callback page
    "CALLBACK_SLOT_MINUTES": Rule(5, whole=True),
    "CALLBACK_SLOT_CAPACITY": NONE_OR_MORE,
    "PUBLIC_FORM_MIN_SECONDS": NONE_OR_MORE,
    **SCHEDULER_NUMBERS,
}

# Every process of the service logs in this one format (the access log, the scheduler, mail-in).
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``TOUCHLINE_*`` environment variables, then ``overrides``; numbers checked
    and converted (``SettingError`` naming the first bad one)."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        value = os.environ.get(f"TOUCHLINE_{key}")
        if value is not None:
            config[key] = value
    config.update(overrides or {})
    for key, rule in NUMBERS.items():
        config[key] = number(config, key, rule)
    return config
