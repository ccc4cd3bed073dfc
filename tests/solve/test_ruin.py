"""The ruin step and the acceptance rule of the ruin-and-recreate search."""

from __future__ import annotations

import random

import numpy as np

from scheduler.solve.ruin import (
    RuinParams,
    accept,
    neighbours_by_travel,
    string_removal,
    temperature,
)

# Ten nodes on a line, one unit apart: node i sits at i. Routes: 0-4 and 5-9.
LINE = np.abs(np.subtract.outer(np.arange(10), np.arange(10)))
ROUTES = [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_neighbours_start_with_the_node_itself_then_the_closest() -> None:
    nb = neighbours_by_travel(LINE)
    assert nb[0].tolist() == list(range(10))
    assert nb[5][0] == 5 and set(nb[5][1:3].tolist()) == {4, 6}


def test_removal_cuts_runs_of_consecutive_stops_and_keeps_the_rest_in_order() -> None:
    nb = neighbours_by_travel(LINE)
    for seed in range(50):
        partial, removed = string_removal(ROUTES, nb, random.Random(seed), {})
        assert removed, "every ruin takes something out"
        assert sorted(removed + [n for r in partial for n in r]) == list(range(10))
        for before, after in zip(ROUTES, partial, strict=True):
            cut = [n for n in before if n not in after]
            assert after == [n for n in before if n in after]  # order kept
            if cut:  # one run of consecutive stops per route
                first = before.index(cut[0])
                assert before[first : first + len(cut)] == cut


def test_removal_respects_the_longest_string() -> None:
    nb = neighbours_by_travel(LINE)
    for seed in range(50):
        partial, _ = string_removal(ROUTES, nb, random.Random(seed), {}, RuinParams(2, 4))
        assert all(len(after) >= 3 for after in partial)


def test_tied_nodes_leave_together() -> None:
    nb = neighbours_by_travel(LINE)
    tied = {0: (9,), 9: (0,)}
    for seed in range(50):
        _, removed = string_removal(ROUTES, nb, random.Random(seed), tied)
        assert (0 in removed) == (9 in removed)


def test_same_seed_same_ruin_and_nothing_to_ruin_in_an_empty_roster() -> None:
    nb = neighbours_by_travel(LINE)
    first = string_removal(ROUTES, nb, random.Random(3), {})
    assert first == string_removal(ROUTES, nb, random.Random(3), {})
    assert string_removal([[], []], nb, random.Random(3), {}) == ([[], []], [])


def test_acceptance_takes_better_always_and_worse_only_when_warm() -> None:
    rng = random.Random(0)
    assert accept(90, 100, 0.0, rng) and accept(100, 100, 0.0, rng)
    assert not any(accept(101, 100, 0.0, rng) for _ in range(100))
    warm = sum(accept(101, 100, 1e6, rng) for _ in range(100))
    cold = sum(accept(200, 100, 1.0, rng) for _ in range(100))
    assert warm > 95 and cold == 0


def test_temperature_cools_from_start_to_the_final_ratio() -> None:
    assert temperature(100.0, 0.0) == 100.0
    assert abs(temperature(100.0, 1.0) - 1.0) < 1e-9
    assert temperature(100.0, 0.5) < 100.0 and temperature(100.0, 2.0) == temperature(100.0, 1.0)


def test_kept_nodes_and_their_ties_stay() -> None:
    nb = neighbours_by_travel(LINE)
    tied = {2: (7,), 7: (2,)}
    for seed in range(50):
        partial, removed = string_removal(
            ROUTES, nb, random.Random(seed), tied, keep=frozenset({2})
        )
        assert 2 not in removed and 7 not in removed
        assert 2 in partial[0] and 7 in partial[1]


def test_neighbours_keep_only_the_nearest_when_asked() -> None:
    rng = np.random.default_rng(0)
    points = rng.uniform(size=(50, 2))
    travel = np.linalg.norm(points[:, None] - points[None, :], axis=2)
    full = neighbours_by_travel(travel, k=50)
    near = neighbours_by_travel(travel, k=7)
    assert near.shape == (50, 7)
    for row in range(50):  # the same nearest set, in the same order of distance
        assert np.allclose(travel[row, near[row]], travel[row, full[row, :7]])
        assert near[row, 0] == row
