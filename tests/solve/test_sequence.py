from __future__ import annotations

import dataclasses
import random

from scheduler import Settings, TimeWindow, Weights
from scheduler.api import travel_model_for
from scheduler.solve.compile import Problem, compile_problem
from scheduler.solve.sequence import RouteCosts, best_order, route_cost
from tests.builders import at, caregiver, client, place, scenario, visit

SOFT = Settings(late_start_max_min=240, weights=Weights(lateness_per_s=1, max_lateness_per_s=5))


def _problem(visits: list, settings: Settings = SOFT) -> Problem:  # type: ignore[type-arg]
    """Ann alone, one client per visit, one km apart in a row east of her home."""
    clients = [client(f"x{i}", where=place(i + 1, 0)) for i in range(len(visits))]
    sc = scenario([caregiver("ann")], clients, visits, settings=settings)
    return compile_problem(sc, travel_model_for(sc))


def _travel_only(problem: Problem) -> Problem:
    return dataclasses.replace(problem, lateness_weight=0, max_lateness_weight=0)


def _nodes(problem: Problem, *visit_ids: str) -> tuple[int, ...]:
    node = {problem.visit_ids[int(problem.node_visit[n])]: n for n in range(problem.num_nodes)}
    return tuple(node[v] for v in visit_ids)


def test_a_late_order_costs_its_lateness_at_the_weights() -> None:
    # "soon" closes at 08:10; served after "later" (08:00-12:00, 60 min) it starts after 09:00.
    problem = _problem(
        [
            visit("soon", "x0", window=("08:00", "08:10")),
            visit("later", "x1", window=("08:00", "12:00"), duration_min=60),
        ]
    )
    punctual = _nodes(problem, "soon", "later")
    late = _nodes(problem, "later", "soon")
    travel_only = route_cost(_travel_only(problem), 0, late)
    # Late by more than 50 minutes, counted once in the sum and five times as the latest.
    assert route_cost(problem, 0, late) - travel_only > 6 * 50 * 60
    assert route_cost(problem, 0, punctual) < route_cost(problem, 0, late)


def test_a_stop_arriving_between_two_windows_waits_for_the_second_and_is_not_late() -> None:
    two_windows = (
        TimeWindow(start=at("08:00"), end=at("08:05")),
        TimeWindow(start=at("10:00"), end=at("10:30")),
    )
    problem = _problem(
        [
            visit("first", "x0", window=("08:00", "12:00"), duration_min=60),
            visit("twice", "x1", windows=two_windows),
        ]
    )
    order = _nodes(problem, "first", "twice")
    travel_only = route_cost(_travel_only(problem), 0, order)
    assert route_cost(problem, 0, order) == travel_only


def test_best_order_puts_the_early_stop_first_and_keeps_every_stop() -> None:
    problem = _problem(
        [
            visit("a", "x0", window=("08:00", "12:00"), duration_min=45),
            visit("b", "x1", window=("08:00", "12:00"), duration_min=45),
            visit("soon", "x2", window=("08:00", "08:15")),
            visit("c", "x3", window=("08:00", "12:00"), duration_min=45),
        ]
    )
    given = _nodes(problem, "a", "b", "c", "soon")
    order, cost = best_order(RouteCosts(problem), 0, given, random.Random(1))
    assert sorted(order) == sorted(given)
    assert order[0] == _nodes(problem, "soon")[0]
    assert cost == route_cost(problem, 0, order) < route_cost(problem, 0, given)


def test_best_order_keeps_an_order_that_cannot_be_bettered() -> None:
    problem = _problem([visit(f"v{i}", f"x{i}", window=("08:00", "12:00")) for i in range(3)])
    given = _nodes(problem, "v0", "v1", "v2")  # along the road, out and back
    expected = (given, route_cost(problem, 0, given))
    assert best_order(RouteCosts(problem), 0, given, random.Random(1)) == expected
