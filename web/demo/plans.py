"""Plans: what the demo will store, decided before anything is built.

The generator makes every random choice up front and writes it down as a ``Plan`` per
aggregate: the factory's arguments and the commands that follow. Building a plan calls
the domain's own factory and command methods, so every business rule applies to demo
data too. Keeping choice and building apart lets a re-run skip what is stored already
without allocating tracking codes for it. A case is held to the SLA policy the Application
selects when it is built, as ``open_case`` and ``change_case_priority`` do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.application import Touchline
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

    def build(self, app: Touchline) -> list[Entity]:
        """The aggregate with all its events pending; a case also gets its code index,
        saved with it as ``open_case`` does."""
        create = dict(self.create)
        index: list[Entity] = []
        if self.cls is Case:
            code = app.next_tracking_code(create["occurred_at"])
            create["tracking_code"] = code
            index.append(CaseCode(id=case_code_id(code), code=code, case_id=self.id,
                                  occurred_at=create["occurred_at"], actor=create["actor"]))
            policy = _policy(app, create["priority"], create["channel"], create["customer_id"])
            create["sla_policy_id"], create["sla_policy_version"] = policy
        aggregate = FACTORIES[self.cls](**create)
        for method, arguments in self.steps:
            getattr(aggregate, method)(**arguments)
            if isinstance(aggregate, Case) and method == "change_priority":
                policy_id, version = _policy(app, aggregate.priority, aggregate.channel, aggregate.customer_id)
                aggregate.retarget_sla(policy_id=policy_id, policy_version=version,
                                       occurred_at=arguments["occurred_at"], actor=arguments["actor"])
        return [aggregate, *index]


def _policy(app: Touchline, priority: str, channel: str, customer_id: UUID) -> tuple[UUID | None, int | None]:
    """The (id, version) of the policy that covers such a case now, as ``open_case`` records it."""
    policy = app.select_sla_policy(priority=priority, channel=channel, customer_id=customer_id)
    return (policy.id, policy.version) if policy else (None, None)
