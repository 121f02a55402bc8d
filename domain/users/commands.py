"""User preference commands of the Application (registration and profiles: ``domain.directory``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.service import Receipt, Service
from domain.users.model import User


class UserPreferenceCommands(Service):
    def change_user_preferences(self, user_id: UUID, *, timezone: str | None, occurred_at: datetime,
                                actor: str) -> Receipt:
        """Set the time zone the panel shows ``user_id``'s times in (None: the default zone)."""
        user = self._get(User, user_id)
        if not user.change_preferences(timezone=timezone, occurred_at=occurred_at, actor=actor):
            return self._unchanged(user)
        return self._save(user)
