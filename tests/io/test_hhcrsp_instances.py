"""Mankowska HHCRSP instances as scenarios; scoring reproduces a published best solution."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from scheduler import check_roster, solve
from scheduler.domain.model import TravelMode
from scheduler.errors import ScenarioError
from scheduler.io.hhcrsp_instances import (
    hhcrsp_scenario,
    hhcrsp_travel,
    read_hhcrsp,
    roster_routes,
    score_hhcrsp,
)
from scheduler.io.vrp_instances import SPEED_KPH
from scheduler.travel.base import TravelProfile

ROOT = Path(__file__).parents[2]
A1 = ROOT / "benchmarks/instances/mankowska2014/instances/InstanzCPLEX_HCSRP_10_1.txt"
CESCHIA_A1 = Path(__file__).parents[1] / "data" / "hhcrsp" / "ceschia2024_A1.json.gz"


def published_routes() -> list[list[tuple[int, int, float]]]:
    with gzip.open(CESCHIA_A1, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    routes: list[list[tuple[int, int, float]]] = [[] for _ in range(3)]
    for route in data["routes"]:
        k = int(route["caregiver_id"].removeprefix("c")) - 1
        for stop in route.get("locations", []):
            node = int(stop["patient"].removeprefix("p"))
            service = int(stop["service"].removeprefix("s")) - 1
            routes[k].append((node, service, float(stop["arrival_time"])))
    return routes


def test_a1_reads_into_a_scenario_with_double_services() -> None:
    instance = read_hhcrsp(A1)
    assert (instance.nodes, instance.caregivers, instance.services) == (12, 3, 6)
    assert instance.double == {10, 9, 8}
    sc = hhcrsp_scenario(instance)
    assert sc.settings.late_start_max_min > 0 and sc.settings.weights.max_lateness_per_s == 1
    assert {c.id: sorted(c.skills) for c in sc.caregivers}["c1"] == ["s1", "s2", "s3"]
    dependent = [v for v in sc.visits if v.dependency is not None]
    assert len(dependent) == 3  # one per double-service patient
    assert len(sc.visits) == 10 + 3


def test_scoring_reproduces_the_published_best_a1() -> None:
    score = score_hhcrsp(read_hhcrsp(A1), published_routes())
    assert score.feasible, score.problems
    assert score.cost == pytest.approx(218.199, abs=1e-3)


def test_scoring_catches_a_broken_double_service_and_a_wrong_caregiver() -> None:
    instance = read_hhcrsp(A1)
    routes = published_routes()
    node, service, start = routes[0][0]
    routes[0][0] = (node, service, start + 200.0)  # moves one service; its partner stays
    moved = score_hhcrsp(instance, routes)
    swapped = score_hhcrsp(instance, [routes[1], routes[0], routes[2]])
    assert not moved.feasible or moved.cost > 218.2
    assert any("not qualified" in p for p in swapped.problems)


def test_the_engine_solves_a1_validly_and_close_to_the_best_known() -> None:
    instance = read_hhcrsp(A1)
    sc = hhcrsp_scenario(instance)
    roster = solve(sc, time_limit_s=3, seed=1, solution_limit=2000)
    assert check_roster(sc, roster) == []
    score = score_hhcrsp(instance, roster_routes(instance, roster))
    assert score.feasible, score.problems
    assert score.cost >= 218.199 - 1e-3  # nobody beats the proven optimum


def test_the_instance_travels_on_its_own_matrix() -> None:
    instance = read_hhcrsp(A1)
    sc = hhcrsp_scenario(instance)
    travel = hhcrsp_travel(instance)
    places = [sc.caregivers[0].home, *(c.location for c in sc.clients)]
    profile = TravelProfile(TravelMode.DRIVE, SPEED_KPH)
    seconds = travel.durations_s(places, profile)
    nodes = [0, *instance.patients]
    d = [[instance.distance[i][j] for j in nodes] for i in nodes]
    assert np.array_equal(seconds, np.ceil(np.array(d) * 60 - 1e-6))
    roster = solve(sc, time_limit_s=2, seed=1, travel=travel)
    assert check_roster(sc, roster, travel=travel) == []
    assert score_hhcrsp(instance, roster_routes(instance, roster)).feasible


def test_a_file_that_is_not_an_instance_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("nbNodes 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not an HHCRSP instance"):
        read_hhcrsp(bad)
