"""Write a demo history into the event store: stories planned in memory, built through
the domain's model classes, saved many aggregates per transaction.

Ids derive from the seed and size. A re-run finds the demo's first customer, takes the
history's end and the population from the first run (not from today's clock or later
imports), so it plans the very same history; it skips the batches already stored (a
batch is one transaction: its first and last plans being stored means all of it is).
So a re-run stores nothing new, and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.application import Touchline
from domain.base import Entity
from domain.cases.model import Case
from domain.customers.model import Customer
from domain.promises.model import Promise
from domain.touchpoints.model import Touchpoint
from web.demo.plans import Ids, Plan
from web.demo.articles import publish_articles
from web.demo.policies import define_policies
from web.demo.population import read_population
from web.demo.stories import person_count, stories
from web.demo.timeline import history_end, span_days

BATCH_SIZE = 500  # plans per transaction (a case with all its events is one plan)


@dataclass
class DemoSummary:
    customers: int = 0  # customers the history is about
    registered: int = 0  # customers the demo registered now
    touchpoints: int = 0
    cases: int = 0
    promises: int = 0
    events: int = 0  # events stored by this run

    def count(self, aggregates: Iterable[Entity]) -> None:
        for aggregate in aggregates:
            if isinstance(aggregate, Touchpoint):
                self.touchpoints += 1
            elif isinstance(aggregate, Case):
                self.cases += 1
            elif isinstance(aggregate, Promise):
                self.promises += 1
            elif isinstance(aggregate, Customer):
                self.registered += 1


def _stored(app: Touchline, plan: Plan) -> bool:
    return bool(app.recorder.select_events(plan.id, limit=1))


def _unstored(app: Touchline, batch: list[Plan]) -> list[Plan]:
    first, last = _stored(app, batch[0]), _stored(app, batch[-1])
    if first and last:
        return []
    if first or last:  # resuming, or records shared with another seed: look at each
        return [plan for plan in batch if not _stored(app, plan)]
    return batch


def _batches(plans_by_story: Iterable[list[Plan]], size: int) -> Iterable[list[Plan]]:
    """Whole stories, about ``size`` plans at a time, so a story is never split."""
    batch: list[Plan] = []
    for story in plans_by_story:
        batch.extend(story)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_demo(app: Touchline, *, now: datetime, seed: int, touchpoints: int, batch_size: int = BATCH_SIZE,
               progress: Callable[[int], None] = lambda done: None) -> DemoSummary:
    """Store the demo history for ``seed`` with ``touchpoints`` contacts, ending at ``now``
    (or where an earlier run of the same demo ended); ``progress`` is told how many
    touchpoints each batch covered."""
    if touchpoints < 1:
        raise ValueError("touchpoints must be at least 1")
    population = read_population(app, demo_id=Ids.first(seed, touchpoints))
    span = timedelta(days=span_days(touchpoints))
    # Written before (perhaps interrupted): replay it as it was, whatever the clock says now.
    end = population.started + span if population.started else history_end(now)
    population.add_fallbacks(registered_at=end - span - timedelta(days=1000))
    summary = DemoSummary()
    define_policies(app, at=end - span - timedelta(days=1))  # in force before the history's first case
    publish_articles(app, at=end - span - timedelta(days=1))
    plans = stories(seed=seed, touchpoints=touchpoints, end=end, population=population)
    for batch in _batches(plans, batch_size):
        aggregates = [aggregate for plan in _unstored(app, batch) for aggregate in plan.build(app)]
        if aggregates:
            summary.events += len(app.save(*aggregates))
            summary.count(aggregates)
        progress(sum(plan.cls is Touchpoint for plan in batch))
    summary.customers = len(population.companies) + person_count(touchpoints)
    return summary
