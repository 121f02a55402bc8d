"""The WebhookSubscription aggregate: a URL told about chosen event types, with a signing secret.

Status: active <-> paused (by an admin, or by the scheduler after repeated failures, with the
last error as reason) -> deleted (for good). The secret is generated here, shown once by
whoever created or rotated it, and kept in its event so the scheduler can sign: sealed there
under the webhook's own data key (destroyed when it is deleted), and a ``secret_fields`` entry,
so the event feed, history pages and exports never show it.
A replay request moves delivery back to a log position (the scheduler applies it once:
``replays`` counts the requests).
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_erasure, mark_personal
from domain.upcasting import upcaster
from domain.users.model import SECRET_FIELDS
from domain.values import text
from domain.webhooks.catalog import clean_patterns

SECRET_PREFIX = "whsec_"
ROTATION_OVERLAP = timedelta(hours=24)  # the previous secret still signs this long after a rotation
MAX_ROTATION_OVERLAP = timedelta(days=7)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
STATUSES = ("active", "paused", "deleted")


class WebhookStateError(DomainError):
    """The subscription's status does not allow that (e.g. resuming an active one)."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def refused_address(host: str, *, allow_private: bool = False) -> str | None:
    """Why a webhook must not be sent to ``host`` (an IP address, or ``localhost``), or None: a
    token that may create webhooks must not make the server call its own network. Link-local
    addresses (the cloud metadata service at 169.254.169.254) never; loopback and private networks
    only with ``allow_private``. A host name is checked on its addresses when delivering."""
    if host.lower().rstrip(".") == "localhost":
        return None if allow_private else "a loopback address"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "a link-local or reserved address (such as a cloud metadata service)"
    if not allow_private and (ip.is_loopback or ip.is_private):
        return "a loopback address" if ip.is_loopback else "a private-network address"
    return None


def clean_url(url: str, *, allow_http: bool = False, allow_private: bool = False) -> str:
    """An https URL (http only to this machine, unless ``allow_http``), without credentials, not
    to an address of the server's own networks (``refused_address``)."""
    cleaned = text("url", url, max_length=2000)
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InvalidValueError("url", f"{url[:80]!r} is not a URL") from None
    if parts.scheme not in ("https", "http") or not host or " " in cleaned:
        raise InvalidValueError("url", f"{url[:80]!r} is not an https:// URL")
    if parts.username or parts.password:
        raise InvalidValueError("url", "must not hold a user name or password (deliveries are signed instead)")
    if parts.fragment:
        raise InvalidValueError("url", "must not have a #fragment")
    refused = refused_address(host, allow_private=allow_private)
    if refused:
        raise InvalidValueError("url", f"must not point at {refused} (TOUCHLINE_WEBHOOK_ALLOW_PRIVATE=1 allows "
                                       "receivers on loopback and private networks)")
    if parts.scheme == "http" and not allow_http and host not in LOCAL_HOSTS:
        raise InvalidValueError("url", "must use https (plain http only to a receiver on this machine, where "
                                       "TOUCHLINE_WEBHOOK_ALLOW_PRIVATE=1 allows one, or with "
                                       "TOUCHLINE_WEBHOOK_ALLOW_HTTP set)")
    return cleaned


