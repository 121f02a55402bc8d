"""``touchline demo``: a deterministic, realistic service history on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from domain.application import Touchline
from domain.cases.model import Case
from domain.clock import FixedClock
from domain.customers.model import Customer, customer_id_for
from domain.knowledge.matching import ArticleCard, match_articles
from domain.knowledge.model import KnowledgeArticle
from domain.promises.model import Promise
from domain.touchpoints.model import CHANNELS, Touchpoint
from domain.users.model import User, user_id_for
from projections.queries.sla import list_at_risk, list_breaches
from projections.views.sla import sla_targets
from web import create_app
from web.commands.demo import demo_command
from web.demo import write_demo
from web.demo.articles import ARTICLES
from web.demo.policies import POLICIES
from web.services import Services, build_services

SEED = 7
TOUCHPOINTS = 300


def stored_events(app: Touchline) -> list[Any]:
    events: list[Any] = []
    start = 0
    while page := app.recorder.select_notifications(start, 5000, inclusive_of_start=False):
        events.extend(app.mapper.to_domain_event(n) for n in page)
        start = page[-1].id
    return events


def business_fields(events: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """What an event says, without the library's recorded time."""
    return [(type(e).__qualname__, {k: v for k, v in vars(e).items() if k != "timestamp"}) for e in events]


def of_type(events: list[Any], cls: type) -> list[Any]:
    return [e for e in events if isinstance(e, cls)]


@pytest.fixture
def history(stored_app: Touchline, clock: FixedClock) -> list[Any]:
    write_demo(stored_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS)
    return stored_events(stored_app)


def test_same_seed_and_clock_write_the_same_history_in_two_fresh_stores(
    stored_app: Touchline, memory_app: Touchline, clock: FixedClock
) -> None:
    write_demo(stored_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS)
    write_demo(memory_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS)
    assert business_fields(stored_events(stored_app)) == business_fields(stored_events(memory_app))


def test_a_different_seed_writes_a_different_history(memory_app: Touchline, clock: FixedClock) -> None:
    other = Touchline()
    write_demo(memory_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS)
    write_demo(other, now=clock.now(), seed=SEED + 1, touchpoints=TOUCHPOINTS)
    subjects = [{e.subject for e in of_type(stored_events(app), Touchpoint.Recorded)} for app in (memory_app, other)]
    assert subjects[0] != subjects[1]


def test_rerunning_the_same_demo_stores_nothing_new(stored_app: Touchline, clock: FixedClock) -> None:
    write_demo(stored_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS)
    position = stored_app.recorder.max_notification_id()
    clock.advance(days=3)  # a later run, e.g. the next morning, still finds its demo stored
    again = write_demo(stored_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS)
    assert (again.events, again.touchpoints) == (0, 0)
    assert stored_app.recorder.max_notification_id() == position


class Interrupted(Exception):
    pass


def test_an_interrupted_demo_resumes_as_planned_even_after_a_later_import(
    stored_app: Touchline, memory_app: Touchline, clock: FixedClock
) -> None:
    batches: list[int] = []

    def stop_after_two_batches(done: int) -> None:
        batches.append(done)
        if len(batches) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        write_demo(stored_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS, batch_size=100,
                   progress=stop_after_two_batches)
    late = stored_app.register_customer(id=customer_id_for("maven", "Initech"), name="Initech", kind="company",
                                        occurred_at=clock.now(), actor="import:maven")
    clock.advance(hours=5)
    write_demo(stored_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS, batch_size=100)
    resumed = [e for e in stored_events(stored_app) if e.originator_id != late.id]
    clock.advance(hours=-5)
    write_demo(memory_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS, batch_size=100)
    assert business_fields(resumed) == business_fields(stored_events(memory_app))


def test_the_demo_writes_the_requested_touchpoints_on_every_channel_both_ways(history: list[Any]) -> None:
    touchpoints = of_type(history, Touchpoint.Recorded)
    assert len(touchpoints) == TOUCHPOINTS
    assert {t.channel for t in touchpoints} == set(CHANNELS)
    assert {t.direction for t in touchpoints} == {"inbound", "outbound"}


