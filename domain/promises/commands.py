"""Promise commands of the Application (callback requests included)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.links import LinkChecks
from domain.promises.model import Promise
from domain.service import Receipt


class PromiseCommands(LinkChecks):
    def make_promise(
        self, *, customer_id: UUID, what: str, due_at: datetime, owner: str, channel: str,
        kind: str = "promise", contact_point: str | None = None, case_id: UUID | None = None,
        deal_id: UUID | None = None, timezone: str | None = None, id: UUID | None = None,
        occurred_at: datetime, actor: str,
    ) -> Receipt:
        self.check_customer_exists(customer_id)
        self.check_links(customer_id, case_id=case_id, deal_id=deal_id)
        promise = Promise.make(
            id=id or uuid4(), customer_id=customer_id, what=what, due_at=due_at, owner=owner, channel=channel,
            promise_kind=kind, contact_point=contact_point, case_id=case_id, deal_id=deal_id, timezone=timezone,
            occurred_at=occurred_at, actor=actor,
        )
        return self._save(promise)

    def _promise_act(self, promise_id: UUID, method: str, expected_version: int | None, **kwargs: Any) -> Receipt:
        promise = self._get(Promise, promise_id, expected_version)
        if getattr(promise, method)(**kwargs) is False:
            return self._unchanged(promise)
        return self._save(promise)

    def keep_promise(self, promise_id: UUID, *, evidence: str, expected_version: int | None = None,
                     occurred_at: datetime, actor: str) -> Receipt:
        return self._promise_act(promise_id, "keep", expected_version, evidence=evidence,
                                 occurred_at=occurred_at, actor=actor)

    def reschedule_promise(self, promise_id: UUID, *, due_at: datetime, reason: str,
                           expected_version: int | None = None, occurred_at: datetime, actor: str) -> Receipt:
        return self._promise_act(promise_id, "reschedule", expected_version, due_at=due_at, reason=reason,
                                 occurred_at=occurred_at, actor=actor)

    def cancel_promise(self, promise_id: UUID, *, reason: str, expected_version: int | None = None,
                       occurred_at: datetime, actor: str) -> Receipt:
        return self._promise_act(promise_id, "cancel", expected_version, reason=reason,
                                 occurred_at=occurred_at, actor=actor)

    def hand_over_promise(self, promise_id: UUID, *, to_owner: str, note: str = "",
                          expected_version: int | None = None, occurred_at: datetime, actor: str) -> Receipt:
        """The caller checks ``to_owner`` is a colleague who can take work (as for a new promise)."""
        return self._promise_act(promise_id, "hand_over", expected_version, to_owner=to_owner, note=note,
                                 occurred_at=occurred_at, actor=actor)

    def record_follow_up(self, promise_id: UUID, *, purpose: str, message_id: str,
                         occurred_at: datetime, actor: str) -> Receipt:
        return self._promise_act(promise_id, "record_follow_up", None, purpose=purpose, message_id=message_id,
                                 occurred_at=occurred_at, actor=actor)

    def get_promise(self, promise_id: UUID) -> Promise:
        return self._get(Promise, promise_id)
