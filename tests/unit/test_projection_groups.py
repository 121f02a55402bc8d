"""How a parallel rebuild splits projections into groups: the slowest group sets its time."""

from __future__ import annotations

from itertools import product

from projections.parallel import COSTS, RIDES_WITH, cost_of, plan_groups
from projections.registry import all_projections

NAMES = [p.name for p in all_projections()]


def slowest(groups: list[list[str]]) -> float:
    return max(sum(cost_of(n) for n in group) for group in groups)


def together(groups: list[list[str]]) -> bool:
    """Every rider in its partner's group."""
    where = {n: i for i, g in enumerate(groups) for n in g}
    return all(where[r] == where[p] for r, p in RIDES_WITH.items() if r in where and p in where)


def best_possible(names: list[str], workers: int) -> float:
    """The smallest slowest-group cost over every assignment that keeps riders with their partners
    (brute force)."""
    return min(slowest(groups) for choice in product(range(workers), repeat=len(names))
               if together(groups := [[n for n, g in zip(names, choice) if g == w] for w in range(workers)]))


def test_every_projection_lands_in_exactly_one_group_within_the_workers() -> None:
    for workers in (1, 2, 3, 8):
        groups = plan_groups([*NAMES, "newcomer"], workers)
        assert len(groups) <= workers
        assert all(groups)
        assert sorted(n for g in groups for n in g) == sorted([*NAMES, "newcomer"])


def test_two_workers_get_the_best_balance_of_the_registered_projections() -> None:
    assert slowest(plan_groups(NAMES, 2)) == best_possible(NAMES, 2)


def test_the_two_costliest_projections_are_rebuilt_side_by_side() -> None:
    costliest = sorted(COSTS, key=COSTS.__getitem__)[-2:]
    groups = plan_groups(NAMES, 2)
    assert not any(set(costliest) <= set(g) for g in groups)


def test_riders_are_rebuilt_with_their_partners_and_alone_when_the_partner_is_not_asked_for() -> None:
    for workers in (2, 3, 8):
        assert together(plan_groups(NAMES, workers))
    assert plan_groups(["cases", "customer360"], 2) == [["customer360"], ["cases"]]


def test_one_worker_or_one_projection_is_a_single_group() -> None:
    assert plan_groups(NAMES, 1) == [NAMES]
    assert plan_groups(["sla"], 4) == [["sla"]]
