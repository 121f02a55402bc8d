"""The scheduler's settings: their ``TOUCHLINE_*`` names and defaults (merged into the app's
configuration by ``web``), and the typed view the jobs read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

SCHEDULER_DEFAULTS: dict[str, Any] = {
    "SMTP_URL": "",  # smtp://[user:password@]host:port[?starttls=1]; empty: email waits in the outbox
    "MAIL_FROM": "Touchline <support@touchline.example>",
    "SMS_WEBHOOK_URL": "",  # http(s) gateway taking JSON; empty: SMS waits in the outbox
    "MESSENGER_WEBHOOK_URL": "",
    "SCHEDULER_TICK": 30,  # seconds between runs of each job
    "SCHEDULER_LOOKBACK_HOURS": 72,  # older due work (history imported, scheduler down) gets no notice
    "PROMISE_ESCALATE_AFTER": 120,  # minutes overdue before the owner's manager is told
    "CALLBACK_REMIND_BEFORE": 15,  # minutes before a callback the agent is reminded
    "SLA_AT_RISK_SHARE": 0.8,  # share of a target's time used that makes it at risk
}


@dataclass(frozen=True)
class SchedulerSettings:
    mail_from: str = SCHEDULER_DEFAULTS["MAIL_FROM"]
    tick_seconds: float = 30.0
    lookback: timedelta = timedelta(hours=72)
    escalate_after: timedelta = timedelta(minutes=120)
    callback_lead: timedelta = timedelta(minutes=15)
    at_risk_share: float = 0.8
    at_risk_window: timedelta = timedelta(hours=72)  # targets due further ahead are not checked yet
    page_size: int = 1000  # rows a scan reads at a time
    batch_size: int = 200  # notices saved in one transaction
    send_limit: int = 200  # messages one delivery run sends at most

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SchedulerSettings:
        """From the app's configuration; ``ValueError`` naming the variable for a bad value."""
        merged = {**SCHEDULER_DEFAULTS, **config}
        share = _number(merged, "SLA_AT_RISK_SHARE")
        if not 0 < share < 1:
            raise ValueError(f"TOUCHLINE_SLA_AT_RISK_SHARE: must be between 0 and 1, not {share}")
        return cls(
            mail_from=str(merged["MAIL_FROM"]),
            tick_seconds=_number(merged, "SCHEDULER_TICK"),
            lookback=timedelta(hours=_number(merged, "SCHEDULER_LOOKBACK_HOURS")),
            escalate_after=timedelta(minutes=_number(merged, "PROMISE_ESCALATE_AFTER")),
            callback_lead=timedelta(minutes=_number(merged, "CALLBACK_REMIND_BEFORE")),
            at_risk_share=share,
        )


def _number(config: Mapping[str, Any], key: str) -> float:
    """A positive number from ``config[key]`` (environment values arrive as text)."""
    try:
        value = float(config[key])
    except (TypeError, ValueError):
        raise ValueError(f"TOUCHLINE_{key}: must be a number, not {config[key]!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"TOUCHLINE_{key}: must be a positive number, not {config[key]!r}")
    return value
