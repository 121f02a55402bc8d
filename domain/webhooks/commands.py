"""Webhook subscription commands of the Application (admins: panel, CLI, API)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from domain.errors import InvalidValueError
from domain.service import Receipt, Service
from domain.webhooks.model import ROTATION_OVERLAP, WebhookSubscription


class IssuedSecret(NamedTuple):
    receipt: Receipt
    secret: str  # shown once to whoever created or rotated it


class WebhookCommands(Service):
    def create_webhook(self, *, url: str, event_types: list[str] | str, allow_http: bool = False,
                       allow_private: bool = False, id: UUID | None = None, occurred_at: datetime,
                       actor: str) -> IssuedSecret:
        """Subscribe ``url`` to ``event_types``; deliveries start after this event's position."""
        webhook = WebhookSubscription.create(url=url, event_types=event_types, allow_http=allow_http,
                                             allow_private=allow_private, id=id, occurred_at=occurred_at, actor=actor)
        return IssuedSecret(self._save(webhook), webhook.secret)

    def get_webhook(self, webhook_id: UUID) -> WebhookSubscription:
        return self._get(WebhookSubscription, webhook_id)

    def change_webhook(self, webhook_id: UUID, *, url: str | None = None, event_types: list[str] | str | None = None,
                       allow_http: bool = False, allow_private: bool = False, expected_version: int | None = None,
                       occurred_at: datetime, actor: str) -> Receipt:
        webhook = self._get(WebhookSubscription, webhook_id, expected_version)
        if not webhook.change(url=url, event_types=event_types, allow_http=allow_http, allow_private=allow_private,
                              occurred_at=occurred_at, actor=actor):
            return self._unchanged(webhook)
        return self._save(webhook)

    def pause_webhook(self, webhook_id: UUID, *, reason: str = "", expected_version: int | None = None,
                      occurred_at: datetime, actor: str) -> Receipt:
        webhook = self._get(WebhookSubscription, webhook_id, expected_version)
        webhook.pause(reason=reason, occurred_at=occurred_at, actor=actor)
        return self._save(webhook)

    def resume_webhook(self, webhook_id: UUID, *, expected_version: int | None = None, occurred_at: datetime,
                       actor: str) -> Receipt:
        webhook = self._get(WebhookSubscription, webhook_id, expected_version)
        webhook.resume(occurred_at=occurred_at, actor=actor)
        return self._save(webhook)

    def rotate_webhook_secret(self, webhook_id: UUID, *, previous_valid_for: timedelta = ROTATION_OVERLAP,
                              expected_version: int | None = None, occurred_at: datetime, actor: str) -> IssuedSecret:
        """A new signing secret; the previous one still signs for ``previous_valid_for`` (0: it leaked)."""
        webhook = self._get(WebhookSubscription, webhook_id, expected_version)
        secret = webhook.rotate_secret(previous_valid_for=previous_valid_for, occurred_at=occurred_at, actor=actor)
        return IssuedSecret(self._save(webhook), secret)

    def replay_webhook(self, webhook_id: UUID, *, from_position: int, expected_version: int | None = None,
                       occurred_at: datetime, actor: str) -> Receipt:
        """Deliver again every matching event from ``from_position`` on (the scheduler applies it)."""
        webhook = self._get(WebhookSubscription, webhook_id, expected_version)
        head = self.recorder.max_notification_id() or 0
        if isinstance(from_position, int) and from_position > head + 1:  # a typo, not a wish to wait
            raise InvalidValueError("from_position", f"is past the end of the log (its last position is {head})")
        webhook.request_replay(from_position=from_position, occurred_at=occurred_at, actor=actor)
        return self._save(webhook)

    def delete_webhook(self, webhook_id: UUID, *, expected_version: int | None = None, occurred_at: datetime,
                       actor: str) -> Receipt:
        webhook = self._get(WebhookSubscription, webhook_id, expected_version)
        webhook.delete(occurred_at=occurred_at, actor=actor)
        return self._save(webhook)
