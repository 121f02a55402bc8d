"""What every job works with: the Application, the read models, the clock, the settings and
the notifiers; and how notices are issued in batches."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from domain.application import Touchline
from domain.base import Entity
from domain.clock import Clock
from domain.messages.notices import Notice, NoticeOutcome
from scheduler.notifiers import Notifier, mail_domain
from scheduler.settings import SchedulerSettings

ACTOR = "system:scheduler"
Checkpoint = Callable[[str, Any], None]


def no_checkpoint(step: str, message: Any) -> None:
    """Where a test may stop the sender (``sending``, ``accepted``, ``recorded``); nothing by default."""


@dataclass
class SchedulerContext:
    app: Touchline
    views: sa.Engine
    clock: Clock
    settings: SchedulerSettings = field(default_factory=SchedulerSettings)
    notifiers: Mapping[str, Notifier] = field(default_factory=dict)  # delivery channel -> notifier
    checkpoint: Checkpoint = no_checkpoint

    @property
    def mail_domain(self) -> str:
        return mail_domain(self.settings.mail_from)

    def issue(self, notices: Sequence[Notice], preloaded: Mapping[UUID, Entity] | None = None) -> NoticeOutcome:
        """Save ``notices`` in transactions of ``batch_size`` notices."""
        outcome = NoticeOutcome()
        size = self.settings.batch_size
        for start in range(0, len(notices), size):
            outcome.add(self.app.issue_notices(notices[start:start + size], mail_domain=self.mail_domain,
                                               occurred_at=self.clock.now(), actor=ACTOR, preloaded=preloaded))
        return outcome
