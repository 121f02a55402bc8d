"""The scheduler's settings: their ``TOUCHLINE_*`` names and defaults (merged into the app's
configuration by ``web``), and the typed view the jobs read."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

SCHEDULER_DEFAULTS: dict[str, Any] = {
    "SMTP_URL": "",  # smtp://[user:password@]host:port[?starttls=1]; empty: email waits in the outbox
    "MAIL_FROM": "Touchline <support@touchline.example>",
    "PUBLIC_URL": "http://127.0.0.1:5000",  # where customers reach the public pages (links in messages)
    "SMS_WEBHOOK_URL": "",  # http(s) gateway taking JSON; empty: SMS waits in the outbox
    "MESSENGER_WEBHOOK_URL": "",
    "SCHEDULER_TICK": 30,  # seconds between runs of each job
    "SCHEDULER_LOOKBACK_HOURS": 72,  # older due work (history imported, scheduler down) gets no notice
    "PROMISE_ESCALATE_AFTER": 120,  # minutes overdue before the owner's manager is told
    "CALLBACK_REMIND_BEFORE": 15,  # minutes before a callback the agent is reminded
    "SLA_AT_RISK_SHARE": 0.8,  # share of a target's time used that makes it at risk
    "SURVEY_DELAY_HOURS": 24,  # hours after a resolution that the customer is asked how we did
    "WINBACK_QUIET_DAYS": 90,  # a past buyer quiet this long is on the churn list...
    "WINBACK_PERIOD_DAYS": 180,  # ...and gets a win-back offer at most once in this many days
    "UNSUBSCRIBE_LINK_DAYS": 365,  # how long the unsubscribe link of a message works
    "CALLBACK_DAYS": 5,  # public callback page: slots on this many next business days...
    "CALLBACK_SLOT_MINUTES": 30,  # ...this long each...
    "CALLBACK_SLOT_CAPACITY": 2,  # ...with this many callbacks per slot
    "PUBLIC_FORM_MIN_SECONDS": 3,  # a public form sent sooner after it was shown is refused (bots)
    "WEBHOOK_TIMEOUT": 10,  # seconds a webhook endpoint has to answer
    "WEBHOOK_MAX_FAILURES": 10,  # consecutive failed attempts after which a subscription is paused
    "WEBHOOK_ALLOW_HTTP": 0,  # 1: webhook URLs may use plain http to any host (default: localhost only)
    "WEBHOOK_ALLOW_PRIVATE": 0,  # 1: webhooks may reach loopback and private networks (never link-local)
    # Email in (scheduler/mailin): `touchline mail-in`'s SMTP listener and IMAP poller.
    "MAIL_IN_HOST": "127.0.0.1",
    "MAIL_IN_PORT": 2525,
    "IMAP_URL": "",  # imap(s)://user:password@host:port/MAILBOX; empty: no polling
    "IMAP_MOVE_TO": "",  # mailbox to move processed mail to; empty: mark it seen
    "IMAP_POLL_SECONDS": 30,
    "MAIL_DIR": "var/mail",  # raw mails and attachments, by SHA-256
    "MAIL_MAX_BYTES": 25 * 1024 * 1024,  # a larger mail is refused (SMTP) or quarantined (IMAP)
    "MAIL_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,  # a larger attachment is dropped, with a note
}


@dataclass(frozen=True)
class SchedulerSettings:
    mail_from: str = SCHEDULER_DEFAULTS["MAIL_FROM"]
    public_url: str = SCHEDULER_DEFAULTS["PUBLIC_URL"]
    tick_seconds: float = 30.0
    lookback: timedelta = timedelta(hours=72)
    escalate_after: timedelta = timedelta(minutes=120)
    callback_lead: timedelta = timedelta(minutes=15)
    at_risk_share: float = 0.8
    at_risk_window: timedelta = timedelta(hours=72)  # targets due further ahead are not checked yet
    page_size: int = 1000  # rows a scan reads at a time
    batch_size: int = 200  # notices saved in one transaction
    send_limit: int = 200  # messages one delivery run sends at most
    survey_delay: timedelta = timedelta(hours=24)
    winback_quiet_days: int = 90
    winback_period: timedelta = timedelta(days=180)
    link_valid_for: timedelta = timedelta(days=365)
    link_key: bytes = b""  # signs survey and unsubscribe links (from SECRET_KEY); empty: no outreach
    webhook_timeout: float = 10.0
    webhook_max_failures: int = 10
    webhook_allow_private: bool = False  # deliveries to loopback and private addresses (TOUCHLINE_WEBHOOK_ALLOW_PRIVATE)
    timezone: str = "UTC"  # times in messages to staff who chose no zone (TOUCHLINE_TIMEZONE)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SchedulerSettings:
        """From the app's configuration; ``SettingError`` naming the variable for a bad value."""
        merged = {**SCHEDULER_DEFAULTS, **config}
        value = {key: number(merged, key) for key in SCHEDULER_NUMBERS}
        return cls(
            mail_from=str(merged["MAIL_FROM"]),
            public_url=str(merged["PUBLIC_URL"]),
            tick_seconds=value["SCHEDULER_TICK"],
            lookback=timedelta(hours=value["SCHEDULER_LOOKBACK_HOURS"]),
            escalate_after=timedelta(minutes=value["PROMISE_ESCALATE_AFTER"]),
            callback_lead=timedelta(minutes=value["CALLBACK_REMIND_BEFORE"]),
            at_risk_share=value["SLA_AT_RISK_SHARE"],
            survey_delay=timedelta(hours=value["SURVEY_DELAY_HOURS"]),
            winback_quiet_days=round(value["WINBACK_QUIET_DAYS"]),
            winback_period=timedelta(days=value["WINBACK_PERIOD_DAYS"]),
            link_valid_for=timedelta(days=value["UNSUBSCRIBE_LINK_DAYS"]),
            link_key=link_key(merged.get("SECRET_KEY")),
            webhook_timeout=value["WEBHOOK_TIMEOUT"],
            webhook_max_failures=int(value["WEBHOOK_MAX_FAILURES"]),
            webhook_allow_private=webhook_url_rules(merged)["allow_private"],
            timezone=str(merged.get("TIMEZONE") or "UTC"),
        )


