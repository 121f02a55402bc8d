"""Plans: what the demo will store, decided before anything is built.

The generator makes every random choice up front and writes it down as a ``Plan`` per
aggregate: the factory's arguments and the commands that follow. Building a plan calls
the domain's own factory and command methods, so every business rule applies to demo
data too. Keeping choice and building apart lets a re-run skip what is stored already
without allocating tracking codes for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Entity
from domain.cases.codes import CaseCode, case_code_id
from domain.cases.model import Case
from domain.customers.model import Customer
from domain.promises.model import Promise
from domain.touchpoints.model import Touchpoint
from domain.users.model import User

FACTORIES: dict[type[Entity], Callable[..., Entity]] = {
    Customer: Customer.register, User: User.register, Touchpoint: Touchpoint.record,
    Case: Case.open, Promise: Promise.make,
}


class Ids:
    """Deterministic ids: the n-th id of the demo for ``seed`` and ``touchpoints``."""

    def __init__(self, seed: int, touchpoints: int) -> None:
        self._base = f"/demo/{seed}/{touchpoints}/"
        self._count = 0

    @classmethod
    def first(cls, seed: int, touchpoints: int) -> UUID:
        return cls(seed, touchpoints).next()

    def next(self) -> UUID:
        self._count += 1
        return uuid5(NAMESPACE_URL, f"{self._base}{self._count}")


@dataclass
class Plan:
    """One aggregate to build: ``create`` for its factory, then ``steps`` (method, arguments)."""

    id: UUID
    cls: type[Entity]
    create: dict[str, Any]
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def then(self, method: str, **arguments: Any) -> None:
        self.steps.append((method, arguments))

    def build(self, next_code: Callable[[datetime], str]) -> list[Entity]:
        """The aggregate with all its events pending; a case also gets its code index,
        saved with it as ``open_case`` does."""
        create = dict(self.create)
        index: list[Entity] = []
        if self.cls is Case:
            code = next_code(create["occurred_at"])
            create["tracking_code"] = code
            index.append(CaseCode(id=case_code_id(code), code=code, case_id=self.id,
                                  occurred_at=create["occurred_at"], actor=create["actor"]))
        aggregate = FACTORIES[self.cls](**create)
        for method, arguments in self.steps:
            getattr(aggregate, method)(**arguments)
        return [aggregate, *index]