def test_the_demo_publishes_help_articles_that_most_of_its_cases_are_pointed_to(history: list[Any]) -> None:
    published = {e.originator_id: e for e in of_type(history, KnowledgeArticle.Drafted)}
    assert len(published) == len(ARTICLES) == len(of_type(history, KnowledgeArticle.Published))
    cards = [ArticleCard(id=str(i), title=e.title, tags=tuple(e.tags), published_at=e.occurred_at)
             for i, e in published.items()]
    opened = of_type(history, Case.Opened)
    linked = [c for c in opened if match_articles(cards, c.subject)]
    assert len(linked) >= len(opened) // 2  # acknowledgements of these cases carry links
    assert {a.id for c in opened for a in match_articles(cards, c.subject)} == {c.id for c in cards}


def test_what_happened_is_spread_over_months_and_never_after_now(history: list[Any], clock: FixedClock) -> None:
    times = [e.occurred_at for e in history]
    assert max(times) <= clock.now()
    touched = [t.occurred_at for t in of_type(history, Touchpoint.Recorded)]
    assert min(touched) < clock.now() - timedelta(days=60)


def test_promises_are_kept_late_rescheduled_cancelled_overdue_and_due_later(
    history: list[Any], stored_app: Touchline, clock: FixedClock
) -> None:
    promises = [stored_app.get_promise(e.originator_id) for e in of_type(history, Promise.Made)]
    now = clock.now()
    assert any(p.is_overdue(now) for p in promises)
    assert any(p.status == "open" and p.due_at > now for p in promises)
    assert {e.on_time for e in of_type(history, Promise.Kept)} == {True, False}
    assert of_type(history, Promise.Rescheduled) and of_type(history, Promise.Cancelled)
    assert {p.promise_kind for p in promises} == {"promise", "callback"}


def test_cases_are_worked_through_every_step_and_end_in_several_statuses(
    history: list[Any], stored_app: Touchline
) -> None:
    cases = [stored_app.get_case(e.originator_id) for e in of_type(history, Case.Opened)]
    assert {"open", "resolved", "closed"} <= {c.status for c in cases}
    assert len({c.priority for c in cases}) >= 3
    assert {e.public for e in of_type(history, Case.AgentReplied)} == {True, False}
    for cls in (Case.Pended, Case.Resumed, Case.CustomerReplied, Case.Reopened, Case.SatisfactionRated):
        assert of_type(history, cls), cls.__qualname__


def test_transfers_carry_a_handover_note_to_another_agent(history: list[Any]) -> None:
    transfers = of_type(history, Case.Transferred)
    assert transfers
    assert all(t.note.startswith("Handover from") and t.from_assignee != t.to_assignee for t in transfers)


def test_each_demo_case_is_found_by_its_tracking_code(history: list[Any], stored_app: Touchline) -> None:
    for opened in of_type(history, Case.Opened):
        assert stored_app.find_case_id(opened.tracking_code) == opened.originator_id


def test_customers_contact_again_about_the_same_subject_within_days(history: list[Any]) -> None:
    inbound: dict[tuple[Any, str], list[Any]] = defaultdict(list)
    for t in of_type(history, Touchpoint.Recorded):
        if t.direction == "inbound":
            inbound[(t.customer_id, t.subject)].append(t.occurred_at)
    repeats = [times for times in inbound.values() if len(times) > 1 and max(times) - min(times) <= timedelta(days=5)]
    assert len(repeats) >= 5


def test_some_person_customers_consent_to_marketing(history: list[Any]) -> None:
    persons = {e.originator_id for e in of_type(history, Customer.Registered) if e.customer_kind == "person"}
    consenting = {e.originator_id for e in of_type(history, Customer.ConsentGiven) if e.purpose == "marketing"}
    assert consenting and consenting < persons


