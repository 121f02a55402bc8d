"""SLA policy selection and clocks on real storage (SQLite and PostgreSQL): what a case records
survives a reload, and another process's policy change reaches the next case it opens."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from domain.application import Touchline
from domain.errors import AlreadyExistsError, ConflictError

ADMIN, AGENT = "user:admin", "user:agent-1"
MONDAY = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)  # 09:00 in Berlin
OFFICE = {"timezone": "Europe/Berlin", "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
          "holidays": ["2026-12-25"]}
REVISIONS = 3


def targets(first_response: int) -> dict[str, Any]:
    return {p: {"first_response": {"minutes": first_response}, "resolution": {"minutes": 480}}
            for p in ("low", "normal", "high")} | {"urgent": {"first_response": {"minutes": 15}}}


def define(app: Touchline, name: str, position: int, minutes: int, **conditions: list[str]) -> UUID:
    return app.define_sla_policy(name=name, position=position, conditions=conditions or None,
                                 targets=targets(minutes), calendar=OFFICE, occurred_at=MONDAY, actor=ADMIN).id


def open_case(app: Touchline, customer_id: UUID, at: datetime = MONDAY) -> UUID:
    return app.open_case(customer_id=customer_id, subject="Printer jams", channel="email", occurred_at=at,
                         actor=AGENT).id


def test_a_policy_change_in_annew_instance_reaches_the_next_case_opened_here(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    policy_id = define(stored_app, "Standard", 2, 60)
    ada = stored_app.register_customer(name="Ada", occurred_at=MONDAY, actor=AGENT).id
    first = open_case(stored_app, ada)  # caches the policies in force
    admin = new_instance()
    admin.revise_sla_policy(policy_id, name="Standard", position=2, conditions=None, targets=targets(120),
                            calendar=OFFICE, occurred_at=MONDAY, actor=ADMIN)
    second = open_case(stored_app, ada)
    email = define(admin, "Email", 1, 30, channel=["email"])
    third = open_case(stored_app, ada)
    recorded = [(c.sla_policy_id, c.sla_policy_version) for c in map(stored_app.get_case, (first, second, third))]
    assert recorded == [(policy_id, 1), (policy_id, 2), (email, 1)]


def test_a_case_keeps_the_targets_of_the_version_it_opened_under_after_a_reload(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    policy_id = define(stored_app, "Standard", 1, 60)
    ada = stored_app.register_customer(name="Ada", occurred_at=MONDAY, actor=AGENT).id
    case_id = open_case(stored_app, ada)
    stored_app.revise_sla_policy(policy_id, name="Standard", position=1, conditions=None, targets=targets(240),
                                 calendar=OFFICE, occurred_at=MONDAY, actor=ADMIN)
    fresh = new_instance()  # nothing cached: everything comes from the store
    first_response = fresh.get_case_sla(case_id, at=MONDAY + timedelta(hours=2))[0]
    assert (first_response.policy_version, first_response.minutes) == (1, 60)
    assert (first_response.status, first_response.due_at) == ("breached", MONDAY + timedelta(hours=1))
    assert fresh.get_sla_policy(policy_id, version=1).targets["normal"]["first_response"]["minutes"] == 60


def test_a_priority_change_is_stored_with_its_retarget_and_drives_the_clocks(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    define(stored_app, "Standard", 1, 60)
    ada = stored_app.register_customer(name="Ada", occurred_at=MONDAY, actor=AGENT).id
    case_id = open_case(stored_app, ada)
    stored_app.change_case_priority(case_id, priority="urgent", occurred_at=MONDAY + timedelta(minutes=20),
                                    actor=AGENT)
    clocks = new_instance().get_case_sla(case_id, at=MONDAY + timedelta(minutes=30))
    # Urgent: 15 minutes from the opening, already past when the priority changed; no resolution target.
    assert [(c.target, c.status, c.due_at, c.breached_at, c.priority) for c in clocks] == [
        ("first_response", "breached", MONDAY + timedelta(minutes=15), MONDAY + timedelta(minutes=20), "urgent")]


def test_policy_changes_from_concurrent_admins_all_reach_the_index(
    stored_app: Touchline, new_instance: Callable[[], Touchline]
) -> None:
    admins = [new_instance() for _ in range(4)]
    defined: dict[int, UUID] = {}

    def work(n: int, admin: Touchline) -> None:
        policy_id = uuid5(NAMESPACE_URL, f"/test/policy/{n}")
        for attempt in range(REVISIONS + 1):
            while True:
                try:
                    if attempt == 0:
                        admin.define_sla_policy(id=policy_id, name=f"P{n}", position=n, conditions=None,
                                                targets=targets(60), calendar=OFFICE, occurred_at=MONDAY, actor=ADMIN)
                    else:
                        admin.revise_sla_policy(policy_id, name=f"P{n}", position=n, conditions=None,
                                                targets=targets(60 + attempt), calendar=OFFICE, occurred_at=MONDAY,
                                                actor=ADMIN)
                    break
                except ConflictError:
                    continue  # another admin saved first: reload and retry
        defined[n] = policy_id

    threads = [threading.Thread(target=work, args=(n, admin)) for n, admin in enumerate(admins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    in_force = [(p.id, p.version) for p in stored_app.sla_policies_in_force()]
    assert in_force == [(defined[n], REVISIONS + 1) for n in range(len(admins))]


def test_defining_a_policy_with_a_taken_id_is_refused(stored_app: Touchline) -> None:
    policy_id = define(stored_app, "Standard", 1, 60)
    with pytest.raises(AlreadyExistsError):
        stored_app.define_sla_policy(id=policy_id, name="Copy", position=2, conditions=None, targets=targets(60),
                                     calendar=OFFICE, occurred_at=MONDAY, actor=ADMIN)
    assert [p.name for p in stored_app.sla_policies_in_force()] == ["Standard"]
