"""Case tracking codes (``CASE-004044``) allocated without a global lock on the hot path.

Hi/lo allocation: a process claims a block of ``BLOCK_SIZE`` consecutive numbers by
creating a ``CodeBlock`` aggregate whose id derives from the block number, so two
processes claiming the same block collide on the event store's uniqueness and the
loser claims the next one. Numbers inside a claimed block are handed out in memory.
Each case is saved together with a ``CaseCode`` index aggregate (id derived from the
code) in one transaction: a code can never name two cases, and lookups by code are a
single read. A restarted process leaves the rest of its block unused: codes are
unique and increasing per process, not gapless (a gap is harmless; a reused code is not).
"""

from __future__ import annotations

import re
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import Entity
from domain.errors import InvalidValueError

BLOCK_SIZE = 100
CODE_PREFIX = "CASE-"
CODE_DIGITS = r"\d{6,18}"  # 18 digits: far past any case count, within 64 bits
_CODE = re.compile(rf"^CASE-({CODE_DIGITS})$")


def format_code(number: int) -> str:
    return f"{CODE_PREFIX}{number:06d}"


def parse_code(code: str) -> int:
    """The number in a tracking code; accepts lower case and surrounding blanks."""
    match = _CODE.match(code.strip().upper())
    if not match:
        raise InvalidValueError("tracking_code", f"{code!r} is not a tracking code like CASE-004044")
    return int(match.group(1))


def block_id(number: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"/case-code-blocks/{number}")


def case_code_id(code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/case-codes/{format_code(parse_code(code))}")


class CodeBlock(Entity):
    """Block ``number`` of tracking-code numbers, claimed by one process."""

    kind = "Code block"

    @event("Claimed")
    def __init__(self, *, id: UUID, number: int, claimed_by: str, occurred_at: datetime, actor: str) -> None:
        self.number = number
        self.claimed_by = claimed_by
        self.last_occurred_at = occurred_at

    @property
    def first(self) -> int:
        return self.number * BLOCK_SIZE + 1

    @property
    def last(self) -> int:
        return (self.number + 1) * BLOCK_SIZE


class CaseCode(Entity):
    """Index from a tracking code to its case."""

    kind = "Case code"

    @event("Assigned")
    def __init__(self, *, id: UUID, code: str, case_id: UUID, occurred_at: datetime, actor: str) -> None:
        self.code = code
        self.case_id = case_id
        self.last_occurred_at = occurred_at
