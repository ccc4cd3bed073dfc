"""The decomposed solve: valid rosters, ties held across parts, the same roster on any number
of workers under a deterministic budget, and a day never lost when parts are."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from scheduler import Scenario, SolveParams, check_roster, solve
from scheduler.api import travel_model_for
from scheduler.scale import decompose
from scheduler.scale.workers import InlineWorkers, ProcessWorkers
from scheduler.solution.roster import Roster
from scheduler.synthetic import generate_day
from tests.builders import assignment, caregiver, client, place, scenario, visit

# A small synthetic day with double-handed visits, cut into parts of three caregivers.
DAY = generate_day(60, 9, seed=4)
DETERMINISTIC = SolveParams(
    time_limit_s=120, seed=3, solution_limit=40, rounds=2, decompose_above_stops=0, part_routes=3
)


def _stops(roster: Roster) -> list[tuple[str, str, str]]:
    return [
        (r.caregiver_id, s.visit_id, s.start.isoformat()) for r in roster.routes for s in r.stops
    ]


def test_decomposition_applies_above_the_threshold_only() -> None:
    stops = sum(v.caregivers_required for v in DAY.visits)
    assert decompose.applies(DAY, SolveParams(decompose_above_stops=stops - 1))
    assert not decompose.applies(DAY, SolveParams(decompose_above_stops=stops))
    assert not decompose.applies(DAY, SolveParams(decompose_above_stops=None))


def test_a_decomposed_day_is_valid_and_serves_about_as_much_as_one_model() -> None:
    travel = travel_model_for(DAY)
    params = SolveParams(time_limit_s=8, seed=1, decompose_above_stops=0, part_routes=3)
    roster = decompose.solve_decomposed(DAY, travel, params, workers=InlineWorkers())
    assert check_roster(DAY, roster) == []
    assert roster.solve_info is not None and roster.solve_info.first_solution == "DECOMPOSED"
    whole = solve(DAY, time_limit_s=8, seed=1)
    assert roster.kpis is not None and whole.kpis is not None
    # Parts of 3 routes pair a double-handed visit only within a part; one model over the
    # day finds more pairs of places (here 47 visits against 42, 53 stops against 47).
    assert roster.kpis.visits_assigned >= 0.85 * whole.kpis.visits_assigned
    # Every visit is served or explained.
    served = {s.visit_id for r in roster.routes for s in r.stops}
    assert served | {u.visit_id for u in roster.unassigned} == {v.id for v in DAY.visits}


def test_the_same_seed_gives_the_same_roster_on_one_or_two_workers() -> None:
    travel = travel_model_for(DAY)
    inline = decompose.solve_decomposed(DAY, travel, DETERMINISTIC, workers=InlineWorkers())
    pool = ProcessWorkers(2)
    try:
        local = decompose.solve_decomposed(DAY, travel, DETERMINISTIC, workers=pool)
    finally:
        pool.close()
    assert check_roster(DAY, inline) == []
    assert _stops(inline) == _stops(local)
    assert inline.solve_info is not None and local.solve_info is not None
    assert inline.solve_info.cost == local.solve_info.cost


def test_the_same_seed_gives_the_same_roster_on_a_dask_local_cluster() -> None:
    distributed = pytest.importorskip("distributed")
    travel = travel_model_for(DAY)
    inline = decompose.solve_decomposed(DAY, travel, DETERMINISTIC, workers=InlineWorkers())
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        params = SolveParams(**{**DETERMINISTIC.__dict__, "cluster": client})
        on_cluster = solve(DAY, params=params)
    assert check_roster(DAY, on_cluster) == []
    assert _stops(on_cluster) == _stops(inline)


class _Losing:
    """Workers that lose the parts ``lost`` says (by pass and index) and run the rest here."""

    count = 2

    def __init__(self, lost: Callable[[int, int], bool]) -> None:
        self.lost, self.passes = lost, 0

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any], on_done: Any = None) -> list[Any]:
        self.passes += 1
        return [None if self.lost(self.passes, i) else fn(t) for i, t in enumerate(tasks)]


def test_a_day_whose_parts_are_all_lost_is_returned_empty_and_explained() -> None:
    travel = travel_model_for(DAY)
    roster = decompose.solve_decomposed(
        DAY, travel, DETERMINISTIC, workers=_Losing(lambda _p, _i: True)
    )
    assert roster.routes == ()
    assert len(roster.unassigned) == len(DAY.visits)
    assert check_roster(DAY, roster) == []


def test_a_lost_part_keeps_its_routes_and_the_rest_improves() -> None:
    travel = travel_model_for(DAY)
    first_pass = SolveParams(**{**DETERMINISTIC.__dict__, "rounds": 1})
    built = decompose.solve_decomposed(DAY, travel, first_pass, workers=InlineWorkers())
    # The second pass loses its first part: the day is still valid and no worse than pass 1.
    roster = decompose.solve_decomposed(
        DAY, travel, DETERMINISTIC, workers=_Losing(lambda p, i: p == 2 and i == 0)
    )
    assert check_roster(DAY, roster) == []
    assert roster.solve_info is not None and built.solve_info is not None
    assert roster.solve_info.cost <= built.solve_info.cost


def test_passes_from_a_given_roster_keep_every_stop_or_lower_the_cost() -> None:
    travel = travel_model_for(DAY)
    start = solve(DAY, params=SolveParams(time_limit_s=30, seed=1, solution_limit=5))
    assert start.solve_info is not None
    # Lost parts: nothing improves, so the roster given is the roster returned.
    kept = decompose.solve_decomposed(
        DAY, travel, DETERMINISTIC, workers=_Losing(lambda _p, _i: True), initial=start
    )
    assert _stops(kept) == _stops(start)
    improved = decompose.solve_decomposed(
        DAY, travel, DETERMINISTIC, workers=InlineWorkers(), initial=start
    )
    assert check_roster(DAY, improved) == []
    assert improved.solve_info is not None
    assert improved.solve_info.cost < start.solve_info.cost
    assert improved.kpis is not None and start.kpis is not None
    assert improved.kpis.visits_assigned >= start.kpis.visits_assigned


def _two_visits_an_hour_apart(different: bool) -> Scenario:
    """Two clients, each with two visits an hour apart; each client has one caregiver next door
    who could do both, and one 2 km away."""
    dep = {"after": "", "min_lag_min": 60, "different_caregiver": different}
    clients, visits = [], []
    for name, east_km in (("W", -5.0), ("E", 5.0)):
        clients.append(client(name, where=place(east_km, 0)))
        visits += [
            visit(f"{name}1", name, window=("09:00", "09:00")),
            visit(
                f"{name}2", name, window=("09:00", "12:00"), dependency={**dep, "after": f"{name}1"}
            ),
        ]
    caregivers = [
        caregiver(f"{name}{where}", home=place(east_km + offset_km, 0))
        for name, east_km in (("W", -5.0), ("E", 5.0))
        for where, offset_km in (("_NEAR", 0.1), ("_FAR", 2.0))
    ]
    return scenario(caregivers, clients, visits)


@pytest.mark.parametrize("different", [False, True])
def test_different_caregiver_dependencies_hold_in_a_decomposed_day(different: bool) -> None:
    day = _two_visits_an_hour_apart(different)
    params = SolveParams(**{**DETERMINISTIC.__dict__, "part_routes": 2, "rounds": 4})
    roster = decompose.solve_decomposed(day, travel_model_for(day), params, workers=InlineWorkers())
    assert check_roster(day, roster) == []
    served = assignment(roster)
    assert set(served) == {"W1", "W2", "E1", "E2"}
    for name in ("W", "E"):
        assert (served[f"{name}1"] != served[f"{name}2"]) is different
