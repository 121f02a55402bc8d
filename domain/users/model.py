"""The User aggregate: people who log in (admins, agents, auditors), with team and manager."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import DomainError, InvalidValueError
from domain.personal import mark_personal
from domain.values import clean_timezone, email_address, name_text, one_of, text

ROLES = ("admin", "agent", "auditor")


class UserDeactivatedError(DomainError):
    """The user is deactivated."""


def user_id_for(email: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/users/{clean_email(email)}")


def user_ref(user_id: object) -> str:
    """How a colleague is named as assignee or owner: ``user:<id>``."""
    return f"user:{user_id}"


def as_user_ref(value: str) -> str:
    """``value`` as ``user:<id>`` when it is a bare user id (as the Maven import wrote deal owners),
    else as it is (``user:<id>`` already, a team, a name)."""
    try:
        return user_ref(UUID(value))
    except ValueError:
        return value


def clean_email(value: str) -> str:
    return email_address("email", value)


class User(Entity):
    kind = "User"
    # Users registered before preferences existed have none: the panel's default zone applies.
    timezone: str | None = None

    @classmethod
    def register(
        cls, *, email: str, name: str, role: str, team: str | None = None, region: str | None = None,
        manager_id: UUID | None = None, occurred_at: datetime, actor: str,
    ) -> User:
        occurred_at, actor = cls.checked_when(occurred_at, actor)
        email = clean_email(email)
        return cls(
            id=user_id_for(email), email=email, name=name_text("name", name, max_length=200),
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
        self.password_hash: str | None = None  # an argon2 hash; None: cannot log in yet
        self.must_change_password = False
        self.credentials_version = 0  # sessions remember it: a new password ends the others

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
        if self._is(actor) and self.role == "admin" and role != "admin":
            # Else the last admin could leave the installation with none (another admin may do it).
            raise InvalidValueError("role", "you cannot give up your own admin role: ask another admin")
        new = {
            "name": name_text("name", name, max_length=200), "role": one_of("role", role, ROLES),
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

    def _is(self, actor: str) -> bool:
        return actor == f"user:{self.id}"

    def deactivate(self, *, reason: str, occurred_at: datetime, actor: str) -> None:
        if not self.active:
            raise UserDeactivatedError(f"user {self.email} is deactivated already")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        if self._is(actor):  # the last admin would lock everyone out; another admin (or the CLI) may
            raise InvalidValueError("active", "you cannot deactivate your own account: ask another admin")
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


    def set_password(self, *, password_hash: str, must_change: bool, occurred_at: datetime, actor: str) -> None:
        """Store a new password hash (hashing is the web layer's job: the domain never sees a
        password). ``must_change``: it was set by someone else, the user must choose their own."""
        if not self.active:
            raise UserDeactivatedError(f"user {self.email} is deactivated")
        occurred_at, actor = self.checked_when(occurred_at, actor)
        if not isinstance(password_hash, str) or not password_hash.startswith(HASH_PREFIX):
            raise InvalidValueError("password", "must be stored as an argon2 hash")
        self._password_set(password_hash=password_hash, must_change=bool(must_change), occurred_at=occurred_at,
                           actor=actor)

    # SECRET: ``password_hash`` must never leave the event store: no read model, list, export
    # or API shows it (the audit export drops the fields listed in SECRET_FIELDS).
    @event("PasswordSet")
    def _password_set(self, password_hash: str, must_change: bool, occurred_at: datetime, actor: str) -> None:
        self.password_hash = password_hash
        self.must_change_password = must_change
        self.credentials_version += 1
        self.last_occurred_at = occurred_at

    def change_preferences(self, *, timezone: str | None, occurred_at: datetime, actor: str) -> bool:
        """The zone the panel shows this user's times in (None: the installation's default).
        False when nothing changes."""
        occurred_at, actor = self.checked_when(occurred_at, actor)
        cleaned = clean_timezone("timezone", timezone) if timezone else None
        if cleaned == self.timezone:
            return False
        self._preferences_changed(timezone=cleaned, occurred_at=occurred_at, actor=actor)
        return True

    @event("PreferencesChanged")
    def _preferences_changed(self, timezone: str | None, occurred_at: datetime, actor: str) -> None:
        self.timezone = timezone
        self.last_occurred_at = occurred_at


HASH_PREFIX = "$argon2"
# Event fields that are secrets, not history: the event feed, exports and history views leave them out.
SECRET_FIELDS: dict[type, frozenset[str]] = {User.PasswordSet: frozenset({"password_hash"})}


def secret_fields(event_class: type) -> frozenset[str]:
    """The fields of ``event_class`` never to show anyone (empty for most events)."""
    return SECRET_FIELDS.get(event_class, frozenset())

# Staff are people too: their own events hold their personal data.
mark_personal(User.Registered, "email", "name", subject="originator_id")
mark_personal(User.ProfileChanged, "name", subject="originator_id")
