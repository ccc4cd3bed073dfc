"""Same input, seed and deterministic budget give the same roster."""

from __future__ import annotations

from scheduler import solve
from scheduler.synthetic import generate_day


def test_same_seed_same_roster() -> None:
    sc = generate_day(40, 6, seed=3)
    first = solve(sc, seed=7, time_limit_s=30, solution_limit=150)
    second = solve(sc, seed=7, time_limit_s=30, solution_limit=150)
    assert first.routes == second.routes and first.unassigned == second.unassigned


def test_generator_is_seeded() -> None:
    assert generate_day(30, 4, seed=5) == generate_day(30, 4, seed=5)
    assert generate_day(30, 4, seed=5) != generate_day(30, 4, seed=6)
