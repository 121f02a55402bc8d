"""SLA escalations: a target at risk, and a target breached, each reach the assignee and their
manager once, with one event on the case; the scheduler agrees with the SLA read model."""

from __future__ import annotations

from uuid import UUID

from domain.cases.model import Case
from projections.queries.sla import list_breaches
from tests.scheduler.conftest import World, define_policy


def _escalations(world: World, case_id: UUID) -> list[tuple[str, str, int, int]]:
    return [(e.level, e.target, e.cycle, len(e.message_ids)) for e in world.app.events.get(case_id)
            if isinstance(e, Case.SlaEscalated)]


def _staff_mail(world: World) -> list[tuple[str, str]]:
    return [(m["To"], m["Subject"].split("] ", 1)[1]) for m in world.sink.messages if m["To"].endswith("@shop.example")]


def _assigned_case(world: World) -> UUID:
    case_id = world.case()
    world.app.assign_case(case_id, assignee=world.agent_ref, occurred_at=world.clock.now(), actor=world.agent_ref)
    return case_id


def test_a_breached_target_is_escalated_once_to_the_assignee_and_their_manager(world: World) -> None:
    define_policy(world, first_response=60)
    case_id = _assigned_case(world)
    world.clock.advance(minutes=30)
    world.tick()
    assert _staff_mail(world) == []  # half the time used: neither at risk nor breached
    world.clock.advance(minutes=31)
    for _ in range(3):
        world.tick()
        world.clock.advance(minutes=10)
    assert sorted(_staff_mail(world)) == [("ann@shop.example", "Breached: first response was due 2026-03-02 10:00 UTC"),
                                          ("mia@shop.example", "Breached: first response was due 2026-03-02 10:00 UTC")]
    assert _escalations(world, case_id) == [("breached", "first_response", 0, 2)]


def test_each_person_escalated_to_reads_the_due_time_in_their_own_zone(world: World) -> None:
    """One breach, two readers: the assignee in New York, the manager with no zone of their own
    (the installation's, UTC here)."""
    world.app.change_user_preferences(world.agent, timezone="America/New_York", occurred_at=world.clock.now(),
                                      actor=world.agent_ref)
    define_policy(world, first_response=60)
    _assigned_case(world)
    world.clock.advance(minutes=61)
    world.tick()
    world.tick()
    assert sorted(_staff_mail(world)) == [("ann@shop.example", "Breached: first response was due 2026-03-02 05:00 EST"),
                                          ("mia@shop.example", "Breached: first response was due 2026-03-02 10:00 UTC")]


def test_a_target_at_risk_is_escalated_before_it_breaches_and_again_when_it_does(world: World) -> None:
    define_policy(world, first_response=60)  # at risk from 80% used: 48 minutes
    case_id = _assigned_case(world)
    world.clock.advance(minutes=47)
    world.tick()
    assert _staff_mail(world) == []
    world.clock.advance(minutes=2)
    world.tick()
    world.tick()
    assert sorted(_staff_mail(world)) == [("ann@shop.example", "At risk: first response due 2026-03-02 10:00 UTC"),
                                          ("mia@shop.example", "At risk: first response due 2026-03-02 10:00 UTC")]
    world.clock.advance(minutes=12)
    world.tick()
    world.tick()
    assert _escalations(world, case_id) == [("at_risk", "first_response", 0, 2), ("breached", "first_response", 0, 2)]
    assert len(_staff_mail(world)) == 4


def test_an_unassigned_breach_is_recorded_on_the_case_with_nobody_to_tell(world: World) -> None:
    define_policy(world, first_response=60)
    case_id = world.case()
    world.clock.advance(minutes=61)
    world.tick()
    world.tick()
    assert _escalations(world, case_id) == [("breached", "first_response", 0, 0)]
    assert _staff_mail(world) == []


def test_the_escalated_breaches_are_the_breaches_the_sla_read_model_reports(world: World) -> None:
    define_policy(world, first_response=60)
    answered, late, unanswered = (_assigned_case(world) for _ in range(3))
    world.clock.advance(minutes=30)
    world.app.reply_to_case(answered, body="On it", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.clock.advance(minutes=40)
    world.app.reply_to_case(late, body="Sorry for the wait", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    escalated = {(str(case), target) for case in (answered, late, unanswered)
                 for level, target, _, _ in _escalations(world, case) if level == "breached"}
    with world.services.views.connect() as conn:
        reported = {(b["case_id"], b["target"]) for b in list_breaches(conn, world.clock.now())}
    assert escalated == reported == {(str(late), "first_response"), (str(unanswered), "first_response")}
