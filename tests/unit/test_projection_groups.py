"""How a parallel rebuild splits projections into groups: the slowest group sets its time."""

from __future__ import annotations

from itertools import product

from projections.parallel import COSTS, cost_of, plan_groups
from projections.registry import all_projections

NAMES = [p.name for p in all_projections()]


def slowest(groups: list[list[str]]) -> float:
    return max(sum(cost_of(n) for n in group) for group in groups)


def best_possible(names: list[str], workers: int) -> float:
    """The smallest slowest-group cost over every assignment (brute force)."""
    return min(slowest([[n for n, g in zip(names, choice) if g == w] for w in range(workers)])
               for choice in product(range(workers), repeat=len(names)))


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


def test_one_worker_or_one_projection_is_a_single_group() -> None:
    assert plan_groups(NAMES, 1) == [NAMES]
    assert plan_groups(["sla"], 4) == [["sla"]]
