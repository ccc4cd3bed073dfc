"""Solomon-format VRPTW instances read into scenarios, and routes scored from the instance alone.

TINY (tests/data/vrptw/tiny.txt): depot at the origin, customers 1 (0,10) and 2 (0,20) north,
3 (10,0) and 4 (20,0) east; two vehicles of capacity 20; demands 10, 10, 10, 5; customer 1 must
start by 35. The best plan is one vehicle north (0->1->2->0 = 10 + 10 + 20 = 40) and one east
(0->3->4->0 = 10 + 10 + 20 = 40): 80 in all. Serving 2 before 1 reaches 1 at 40, too late.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler import check_roster, solve
from scheduler.errors import ScenarioError
from scheduler.io.vrp_instances import customer_of, read_vrptw, score_routes, vrptw_scenario

TINY = Path(__file__).parents[1] / "data" / "vrptw" / "tiny.txt"
SOLOMON = Path(__file__).parents[2] / "benchmarks" / "instances" / "solomon"


def test_tiny_instance_reads_into_a_planar_scenario() -> None:
    instance = read_vrptw(TINY)
    assert (instance.name, instance.vehicles, instance.capacity) == ("TINY", 2, 20)
    sc = vrptw_scenario(instance)
    assert sc.settings.travel.model == "planar" and len(sc.caregivers) == 2
    assert {c.capacity for c in sc.caregivers} == {20}
    v2 = sc.visits_by_id["C0002"]
    assert (v2.load, v2.duration_min) == (10, 10)
    assert (v2.windows[0].start.hour, v2.windows[0].start.minute) == (0, 20)
    assert sc.clients_by_id["C0004"].location.x_km == 20.0


def test_the_engine_finds_the_tiny_optimum_and_the_validator_agrees() -> None:
    instance = read_vrptw(TINY)
    sc = vrptw_scenario(instance)
    roster = solve(sc, time_limit_s=2, seed=1, solution_limit=200)
    assert check_roster(sc, roster) == []
    routes = [[customer_of(s.visit_id) for s in r.stops] for r in roster.routes if r.stops]
    score = score_routes(instance, routes)
    assert score.feasible and score.distance == pytest.approx(80.0)
    assert sorted(map(sorted, routes)) == [[1, 2], [3, 4]]


def test_scoring_catches_every_broken_rule() -> None:
    instance = read_vrptw(TINY)
    assert score_routes(instance, [[1, 2], [3, 4]]).distance == pytest.approx(80.0)
    late = score_routes(instance, [[2, 1], [3, 4]])
    assert not late.feasible and any("customer 1 starts" in p for p in late.problems)
    heavy = score_routes(instance, [[1, 2, 3], [4]])
    assert any("load 30 > capacity 20" in p for p in heavy.problems)
    missing = score_routes(instance, [[1, 2]])
    assert any("not served" in p for p in missing.problems)
    too_many = score_routes(instance, [[1], [2], [3, 4]])
    assert any("3 routes" in p for p in too_many.problems)


def test_a_published_best_solution_scores_its_published_distance() -> None:
    instance = read_vrptw(SOLOMON / "instances" / "C101.txt")
    text = (SOLOMON / "sintef_bks_routes" / "c101.txt").read_text(encoding="utf-8")
    routes = [
        [int(c) for c in line.split(":")[1].split()]
        for line in text.splitlines()
        if line.startswith("Route")
    ]
    score = score_routes(instance, routes)
    assert score.feasible and score.vehicles == 10
    assert score.distance == pytest.approx(828.94, abs=0.01)


def test_a_file_that_is_not_an_instance_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a Solomon-format"):
        read_vrptw(bad)


def test_visits_left_out_of_a_planar_roster_get_their_reasons() -> None:
    from dataclasses import replace

    one_vehicle = replace(read_vrptw(TINY), vehicles=1)  # capacity 20 of the 35 demanded
    sc = vrptw_scenario(one_vehicle)
    roster = solve(sc, time_limit_s=2, seed=1, solution_limit=200)
    assert check_roster(sc, roster) == []
    assert roster.unassigned and all(u.reason_code for u in roster.unassigned)
