from __future__ import annotations

from scheduler import check_roster, solve
from scheduler.api import travel_model_for
from scheduler.solve.compile import Problem, compile_problem
from scheduler.solve.pairs import insert_pairs
from scheduler.solve.schedule import schedule_routes
from scheduler.solve.sequence import RouteCosts
from scheduler.synthetic import generate_day
from tests.builders import caregiver, client, place, scenario, visit


def _problem(hoist_window: tuple[str, str], ann_busy: tuple[str, str]) -> Problem:
    """Ann and Bob, each with a visit of their own; a double-handed hoist visit at a third
    client. Ann's own visit is an hour long and fixed by ``ann_busy``."""
    people = [caregiver("ann"), caregiver("bob", home=place(0, 1))]
    clients = [
        client("x-ann", where=place(1, 0)),
        client("x-bob", where=place(1, 1)),
        client("x-hoist", where=place(2, 0)),
    ]
    visits = [
        visit("own-ann", "x-ann", window=ann_busy, duration_min=60),
        visit("own-bob", "x-bob", window=("08:00", "08:30")),
        visit("hoist", "x-hoist", window=hoist_window, caregivers_required=2),
    ]
    sc = scenario(people, clients, visits)
    return compile_problem(sc, travel_model_for(sc))


def _nodes_of(problem: Problem, visit_id: str) -> list[int]:
    return [
        n for n in range(problem.num_nodes) if problem.visit_ids[problem.node_visit[n]] == visit_id
    ]


def _routes_with_own_visits(problem: Problem) -> list[list[int]]:
    """Each caregiver serving their own visit, the hoist visit left out."""
    routes: list[list[int]] = [[] for _ in range(problem.num_vehicles)]
    for v in range(problem.num_vehicles):
        name = problem.caregiver_ids[problem.vehicle_caregiver[v]]
        routes[v] = _nodes_of(problem, f"own-{name}")
    return routes


def test_a_left_out_double_handed_visit_goes_in_whole_on_two_shifts_with_times() -> None:
    problem = _problem(hoist_window=("10:00", "11:00"), ann_busy=("08:00", "08:30"))
    routes = insert_pairs(RouteCosts(problem), _routes_with_own_visits(problem))
    copies = _nodes_of(problem, "hoist")
    holders = [v for v, route in enumerate(routes) if set(copies) & set(route)]
    assert len(holders) == 2 and all(len(set(copies) & set(routes[v])) == 1 for v in holders)
    schedule_routes(problem, tuple(tuple(r) for r in routes))  # raises if it has no times


def test_no_pair_of_places_when_one_caregiver_is_busy_all_through_the_window() -> None:
    # Ann's own hour starts at 09:55 at the latest, the hoist visit must start by 10:00, and
    # she cannot be at both: only Bob is free, and one caregiver is not two.
    problem = _problem(hoist_window=("10:00", "10:00"), ann_busy=("09:40", "09:55"))
    given = _routes_with_own_visits(problem)
    assert insert_pairs(RouteCosts(problem), given) == given


def test_every_visit_served_leaves_the_routes_as_they_are() -> None:
    problem = _problem(hoist_window=("10:00", "11:00"), ann_busy=("08:00", "08:30"))
    full = insert_pairs(RouteCosts(problem), _routes_with_own_visits(problem))
    assert insert_pairs(RouteCosts(problem), full) == full


def test_the_search_serves_double_handed_visits_its_construction_left_out() -> None:
    # 60 visits, 8 caregivers, 7 double-handed: without the pair move the search's one-copy
    # moves could not bring back any of the 7 the construction left out (0 served).
    sc = generate_day(60, 8, seed=1, double_handed_share=0.3)
    roster = solve(sc, time_limit_s=30, solution_limit=500, seed=1)
    assert check_roster(sc, roster) == []
    doubles = {v.id for v in sc.visits if v.caregivers_required > 1}
    served = {stop.visit_id for route in roster.routes for stop in route.stops}
    assert len(doubles & served) >= 3
