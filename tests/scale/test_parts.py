"""Cutting a day into parts: tie groups, sparse candidates, neighbouring parts, held ties."""

from __future__ import annotations

import random

from scheduler import Dependency, check_roster
from scheduler.api import travel_model_for
from scheduler.scale.part_solve import solve_part
from scheduler.scale.parts import (
    DayState,
    Plane,
    build_part,
    cut_parts,
    held_in_place,
    partition,
    restored,
    route_positions,
    sparse_candidates,
    tie_groups,
)
from scheduler.solve.params import SolveParams
from tests.builders import caregiver, client, place, scenario, solve_checked, visit

# Two caregivers in the west, two in the east (10 km apart); a double-handed visit in the
# middle, an insulin-then-breakfast pair in the west, a west and an east single visit.
WEST, EAST = place(0, 0), place(10, 0)
SPLIT_DAY = scenario(
    [
        caregiver("W1", home=WEST),
        caregiver("W2", home=place(0.5, 0)),
        caregiver("E1", home=EAST, skills=("personal_care", "wound_care")),
        caregiver("E2", home=place(9.5, 0)),
    ],
    [
        client("MID", where=place(5, 0)),
        client("WC", where=place(1, 0)),
        client("EC", where=place(9, 0)),
    ],
    [
        visit("DOUBLE", "MID", window=("09:00", "09:00"), caregivers_required=2),
        visit("INSULIN", "WC", window=("08:00", "08:30"), duration_min=15),
        visit(
            "BREAKFAST",
            "WC",
            window=("08:00", "11:00"),
            dependency=Dependency(after="INSULIN", min_lag_min=30, max_lag_min=90),
        ),
        visit("WOUND", "EC", window=("10:00", "12:00"), skills=("wound_care",)),
        visit("EAST", "EC", window=("13:00", "14:00")),
    ],
)
PLANE = Plane([c.home for c in SPLIT_DAY.caregivers] + [c.location for c in SPLIT_DAY.clients])


def test_dependencies_tie_visits_into_one_group() -> None:
    groups = tie_groups(SPLIT_DAY)
    assert groups["INSULIN"] == groups["BREAKFAST"] == frozenset({"INSULIN", "BREAKFAST"})
    assert "DOUBLE" not in groups and "EAST" not in groups


def test_sparse_candidates_are_eligible_and_nearest_first() -> None:
    candidates = sparse_candidates(SPLIT_DAY, PLANE, k=2)
    assert candidates["WOUND"] == ("E1",)  # the only one with the skill
    assert candidates["INSULIN"] == ("W2", "W1")  # WC is 0.5 km from W2, 1 km from W1
    assert set(candidates["EAST"]) == {"E1", "E2"}


def test_a_visit_outside_every_shift_has_no_candidates() -> None:
    late = SPLIT_DAY.model_copy(
        update={"visits": (visit("NIGHT", "EC", window=("22:00", "23:00")),)}
    )
    assert sparse_candidates(late, PLANE)["NIGHT"] == ()


def test_partition_keeps_neighbours_together_and_every_caregiver_once() -> None:
    positions = route_positions(SPLIT_DAY, {}, PLANE)
    for seed in range(5):
        parts = partition(positions, 2, random.Random(seed))
        assert sorted(c for p in parts for c in p) == ["E1", "E2", "W1", "W2"]
        assert sorted(map(sorted, parts)) == [["E1", "E2"], ["W1", "W2"]]


def test_a_tie_served_across_two_parts_is_held_in_both_and_kept_there() -> None:
    roster = solve_checked(SPLIT_DAY)
    served_by = {s.visit_id: r.caregiver_id for r in roster.routes for s in r.stops}
    double = sorted(
        r.caregiver_id for r in roster.routes for s in r.stops if s.visit_id == "DOUBLE"
    )
    routes: dict[str, list] = {}
    for r in roster.routes:
        routes.setdefault(r.caregiver_id, []).append(r)
    state = DayState(routes)
    # Put the two caregivers of the double-handed visit in different parts.
    rest = sorted({"W1", "W2", "E1", "E2"} - set(double))
    parts = [(double[0], rest[0]), (double[1], rest[1])]
    positions = route_positions(SPLIT_DAY, routes, PLANE)
    candidates = sparse_candidates(SPLIT_DAY, PLANE)
    free, _offered, held = cut_parts(
        SPLIT_DAY, state, parts, candidates, positions, PLANE, tie_groups(SPLIT_DAY)
    )
    for i in range(2):
        assert "DOUBLE" not in free[i]
        assert [(h.visit_id, h.caregiver_id) for h in held[i]] == [("DOUBLE", double[i])]
    assert "INSULIN" in served_by  # served, so its group is whole in one part
    travel = travel_model_for(SPLIT_DAY)
    params = SolveParams(time_limit_s=2, seed=1, solution_limit=50)
    for i, members in enumerate(parts):
        part = build_part(SPLIT_DAY, state, members, free[i], held[i], travel, params)
        (held_visit,) = [v for v in part.task.scenario.visits if v.id in part.held]
        assert held_visit.pinned_caregiver == double[i]
        assert held_visit.windows[0].start == held_visit.windows[0].end
        result = solve_part(part.task)
        assert result.initial_cost is not None and result.cost <= result.initial_cost
        assert held_in_place(result.routes, part.held)
        state.routes.update({c: [] for c in members})
        for route in restored(result.routes, part.held):
            state.routes[route.caregiver_id].append(route)
    rebuilt = roster.model_copy(
        update={"routes": tuple(r for rs in state.routes.values() for r in rs if r.stops)}
    )
    assert check_roster(SPLIT_DAY, rebuilt) == []


def test_a_visit_nobody_serves_is_offered_to_one_part_near_its_candidates() -> None:
    state = DayState({})
    parts = [("W1", "W2"), ("E1", "E2")]
    positions = route_positions(SPLIT_DAY, {}, PLANE)
    free, offered, held = cut_parts(
        SPLIT_DAY,
        state,
        parts,
        sparse_candidates(SPLIT_DAY, PLANE),
        positions,
        PLANE,
        tie_groups(SPLIT_DAY),
    )
    assert held == [[], []]
    assert {"BREAKFAST", "INSULIN"} <= set(offered[0])  # together, in the west
    assert {"WOUND", "EAST"} <= set(offered[1])
    assert sum(o.count("DOUBLE") for o in offered) == 1  # once, in either part
    assert free == offered