def test_the_history_is_written_on_the_imported_accounts_and_agents(
    stored_app: Touchline, clock: FixedClock
) -> None:
    imported_at = clock.now() - timedelta(days=400)
    accounts = {customer_id_for("maven", name) for name in ("Acme Corporation", "Betatech", "Cancity", "Isdom")}
    for name in ("Acme Corporation", "Betatech", "Cancity", "Isdom"):
        stored_app.register_customer(id=customer_id_for("maven", name), name=name, kind="company",
                                     occurred_at=imported_at, actor="import:maven")
    agents = {f"user:{user_id_for(f'{n}@maven.example')}" for n in ("anna.snelling", "moses.frase", "carl.lin")}
    for name in ("Anna Snelling", "Moses Frase", "Carl Lin"):
        stored_app.register_user(email=name.lower().replace(" ", ".") + "@maven.example", name=name,
                                 role="agent", team="Central", occurred_at=imported_at, actor="import:maven")

    write_demo(stored_app, now=clock.now(), seed=SEED, touchpoints=TOUCHPOINTS)
    events = stored_events(stored_app)
    persons = {e.originator_id for e in of_type(events, Customer.Registered) if e.actor == "system:demo"}
    assert all(e.customer_kind == "person" for e in of_type(events, Customer.Registered) if e.actor == "system:demo")
    assert not [e for e in of_type(events, User.Registered) if e.actor == "system:demo"]
    customers = {t.customer_id for t in of_type(events, Touchpoint.Recorded)}
    assert accounts <= customers <= accounts | persons
    assert {e.assignee for e in of_type(events, Case.Assigned)} <= agents


def test_each_demo_case_is_held_to_the_policy_that_covers_it_and_retargeted_on_priority_changes(
    history: list[Any], stored_app: Touchline
) -> None:
    opened = of_type(history, Case.Opened)
    for e in opened:
        policy = stored_app.select_sla_policy(priority=e.priority, channel=e.channel, customer_id=e.customer_id)
        assert policy is not None and (e.sla_policy_id, e.sla_policy_version) == (policy.id, policy.version)
    assert len({e.sla_policy_id for e in opened}) == len(POLICIES)
    changes = [(e.originator_id, e.priority, e.occurred_at) for e in of_type(history, Case.PriorityChanged)]
    retargets = of_type(history, Case.SlaRetargeted)
    assert changes and changes == [(e.originator_id, e.priority, e.occurred_at) for e in retargets]
    cases = {e.originator_id: e for e in opened}
    for e in retargets:
        case = cases[e.originator_id]
        policy = stored_app.select_sla_policy(priority=e.priority, channel=case.channel, customer_id=case.customer_id)
        assert policy is not None and (e.sla_policy_id, e.sla_policy_version) == (policy.id, policy.version)


@pytest.fixture
def services(database_url: str, clock: FixedClock) -> Iterator[Services]:
    found = build_services({"DATABASE_URL": database_url}, clock=clock)
    yield found
    found.close()


def test_the_demo_shows_targets_met_breached_and_at_risk_at_its_clock(services: Services) -> None:
    now = services.clock.now()
    write_demo(services.app, now=now, seed=SEED, touchpoints=TOUCHPOINTS)
    services.projection_runner().catch_up()
    with services.views.connect() as conn:
        achieved = conn.execute(sa.select(sa.func.count()).where(sla_targets.c.status == "achieved")).scalar()
        breaches = list_breaches(conn, now, limit=TOUCHPOINTS * 3)
        at_risk = list_at_risk(conn, now, share=0.5)
    assert achieved and achieved > len(breaches)  # most targets are met
    assert breaches and at_risk


@pytest.fixture
def cli_app(database_url: str, clock: FixedClock):  # type: ignore[no-untyped-def]
    app = create_app({"DATABASE_URL": database_url, "CLOCK": clock})
    yield app
    app.extensions["touchline"].close()


def test_the_cli_writes_the_demo_and_prints_a_summary(cli_app: Any) -> None:
    result = cli_app.test_cli_runner().invoke(demo_command, ["--seed", "3", "--touchpoints", "150"])
    assert result.exit_code == 0, result.output
    assert "150 touchpoints" in result.stdout and "events stored in" in result.stdout
    stored = stored_events(cli_app.extensions["touchline"].app)
    assert len(of_type(stored, Touchpoint.Recorded)) == 150


@pytest.mark.parametrize(("arguments", "option"), [
    (["--touchpoints", "0"], "--touchpoints"),
    (["--touchpoints", "-5"], "--touchpoints"),
    (["--seed", "abc"], "--seed"),
])
def test_the_cli_refuses_bad_input_and_writes_nothing(cli_app: Any, arguments: list[str], option: str) -> None:
    result = cli_app.test_cli_runner().invoke(demo_command, arguments)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output
    assert not cli_app.extensions["touchline"].app.recorder.max_notification_id()