def link_key(secret: Any) -> bytes:
    """The key of the links in messages, derived from the app's ``SECRET_KEY`` (so the web pages,
    which check the links, and the scheduler, which writes them, share it) and used for nothing else."""
    if not secret:
        return b""
    raw = secret if isinstance(secret, bytes) else str(secret).encode()
    return hmac.new(raw, b"touchline/message-links", hashlib.sha256).digest()


def webhook_url_rules(config: Mapping[str, Any]) -> dict[str, bool]:
    """Which webhook URLs are accepted, as keyword arguments of the webhook commands: plain http
    to any host (``TOUCHLINE_WEBHOOK_ALLOW_HTTP``), receivers on loopback and private networks
    (``TOUCHLINE_WEBHOOK_ALLOW_PRIVATE``)."""
    def on(name: str) -> bool:
        return str(config.get(name) or "").strip().lower() in ("1", "true", "yes", "on")
    return {"allow_http": on("WEBHOOK_ALLOW_HTTP"), "allow_private": on("WEBHOOK_ALLOW_PRIVATE")}


class SettingError(ValueError):
    """A setting with a value it cannot take; the message names its ``TOUCHLINE_*`` variable."""


@dataclass(frozen=True)
class Rule:
    """The values a numeric setting takes: from ``least`` to ``most`` (both excluded when
    ``exclusive``), whole numbers only when ``whole``."""
    least: float
    most: float = math.inf
    whole: bool = False
    exclusive: bool = False

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        if self.exclusive:  # the two kinds in use: above 0, and strictly between two bounds
            return "a positive number" if self.most == math.inf else f"between {self.least:g} and {self.most:g}"
        if self.most == math.inf:
            return f"{kind} of at least {self.least:g}"
        return f"{kind} from {self.least:g} to {self.most:g}"

    def admits(self, value: float) -> bool:
        if self.exclusive:
            return self.least < value < self.most
        return self.least <= value <= self.most


POSITIVE = Rule(0, exclusive=True)
# Every numeric setting of the scheduler and of the mail it takes in, and what it accepts.
SCHEDULER_NUMBERS: dict[str, Rule] = {
    "SCHEDULER_TICK": POSITIVE,
    "SCHEDULER_LOOKBACK_HOURS": POSITIVE,
    "PROMISE_ESCALATE_AFTER": POSITIVE,
    "CALLBACK_REMIND_BEFORE": POSITIVE,
    "SLA_AT_RISK_SHARE": Rule(0, 1, exclusive=True),
    "SURVEY_DELAY_HOURS": POSITIVE,
    "WINBACK_QUIET_DAYS": POSITIVE,
    "WINBACK_PERIOD_DAYS": POSITIVE,
    "UNSUBSCRIBE_LINK_DAYS": POSITIVE,
    "WEBHOOK_TIMEOUT": POSITIVE,
    "WEBHOOK_MAX_FAILURES": Rule(1, whole=True),
    "MAIL_IN_PORT": Rule(1, 65535, whole=True),
    "IMAP_POLL_SECONDS": POSITIVE,
    "MAIL_MAX_BYTES": Rule(1, whole=True),
    "MAIL_ATTACHMENT_MAX_BYTES": Rule(1, whole=True),
}


def number(config: Mapping[str, Any], key: str, rule: Rule | None = None) -> float:
    """``config[key]`` as the number its rule (by default its entry in ``SCHEDULER_NUMBERS``)
    accepts, an ``int`` for whole numbers; environment values arrive as text."""
    rule = rule or SCHEDULER_NUMBERS[key]
    raw = config[key]
    try:
        value = math.nan if isinstance(raw, bool) else float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or (rule.whole and not value.is_integer()):
        raise SettingError(f"TOUCHLINE_{key}: must be {'a whole number' if rule.whole else 'a number'}, not {raw!r}")
    if not rule.admits(value):
        raise SettingError(f"TOUCHLINE_{key}: must be {rule.describe()}, not {raw!r}")
    return int(value) if rule.whole else value
