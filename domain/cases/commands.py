"""Case commands of the Application, and tracking-code allocation (see ``codes``)."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from domain.cases.codes import CaseCode, CodeBlock, block_id, case_code_id, format_code
from domain.cases.model import Case
from domain.customers.model import Customer, CustomerErasedError
from domain.errors import AlreadyExistsError, NotFoundError
from domain.service import Receipt
from domain.sla.commands import SlaCommands
from domain.touchpoints.commands import TouchpointCommands
from domain.touchpoints.model import Touchpoint


class CaseCommands(TouchpointCommands, SlaCommands):
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._code_lock = threading.Lock()
        self._next_code = 0
        self._block_last = -1

    def _claim_block(self, occurred_at: datetime) -> None:
        """Claim the next free block of codes; only blocks, not single codes, are contended."""
        # Blocks are claimed in order, so "block n exists" is monotone in n: gallop, then bisect.
        low, high = -1, 1
        while self._exists(block_id(high - 1)):
            low, high = high - 1, high * 2
        while high - low > 1:
            middle = (low + high) // 2
            if self._exists(block_id(middle)):
                low = middle
            else:
                high = middle
        number = high
        while True:
            block = CodeBlock(id=block_id(number), number=number, claimed_by=f"pid:{os.getpid()}",
                              occurred_at=occurred_at, actor="system:codes")
            try:
                self._save(block)
            except AlreadyExistsError:
                number += 1
                continue
            self._next_code, self._block_last = block.first, block.last
            return

    def next_tracking_code(self, occurred_at: datetime) -> str:
        with self._code_lock:
            if self._next_code == 0 or self._next_code > self._block_last:
                self._claim_block(occurred_at)
            code = format_code(self._next_code)
            self._next_code += 1
            return code

    def open_case(
        self, *, customer_id: UUID, subject: str, channel: str, description: str = "", priority: str = "normal",
        team: str | None = None, touchpoint: dict[str, Any] | None = None, id: UUID | None = None,
        register: dict[str, Any] | None = None, occurred_at: datetime, actor: str,
    ) -> Receipt:
        """Open a case with a fresh tracking code and the SLA policy version that covers it
        (``select_sla_policy``); ``touchpoint`` (the contact that raised it) is recorded in
        the same transaction and linked to the case. ``register``: the name and contact points
        to register ``customer_id`` with, in the same transaction, if they are new."""
        # Checked before a code is allocated: bad input must not use up codes or claim a block.
        occurred_at, actor = Case.checked_when(occurred_at, actor)
        Case.checked_opening(subject=subject, description=description, priority=priority, channel=channel, team=team)
        case_id = id or uuid4()
        for _ in range(2):
            new = self.new_customer(customer_id, register, occurred_at=occurred_at, actor=actor)
            policy = self.select_sla_policy(priority=priority, channel=channel, customer_id=customer_id,
                                            segment=new.segment if new else None)
            records: list[Any] = []
            touchpoint_id = None
            if touchpoint is not None:
                # Not ``build_touchpoint``: ``new_customer`` checked the customer, who may not be saved yet.
                tp = Touchpoint.record(**{**touchpoint, "id": touchpoint.get("id") or uuid4()}, customer_id=customer_id,
                                       case_id=case_id, occurred_at=occurred_at, actor=actor)
                touchpoint_id = tp.id
                records.append(tp)
            code = self.next_tracking_code(occurred_at)
            case = Case.open(
                id=case_id, tracking_code=code, customer_id=customer_id, subject=subject, description=description,
                priority=priority, channel=channel, team=team, sla_policy_id=policy.id if policy else None,
                sla_policy_version=policy.version if policy else None, touchpoint_id=touchpoint_id,
                occurred_at=occurred_at, actor=actor,
            )
            index = CaseCode(id=case_code_id(code), code=code, case_id=case.id, occurred_at=occurred_at, actor=actor)
            try:
                return self._save(case, index, *records, first=[new] if new else ())
            except AlreadyExistsError:
                if new is None or self._exists(case_id) or not self._exists(customer_id):
                    raise
                # A concurrent first contact from the same person registered them first: again, as theirs.
        raise AssertionError("unreachable: the second attempt finds the customer registered")

    def get_case(self, case_id: UUID, *, version: int | None = None) -> Case:
        return self._get(Case, case_id, version=version)

    def find_case_id(self, tracking_code: str) -> UUID:
        """The id of the case with this tracking code (NotFoundError if none)."""
        try:
            index = self._get(CaseCode, case_code_id(tracking_code))
        except NotFoundError:
            raise NotFoundError(Case.kind, tracking_code.strip().upper()) from None
        return index.case_id

    def _act(self, case_id: UUID, method: str, expected_version: int | None, **kwargs: Any) -> Receipt:
        case = self._get(Case, case_id, expected_version)
        changed = getattr(case, method)(**kwargs)
        if changed is False:
            return self._unchanged(case)
        return self._save(case)

    def acknowledge_case(self, case_id: UUID, *, message_id: str, occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "acknowledge", None, message_id=message_id, occurred_at=occurred_at, actor=actor)

    def assign_case(self, case_id: UUID, *, assignee: str, team: str | None = None,
                    expected_version: int | None = None, occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "assign", expected_version, assignee=assignee, team=team,
                         occurred_at=occurred_at, actor=actor)

    def transfer_case(self, case_id: UUID, *, to_assignee: str, note: str, to_team: str | None = None,
                      expected_version: int | None = None, occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "transfer", expected_version, to_assignee=to_assignee, to_team=to_team,
                         note=note, occurred_at=occurred_at, actor=actor)

    def reply_to_case(self, case_id: UUID, *, body: str, public: bool = True,
                      expected_version: int | None = None, occurred_at: datetime, actor: str) -> Receipt:
        """A reply to the customer (``public``) or an internal note. A reply to a customer whose data
        was erased would reach nobody (its mail would give up): refused, notes still taken."""
        if public:
            customer = self._get(Customer, self._get(Case, case_id).customer_id)
            if customer.erased:
                raise CustomerErasedError(f"customer {customer.id}'s personal data was erased: a reply would reach "
                                          "nobody (an internal note is still taken)")
        return self._act(case_id, "reply", expected_version, body=body, public=public,
                         occurred_at=occurred_at, actor=actor)

    def record_customer_reply(self, case_id: UUID, *, body: str, channel: str, touchpoint_id: UUID | None = None,
                              occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "customer_reply", None, body=body, channel=channel,
                         touchpoint_id=touchpoint_id, occurred_at=occurred_at, actor=actor)

    def pend_case(self, case_id: UUID, *, reason: str, note: str = "", expected_version: int | None = None,
                  occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "pend", expected_version, reason=reason, note=note,
                         occurred_at=occurred_at, actor=actor)

    def resume_case(self, case_id: UUID, *, expected_version: int | None = None,
                    occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "resume", expected_version, occurred_at=occurred_at, actor=actor)

    def change_case_priority(self, case_id: UUID, *, priority: str, expected_version: int | None = None,
                             occurred_at: datetime, actor: str) -> Receipt:
        """Change the priority and, in the same save, re-target: record the policy version
        that covers the case at its new priority (its targets apply from then on)."""
        case = self._get(Case, case_id, expected_version)
        case.change_priority(priority=priority, occurred_at=occurred_at, actor=actor)
        policy = self.select_sla_policy(priority=case.priority, channel=case.channel, customer_id=case.customer_id)
        case.retarget_sla(policy_id=policy.id if policy else None, policy_version=policy.version if policy else None,
                          occurred_at=occurred_at, actor=actor)
        return self._save(case)

    def resolve_case(self, case_id: UUID, *, resolution: str, expected_version: int | None = None,
                     occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "resolve", expected_version, resolution=resolution,
                         occurred_at=occurred_at, actor=actor)

    def reopen_case(self, case_id: UUID, *, reason: str, expected_version: int | None = None,
                    occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "reopen", expected_version, reason=reason, occurred_at=occurred_at, actor=actor)

    def close_case(self, case_id: UUID, *, expected_version: int | None = None,
                   occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "close", expected_version, occurred_at=occurred_at, actor=actor)

    def rate_case(self, case_id: UUID, *, score: int, comment: str = "", expected_version: int | None = None,
                  occurred_at: datetime, actor: str) -> Receipt:
        return self._act(case_id, "rate", expected_version, score=score, comment=comment, occurred_at=occurred_at,
                         actor=actor)

