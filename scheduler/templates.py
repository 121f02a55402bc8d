"""Message texts: Jinja templates rendered in a sandbox, one per purpose.

Admins may store their own (``MessageTemplate`` aggregates, versioned); a purpose without one
uses the built-in text below. Stored text is checked before it is saved (``check_template``:
syntax, the sandbox's rules (``scheduler.template_sandbox``), and a preview with sample values,
so an unknown variable is caught), and if a stored template still fails when a message is
rendered, the built-in text is used and the failure logged: a notice never stalls on a
template. An admin's template renders in a child process bounded in time and memory
(``scheduler.template_worker``); the built-in texts, ours, render in this one. Times are shown in UTC.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import TemplateSyntaxError, meta

from domain.application import Touchline
from domain.errors import NotFoundError
from domain.messages.templates import TEMPLATE_PURPOSES
from scheduler.outreach_texts import OUTREACH_SAMPLES, OUTREACH_TEMPLATES
from scheduler.template_sandbox import parse, render
from scheduler.template_worker import RenderError, TemplateWorker

log = logging.getLogger("touchline.scheduler")
WORKER = TemplateWorker()  # admins' templates render there, bounded in time and memory
SIGNATURE = "\n\n-- \nTouchline customer service"
BUILT_IN: dict[str, tuple[str, str]] = {
    "customer_apology": (
        "About our promise: {{ what }}",
        ('Dear {{ customer }},\n\nWe promised you "{{ what }}" by {{ due }}, and we have not managed it yet. '
        "We are sorry.\n{{ owner }} is on it and will be in touch with you shortly."),
    ),
    "owner_reminder": (
        "Overdue: your promise to {{ customer }}: {{ what }}",
        ("Your promise to {{ customer }} was due {{ due }}:\n\n    {{ what }}\n\nThe customer has been sent an "
        "apology. Keep the promise, or reschedule it with a reason.{{ reference }}"),
    ),
    "manager_escalation": (
        "Escalation: {{ owner }}'s promise to {{ customer }} is overdue",
        ("{{ owner }}'s promise to {{ customer }} was due {{ due }} and is still open:\n\n    {{ what }}\n\n"
        "It has been overdue for more than {{ escalate_after }}.{{ reference }}"),
    ),
    "callback_reminder": (
        "Callback at {{ due }}: {{ customer }}",
        ("You are due to call {{ customer }} back at {{ due }}:\n\n    {{ what }}\n\n"
        "Number or address: {{ contact }}.{{ reference }}"),
    ),
    "callback_confirmation": (
        "Your call from us: {{ due }}",
        ("Dear {{ customer }},\n\nWe will call you on {{ due }} at {{ contact }}.\n\n"
        "If that time no longer suits you, cancel the call here (then book another on our website): {{ cancel }}"),
    ),
    "acknowledgement": (
        "[{{ code }}] We have received your request: {{ subject }}",
        ('Dear {{ customer }},\n\nThank you for contacting us. Your request "{{ subject }}" is registered as '
        "{{ code }}; please quote this code when you write to us about it.\n\n{{ expectation }}{{ articles }}"),
    ),
    "sla_at_risk": (
        "[{{ code }}] At risk: {{ target }} due {{ due }}",
        ('The {{ target }} target of case {{ code }} ("{{ subject }}", {{ priority }}) is due {{ due }} and '
        "{{ used }} of its time is used.\nAssigned to: {{ assignee }}."),
    ),
    "sla_breached": (
        "[{{ code }}] Breached: {{ target }} was due {{ due }}",
        ('The {{ target }} target of case {{ code }} ("{{ subject }}", {{ priority }}) was due {{ due }} and '
        "has been missed.\nAssigned to: {{ assignee }}."),
    ),
}
BUILT_IN.update(OUTREACH_TEMPLATES)
assert set(BUILT_IN) == set(TEMPLATE_PURPOSES)
OURS = frozenset(BUILT_IN.values())  # our own texts render in this process: no worker round trip per message

# What each purpose's template can use, with sample values for previews and checks.
_PROMISE = {"customer": "Ada Lovelace", "what": "Send the refund form", "due": "2026-03-02 10:00 UTC",
            "owner": "Ann Agent", "reference": "\n\nPromise 4f1c...", "escalate_after": "2 hours",
            "contact": "+44 7700 900123"}
_CASE = {"customer": "Ada Lovelace", "code": "CASE-000123", "subject": "Printer jams",
         "expectation": "You can expect a first answer by 2026-03-02 10:00 UTC (within 1 hour).",
         "target": "first response", "due": "2026-03-02 10:00 UTC", "priority": "normal",
         "assignee": "Ann Agent", "used": "85%"}
SAMPLES = {purpose: _CASE if purpose in ("acknowledgement", "sla_at_risk", "sla_breached") else _PROMISE
           for purpose in TEMPLATE_PURPOSES}
SAMPLES.update(OUTREACH_SAMPLES)
SAMPLES["callback_confirmation"] = {**_PROMISE, "cancel": "https://help.example/callback/cancel/c-4f1c..."}
SAMPLES["acknowledgement"] = {**_CASE, "articles": "\n\nThese articles may help you meanwhile:\n"
                              "- Clearing a paper jam: https://help.example/articles/0d9c..."}


def when(value: datetime, zone: str | None = None) -> str:
    """``value`` as a reader of a message sees it: in their time zone, named (UTC by default)."""
    if zone and zone != "UTC":
        return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")
    return value.strftime("%Y-%m-%d %H:%M UTC")


def duration(minutes: float) -> str:
    """``90`` -> "1 hour 30 minutes"; whole days as days."""
    minutes = round(minutes)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    shown = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(shown) or "0 minutes"


def _render(subject: str, body: str, values: dict[str, Any]) -> tuple[str, str]:
    shown, text = (render(subject, values), render(body, values)) if (subject, body) in OURS \
        else WORKER.render([subject, body], values)
    return " ".join(shown.split())[:300], text.strip() + SIGNATURE


def preview(purpose: str, subject: str, body: str) -> tuple[str, str]:
    """The message ``subject`` and ``body`` would make with sample values (raises TemplateError)."""
    return _render(subject, body, SAMPLES[purpose])


def _field_error(purpose: str, source: str) -> str | None:
    """Why one field's source cannot be used: its syntax, a name the purpose does not offer
    (found in every branch, not only the one the sample takes), or the sandbox at render time."""
    try:
        names = meta.find_undeclared_variables(parse(source))
        unknown = sorted(names - SAMPLES[purpose].keys())
        if unknown:
            return (f"UndefinedError: {unknown[0]!r} is undefined; this template can use "
                    f"{', '.join(sorted(SAMPLES[purpose]))}")
        WORKER.render([source], SAMPLES[purpose])
    except Exception as exc:  # noqa: BLE001 - a template is code an admin wrote: whatever it raises is its fault
        return why(exc)
    return None


def why(exc: Exception) -> str:
    """A template's failure as the editor shows it: its kind (in the worker, if it failed there),
    its message, and the line of a syntax error."""
    where = f" (line {exc.lineno})" if isinstance(exc, TemplateSyntaxError) and exc.lineno else ""
    return f"{exc.kind if isinstance(exc, RenderError) else type(exc).__name__}: {exc}{where}"


def template_errors(purpose: str, subject: str, body: str) -> dict[str, str]:
    """Per field (``subject``, ``body``), why it cannot be used; empty if the template can."""
    found = {"subject": _field_error(purpose, subject), "body": _field_error(purpose, body)}
    return {name: error for name, error in found.items() if error}


def check_template(purpose: str, subject: str, body: str) -> list[str]:
    """Why this template cannot be used (syntax, sandbox, unknown variables); empty if it can."""
    return list(template_errors(purpose, subject, body).values())


class TemplateBook:
    """The templates in force, read once per job run (a stored template, else the built-in)."""

    def __init__(self, app: Touchline | None = None) -> None:
        self.app = app
        self.found: dict[str, tuple[str, str]] = {}

    def source(self, purpose: str) -> tuple[str, str]:
        if purpose not in self.found:
            self.found[purpose] = BUILT_IN[purpose]
            if self.app is not None:
                try:
                    stored = self.app.get_message_template(purpose)
                    self.found[purpose] = (stored.subject, stored.body)
                except NotFoundError:
                    pass
        return self.found[purpose]

    def render(self, purpose: str, **values: Any) -> tuple[str, str]:
        """Subject and body for ``purpose``; the built-in text if the stored template fails. One
        that ran out of time or memory is not tried again in this run: each try costs a second."""
        try:
            return _render(*self.source(purpose), values)
        except Exception as exc:  # noqa: BLE001 - whatever a stored template raises, the notice goes out
            log.warning("template %s failed (%s); using the built-in text", purpose, exc)
            if isinstance(exc, RenderError) and exc.kind in ("TimeoutError", "MemoryError"):
                self.found[purpose] = BUILT_IN[purpose]
            return _render(*BUILT_IN[purpose], values)
