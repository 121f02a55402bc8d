"""The contact-rate counts answer "repeats within N days" exactly for every N the API allows:
a repeat counts in the nodes summed for N once if its gap is at most N days, else not at all."""

from __future__ import annotations

from projections.views.touchpoints import (
    DAY_SECONDS,
    MAX_GAP_DAYS,
    gap_nodes,
    within_nodes,
)


def test_every_gap_counts_once_in_every_window_it_falls_in_and_never_in_another() -> None:
    gaps = sorted({0, 1, *(d * DAY_SECONDS + s for d in range(MAX_GAP_DAYS + 3) for s in (-1, 0, 1) if d)})
    for within_days in range(1, MAX_GAP_DAYS):
        summed = set(within_nodes(within_days))
        for gap in gaps:
            counted = len(summed.intersection(gap_nodes(gap)))
            assert counted == (gap <= within_days * DAY_SECONDS), (gap, within_days)


def test_a_window_sums_few_nodes_and_a_gap_counts_in_few() -> None:
    assert max(len(within_nodes(n)) for n in range(1, MAX_GAP_DAYS)) <= 9
    assert max(len(gap_nodes(d * DAY_SECONDS)) for d in range(MAX_GAP_DAYS + 2)) <= 10
