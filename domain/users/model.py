"""The User aggregate: people who log in (admins, agents, auditors), with team and manager."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_personal
from domain.values import email_address, one_of, text

ROLES = ("admin", "agent", "auditor")


class UserDeactivatedError(DomainError):
    """The user is deactivated."""


def user_id_for(email: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/users/{clean_email(email)}")


def clean_email(value: str) -> str:
    return email_address("email", value)


class User(Entity):
    kind = "User"

    @classmethod
    def register(
        cls, *, email: str, name: str, role: str, team: str | None = None, region: str | None = None,
        manager_id: UUID | None = None, occurred_at: datetime, actor: str,
    ) -> User:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        email = clean_email(email)
        return cls(
            id=user_id_for(email), email=email, name=text("name", name, max_length=200),
            role=one_of("role", role, ROLES),
            team=text("team", team, required=False, max_length=100) or None,
            region=text("region", region, required=False, max_length=100) or None,
            manager_id=manager_id, occurred_at=occurred_at, actor=actor,
        )

    @event("Registered")
    def __init__(
        self, *, id: UUID, email: str, name: str, role: str, team: str | None, region: str | None,
        manager_id: UUID | None, occurred_at: datetime, actor: str,
    ) -> None:
        self.email = email
        self.name = name
        self.role = role
        self.team = team
        self.region = region
        self.manager_id = manager_id
        self.active = True
        self.last_occurred_at = occurred_at

    @property
    def label(self) -> str:
        return self.email

    def change_profile(
        self, *, name: str, role: str, team: str | None, region: str | None, manager_id: UUID | None,
        occurred_at: datetime, actor: str,
    ) -> bool:
        occurred_at, actor = self.checked_when(occurred_at, actor)
        if manager_id == self.id:
            raise InvalidValueError("manager_id", "a user cannot manage themselves")
        new = {
            "name": text("name", name, max_length=200), "role": one_of("role", role, ROLES),
            "team": text("team", team, required=False, max_length=100) or None,
            "region": text("region", region, required=False, max_length=100) or None,
            "manager_id": manager_id,
        }
        if all(getattr(self, k) == v for k, v in new.items()):
            return False
        self._profile_changed(**new, occurred_at=occurred_at, actor=actor)
        return True

    @event("ProfileChanged")
    def _profile_changed(
        self, name: str, role: str, team: str | None, region: str | None, manager_id: UUID | None,
        occurred_at: datetime, actor: str,
    ) -> None:
        self.name, self.role, self.team, self.region, self.manager_id = name, role, team, region, manager_id
        self.last_occurred_at = occurred_at

    def deactivate(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        if not self.active:
            raise UserDeactivatedError(f"user {self.email} is deactivated already")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._deactivated(reason=text("reason", reason, max_length=500), occurred_at=occurred_at, actor=actor)

    @event("Deactivated")
    def _deactivated(self, reason: str, occurred_at: datetime, actor: str) -> None:
        self.active = False
        self.last_occurred_at = occurred_at

    def reactivate(self, *, occurred_at: datetime, actor: str) -> None:
        if self.active:
            raise InvalidValueError("active", f"user {self.email} is active already")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        self._reactivated(occurred_at=occurred_at, actor=actor)

    @event("Reactivated")
    def _reactivated(self, occurred_at: datetime, actor: str) -> None:
        self.active = True
        self.last_occurred_at = occurred_at


# Staff are people too: their own events hold their personal data.
mark_personal(User.Registered, "email", "name", subject="originator_id")
mark_personal(User.ProfileChanged, "name", subject="originator_id")
