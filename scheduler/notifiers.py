"""Delivery: one small interface, ``Notifier``, with an SMTP sender for email and a webhook
sender for SMS and messenger (a gateway that takes JSON).

A notifier either returns (the server took the message) or raises ``DeliveryError``, marked
``permanent`` when retrying cannot help (an address the server refuses, a 4xx from a webhook).
Every attempt of a message carries the same Message-ID (email header; ``message_id`` and the
``Idempotency-Key`` header for webhooks), so receivers can drop a resend after a crash.
"""

from __future__ import annotations

import email.policy
import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT_SECONDS = 20.0


# Lines up to RFC 5322's 998: the default 78 folds a long URL with no spaces (a List-Unsubscribe
# link) into RFC 2047 encoded-words, where no mail provider finds the <URL> (RFC 2369, 8058).
MAIL_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Outgoing:
    """A message as it goes out: the same text and Message-ID on every attempt."""

    message_id: str
    channel: str
    recipient: str
    subject: str
    body: str
    queued_at: datetime
    headers: tuple[tuple[str, str], ...] = ()  # extra email headers (List-Unsubscribe...)


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Notifier(Protocol):
    def send(self, message: Outgoing) -> None:
        """Hand the message over, or raise ``DeliveryError``."""


class SmtpNotifier:
    """Email through an SMTP server: ``smtp://[user:password@]host[:port][?starttls=1]``
    (``smtps://`` for TLS from the start)."""

    def __init__(self, url: str, sender: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SMTP URL {url!r}: expected smtp://host:port or smtps://host:port")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.host = parts.hostname
        self.tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password or "")
        self.starttls = query.get("starttls", "0").lower() in ("1", "true", "yes")
        self.sender = sender
        self.timeout = timeout

    def email(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage(policy=MAIL_POLICY)
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = message.message_id
        mail["Date"] = format_datetime(message.queued_at)
        for name, value in message.headers:
            mail[name] = value
        mail.set_content(message.body)
        return mail

    def send(self, message: Outgoing) -> None:
        smtp_class = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        try:
            with smtp_class(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(self.email(message))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)) \
                from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500) \
                from None
        except (smtplib.SMTPException, OSError) as exc:  # refused connection, timeout, dropped line
            raise DeliveryError(f"SMTP server {self.host}:{self.port}: {exc}") from None


class WebhookNotifier:
    """SMS or messenger through an HTTP gateway: POST JSON to ``url``."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"webhook URL {url!r}: expected http:// or https://")
        self.url = url
        self.timeout = timeout

    def send(self, message: Outgoing) -> None:
        body = json.dumps({"message_id": message.message_id, "channel": message.channel, "to": message.recipient,
                           "subject": message.subject, "text": message.body}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Idempotency-Key": message.message_id})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"webhook answered {exc.code}", permanent=400 <= exc.code < 500 and exc.code != 429) \
                from None
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"webhook {self.url}: {exc}") from None


def mail_domain(sender: str) -> str:
    """The domain of the sender's address, for Message-IDs (``Name <a@b.example>`` -> ``b.example``)."""
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    domain = address.rpartition("@")[2]
    return domain or "touchline.invalid"


def notifiers_from_config(config: Mapping[str, Any]) -> dict[str, Notifier]:
    """The notifier of each delivery channel that is configured (``ValueError`` naming the
    variable for a bad URL); a channel without one keeps its messages in the outbox."""
    found: dict[str, Notifier] = {}
    settings = [("email", "SMTP_URL"), ("sms", "SMS_WEBHOOK_URL"), ("messenger", "MESSENGER_WEBHOOK_URL")]
    for channel, key in settings:
        url = str(config.get(key) or "").strip()
        if not url:
            continue
        try:
            found[channel] = SmtpNotifier(url, str(config.get("MAIL_FROM") or "")) if channel == "email" \
                else WebhookNotifier(url)
        except ValueError as exc:
            raise ValueError(f"TOUCHLINE_{key}: {exc}") from None
    return found
