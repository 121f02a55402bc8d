"""Links in messages that work without a login: the survey page, the unsubscribe page and the
page that cancels a booked callback. Each carries a token: what it is about and an HMAC of that with the link key
(``settings.link_key``, derived from the app's SECRET_KEY), so it cannot be forged or altered.

The unsubscribe token names the message it came in; the page finds the customer and the consent
from that message, and its age from when the message was queued. The same link goes into the
email's List-Unsubscribe header (RFC 2369) with List-Unsubscribe-Post (RFC 8058 one-click).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from uuid import UUID

from domain.customers.outreach import CONSENT_OF_PURPOSE
from domain.messages.model import Message
from scheduler.settings import SchedulerSettings

ONE_CLICK = "List-Unsubscribe=One-Click"


def sign(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16]
    return f"{payload}.{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


def verify(key: bytes, token: str) -> str | None:
    """The payload of a token signed with ``key``; None for anything else (forged, altered, no key)."""
    payload, dot, _ = token.rpartition(".")
    if not key or not dot or len(token) > 200:
        return None
    return payload if hmac.compare_digest(sign(key, payload), token) else None


def survey_token(key: bytes, case_id: UUID, resolution: int) -> str:
    return sign(key, f"s-{case_id.hex}-{resolution}")


def read_survey_token(key: bytes, token: str) -> tuple[UUID, int] | None:
    kind, _, rest = (verify(key, token) or "").partition("-")
    case_hex, _, resolution = rest.partition("-")
    if kind != "s" or not resolution.isdigit():
        return None
    return UUID(case_hex), int(resolution)


def unsubscribe_token(key: bytes, message_id: UUID) -> str:
    return sign(key, f"u-{message_id.hex}")


def read_unsubscribe_token(key: bytes, token: str) -> UUID | None:
    kind, _, message_hex = (verify(key, token) or "").partition("-")
    return UUID(message_hex) if kind == "u" else None


def callback_token(key: bytes, promise_id: UUID, due_at: datetime) -> str:
    """Names the callback and the time it was booked for: a link from an earlier confirmation
    cannot cancel the call once it was moved (the newer confirmation has the newer link)."""
    return sign(key, f"c-{promise_id.hex}-{int(due_at.timestamp())}")


def read_callback_token(key: bytes, token: str) -> tuple[UUID, int] | None:
    kind, _, rest = (verify(key, token) or "").partition("-")
    promise_hex, _, due = rest.partition("-")
    if kind != "c" or not due.isdigit():
        return None
    return UUID(promise_hex), int(due)


def callback_cancel_url(settings: SchedulerSettings, promise_id: UUID, due_at: datetime) -> str:
    return f"{settings.public_url.rstrip('/')}/callback/cancel/{callback_token(settings.link_key, promise_id, due_at)}"


def survey_url(settings: SchedulerSettings, case_id: UUID, resolution: int) -> str:
    return f"{settings.public_url.rstrip('/')}/survey/{survey_token(settings.link_key, case_id, resolution)}"


def unsubscribe_url(settings: SchedulerSettings, message_id: UUID) -> str:
    return f"{settings.public_url.rstrip('/')}/unsubscribe/{unsubscribe_token(settings.link_key, message_id)}"


def list_unsubscribe_headers(settings: SchedulerSettings, message: Message) -> tuple[tuple[str, str], ...]:
    """The List-Unsubscribe headers of an outreach email (none for other messages): a POST of
    ``List-Unsubscribe=One-Click`` to the URL unsubscribes at once (RFC 8058)."""
    if message.purpose not in CONSENT_OF_PURPOSE or message.channel != "email" or not settings.link_key:
        return ()
    return (("List-Unsubscribe", f"<{unsubscribe_url(settings, message.id)}/one-click>"),
            ("List-Unsubscribe-Post", ONE_CLICK))
