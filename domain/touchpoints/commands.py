"""Touchpoint commands of the Application."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.errors import DomainError, ItemError
from domain.links import LINKS, LinkChecks
from domain.service import Receipt
from domain.touchpoints.model import Touchpoint


class TouchpointCommands(LinkChecks):
    def build_touchpoint(
        self, *, customer_id: UUID, channel: str, direction: str, kind: str, subject: str,
        summary: str = "", contact_point: str | None = None, case_id: UUID | None = None,
        deal_id: UUID | None = None, promise_id: UUID | None = None, external_ref: str | None = None,
        id: UUID | None = None, occurred_at: datetime, actor: str,
    ) -> Touchpoint:
        """A new, unsaved touchpoint (for commands that save it with other records)."""
        self.check_customer_exists(customer_id)
        return Touchpoint.record(
            id=id or uuid4(), customer_id=customer_id, channel=channel, direction=direction, kind=kind,
            subject=subject, summary=summary, contact_point=contact_point, case_id=case_id,
            deal_id=deal_id, promise_id=promise_id, external_ref=external_ref,
            occurred_at=occurred_at, actor=actor,
        )

    def record_touchpoint(self, **kwargs: Any) -> Receipt:
        """Record one contact with a customer; see ``build_touchpoint`` for the arguments."""
        touchpoint = self.build_touchpoint(**kwargs)
        self.check_links(kwargs["customer_id"], **{f: kwargs.get(f) for f, _ in LINKS})
        return self._save(touchpoint)

    def record_touchpoints(self, items: Sequence[Mapping[str, Any]]) -> list[Receipt]:
        """Record several contacts in one transaction, all or none; each item holds
        ``build_touchpoint``'s arguments. An item that breaks a rule is an ``ItemError``
        naming its index, and nothing is recorded."""
        touchpoints = []
        for index, item in enumerate(items):
            try:
                touchpoints.append(self.build_touchpoint(**item))
                self.check_links(item["customer_id"], **{f: item.get(f) for f, _ in LINKS})
            except DomainError as exc:
                raise ItemError(index, exc) from None
        return self._save_all(touchpoints)

    def correct_touchpoint(
        self, touchpoint_id: UUID, *, changes: dict[str, Any], reason: str,
        expected_version: int | None = None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        touchpoint = self._get(Touchpoint, touchpoint_id, expected_version)
        if not touchpoint.correct(changes=changes, reason=reason, occurred_at=occurred_at, actor=actor):
            return self._unchanged(touchpoint)
        return self._save(touchpoint)

    def retract_touchpoint(self, touchpoint_id: UUID, *, reason: str, occurred_at: datetime, actor: str) -> Receipt:
        touchpoint = self._get(Touchpoint, touchpoint_id)
        touchpoint.retract(reason=reason, occurred_at=occurred_at, actor=actor)
        return self._save(touchpoint)

    def get_touchpoint(self, touchpoint_id: UUID) -> Touchpoint:
        return self._get(Touchpoint, touchpoint_id)