class WebhookSubscription(Entity):
    kind = "Webhook"

    @classmethod
    def create(cls, *, url: str, event_types: list[str] | str, allow_http: bool = False,
               allow_private: bool = False, id: UUID | None = None,
               occurred_at: datetime, actor: str) -> WebhookSubscription:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        # An id given by the caller (derived from an Idempotency-Key), else a new one.
        return cls._create(cls.Created, id=id, url=clean_url(url, allow_http=allow_http, allow_private=allow_private),
                           event_types=clean_patterns(event_types), secret=new_secret(), occurred_at=occurred_at,
                           actor=actor)

    @event("Created")
    def __init__(self, *, url: str, event_types: list[str], secret: str, occurred_at: datetime, actor: str) -> None:
        self.url = url
        self.event_types = event_types
        self.secret = secret
        self.previous_secret: str | None = None  # still signing until previous_until (a rotation's overlap)
        self.previous_until: datetime | None = None
        self.status = "active"
        self.pause_reason: str | None = None
        self.replays = 0
        self.replay_from: int | None = None
        self.created_by = actor
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.url

    def _check_not_deleted(self) -> None:
        if self.status == "deleted":
            raise WebhookStateError(f"webhook {self.url} was deleted")

    def change(self, *, url: str | None, event_types: list[str] | str | None, allow_http: bool = False,
               allow_private: bool = False, occurred_at: datetime, actor: str) -> bool:
        """Change the URL and/or the types; False when nothing changes."""
        self._check_not_deleted()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        new_url = self.url if url is None else clean_url(url, allow_http=allow_http, allow_private=allow_private)
        new_types = self.event_types if event_types is None else clean_patterns(event_types)
        if (new_url, new_types) == (self.url, self.event_types):
            return False
        self._changed(url=new_url, event_types=new_types, occurred_at=occurred_at, actor=actor)
        return True

    @event("Changed")
    def _changed(self, url: str, event_types: list[str], occurred_at: datetime, actor: str) -> None:
        self.url, self.event_types, self.last_occurred_at = url, event_types, occurred_at

    def pause(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        self._check_not_deleted()
        if self.status == "paused":
            raise WebhookStateError(f"webhook {self.url} is paused already")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._paused(reason=text("reason", reason, required=False, max_length=1000), occurred_at=occurred_at,
                     actor=actor)

    @event("Paused")
    def _paused(self, reason: str, occurred_at: datetime, actor: str) -> None:
        self.status, self.pause_reason, self.last_occurred_at = "paused", reason or None, occurred_at

    def resume(self, *, occurred_at: datetime, actor: str) -> None:
        self._check_not_deleted()
        if self.status != "paused":
            raise WebhookStateError(f"webhook {self.url} is not paused")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._resumed(occurred_at=occurred_at, actor=actor)

    @event("Resumed")
    def _resumed(self, occurred_at: datetime, actor: str) -> None:
        self.status, self.pause_reason, self.last_occurred_at = "active", None, occurred_at

    def rotate_secret(self, *, previous_valid_for: timedelta = ROTATION_OVERLAP, occurred_at: datetime,
                      actor: str) -> str:
        """A new secret, returned once. Deliveries are signed with the previous one too for
        ``previous_valid_for`` (a receiver updates without missing any); zero when it leaked."""
        self._check_not_deleted()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        if not timedelta(0) <= previous_valid_for <= MAX_ROTATION_OVERLAP:
            raise InvalidValueError("previous_valid_hours", f"must be from 0 to {MAX_ROTATION_OVERLAP.days * 24} hours")
        secret = new_secret()
        previous_until = occurred_at + previous_valid_for if previous_valid_for else None
        self._secret_rotated(secret=secret, previous_until=previous_until, occurred_at=occurred_at, actor=actor)
        return secret

    @event("SecretRotated")
    def _secret_rotated(self, secret: str, previous_until: datetime | None, occurred_at: datetime, actor: str) -> None:
        self.previous_secret = self.secret if previous_until else None  # known from the event that set it
        self.previous_until = previous_until
        self.secret, self.last_occurred_at = secret, occurred_at

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery at ``now`` is signed with: the current one, and the previous
        one while its overlap lasts."""
        previous, until = self.previous_secret, self.previous_until
        return [self.secret, previous] if previous and until and now < until else [self.secret]

    def request_replay(self, *, from_position: int, occurred_at: datetime, actor: str) -> None:
        self._check_not_deleted()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        if isinstance(from_position, bool) or not isinstance(from_position, int) or not 1 <= from_position < 2**63:
            raise InvalidValueError("from_position", "must be a log position (a whole number from 1)")
        self._replay_requested(from_position=from_position, occurred_at=occurred_at, actor=actor)

    @event("ReplayRequested")
    def _replay_requested(self, from_position: int, occurred_at: datetime, actor: str) -> None:
        self.replays += 1
        self.replay_from, self.last_occurred_at = from_position, occurred_at

    def delete(self, *, occurred_at: datetime, actor: str) -> None:
        self._check_not_deleted()
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._deleted(occurred_at=occurred_at, actor=actor)

    @event("Deleted")
    def _deleted(self, occurred_at: datetime, actor: str) -> None:
        self.status, self.last_occurred_at = "deleted", occurred_at


# The signing secret is not history: the feed, history pages and exports leave it out.
SECRET_FIELDS[WebhookSubscription.Created] = frozenset({"secret"})
SECRET_FIELDS[WebhookSubscription.SecretRotated] = frozenset({"secret"})


@upcaster(WebhookSubscription.SecretRotated, from_version=1)
def _secret_rotated_v1_v2(state: dict[str, Any]) -> None:
    """Version 1 stopped the previous secret at once."""
    state["previous_until"] = None
# And it is sealed at rest under the webhook's own data key, as personal data is under its
# customer's: a copy of the event store holds no usable secret, and deleting the webhook
# destroys the key, so its secrets are gone for good.
mark_personal(WebhookSubscription.Created, "secret", subject="originator_id")
mark_personal(WebhookSubscription.SecretRotated, "secret", subject="originator_id")
mark_erasure(WebhookSubscription.Deleted)


def webhook_id(value: str | UUID) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise InvalidValueError("id", f"{value!r} is not a webhook id") from None
