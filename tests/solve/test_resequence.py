from __future__ import annotations

import dataclasses

import numpy as np
from ortools.sat.python import cp_model

from scheduler import Dependency, Settings, Weights
from scheduler.api import travel_model_for
from scheduler.solve.compile import Problem, WorkLimit, compile_problem
from scheduler.solve.resequence import Held, _add_working_time, applies, resequence_routes
from scheduler.solve.schedule import schedule_routes
from tests.builders import caregiver, client, place, scenario, solve_checked, visit

SOFT = Settings(late_start_max_min=240, weights=Weights(lateness_per_s=1, max_lateness_per_s=5))


def _late_day(settings: Settings = SOFT):  # type: ignore[no-untyped-def]
    """Ann serves three visits; "early" closes at 08:15, "tied" must start 60-120 min after
    Bob's "first" (a nurse's visit at the same client)."""
    return scenario(
        [caregiver("ann"), caregiver("bob", role="rn", skills=("wound_care",))],
        [client("x1", where=place(1, 0)), client("x2", where=place(0, 1)), client("x3")],
        [
            visit("early", "x1", window=("08:00", "08:15")),
            visit("open", "x2", window=("08:00", "11:00")),
            visit("first", "x3", window=("08:00", "08:30"), skills=("wound_care",)),
            visit(
                "tied",
                "x3",
                window=("08:00", "12:00"),
                dependency=Dependency(after="first", min_lag_min=60, max_lag_min=120),
            ),
        ],
        settings=settings,
    )


def _routes(problem: Problem, by_caregiver: dict[str, list[str]]) -> tuple[tuple[int, ...], ...]:
    node = {problem.visit_ids[int(problem.node_visit[n])]: n for n in range(problem.num_nodes)}
    names = [problem.caregiver_ids[int(c)] for c in problem.vehicle_caregiver]
    return tuple(tuple(node[v] for v in by_caregiver.get(name, [])) for name in names)


def _objective(problem: Problem, routes: tuple[tuple[int, ...], ...]) -> tuple[int, int]:
    """(seconds late in all, latest seconds late) of the routes at their best starts."""
    timing = schedule_routes(problem, routes)
    late = [
        max(0, start - problem.node_windows_s[n][-1][1]) for n, start in timing.node_start_s.items()
    ]
    return sum(late), max(late)


def test_a_route_in_a_late_order_is_reordered_and_keeps_the_lag_to_another_route() -> None:
    sc = _late_day()
    problem = compile_problem(sc, travel_model_for(sc))
    routes = _routes(problem, {"ann": ["open", "tied", "early"], "bob": ["first"]})
    before = _objective(problem, routes)
    assert before[1] > 0

    better = resequence_routes(problem, routes, schedule_routes(problem, routes), 10.0)

    ann = _routes(problem, {"ann": ["early"]})[0][0]
    assert ann in better[0] and better[0][0] == ann  # "early" goes first
    assert better[1] == routes[1]  # Bob's route keeps its order
    after = _objective(problem, better)  # re-timing finds starts for the new order
    assert after < before
    timing = schedule_routes(problem, better)
    first, tied = (_routes(problem, {"ann": [v]})[0] for v in ("first", "tied"))
    lag_s = timing.node_start_s[tied[0]] - timing.node_start_s[first[0]]
    assert 60 * 60 <= lag_s <= 120 * 60


def test_only_days_that_weigh_the_latest_start_are_resequenced() -> None:
    plain = _late_day(Settings(late_start_max_min=240))  # no weight on the latest start
    problem = compile_problem(plain, travel_model_for(plain))
    assert not applies(problem)
    routes = _routes(problem, {"ann": ["open", "tied", "early"], "bob": ["first"]})
    assert resequence_routes(problem, routes, schedule_routes(problem, routes), 10.0) is routes


def test_a_soft_window_day_solves_end_to_end_with_no_violation() -> None:
    roster = solve_checked(_late_day())
    assert not roster.unassigned


def test_a_partner_on_another_route_moves_in_time_so_that_a_route_can_be_reordered() -> None:
    # Ann serves "tied" first because it must start within 30 min of Bob's "first", which the
    # timing put at 08:00; "early" is then late. Serving "early" first needs "first" later,
    # which Bob's open window allows: only a re-timed Bob lets Ann's order change.
    sc = scenario(
        [caregiver("ann"), caregiver("bob", role="rn", skills=("wound_care",))],
        [client("x1", where=place(1, 0)), client("x3", where=place(0, 1))],
        [
            visit("early", "x1", window=("08:00", "08:15")),
            visit("first", "x3", window=("08:00", "12:00"), skills=("wound_care",)),
            visit(
                "tied",
                "x3",
                window=("08:00", "12:00"),
                dependency=Dependency(after="first", min_lag_min=0, max_lag_min=30),
            ),
        ],
        settings=SOFT,
    )
    problem = compile_problem(sc, travel_model_for(sc))
    routes = _routes(problem, {"ann": ["tied", "early"], "bob": ["first"]})
    timing = schedule_routes(problem, routes)
    first, tied = (_routes(problem, {"ann": [v]})[0][0] for v in ("first", "tied"))
    assert timing.node_start_s[first] < problem.node_windows_s[first][0][0] + 15 * 60  # by 08:15
    before = _objective(problem, routes)
    assert before[1] > 0

    better = resequence_routes(problem, routes, timing, 10.0)

    assert better[0] == tuple(reversed(routes[0]))  # "early" first
    assert _objective(problem, better) < before
    after = schedule_routes(problem, better)
    assert 0 <= after.node_start_s[tied] - after.node_start_s[first] <= 30 * 60
    assert after.node_start_s[first] > timing.node_start_s[first]  # Bob's visit moved later


def test_working_time_holds_the_shift_share_and_what_held_shifts_leave_of_a_limit() -> None:
    sc = _late_day()
    problem = compile_problem(sc, travel_model_for(sc))
    # Ann's shift 0 may work 2 h; shifts 0 and 1 share 3 h, of which held shift 1 uses 1.5 h.
    problem = dataclasses.replace(
        problem,
        work_limits=(WorkLimit(vehicles=(0, 1), max_work_s=3 * 3600),),
        vehicle_max_work_s=np.array([2 * 3600, 3 * 3600]),
    )
    for held_s, most_s in ((5400, 5400), (0, 7200)):
        model = cp_model.CpModel()
        span = model.new_int_var(0, 10**6, "span")
        held = Held(start_s={}, latest_late_s=0, work_s={1: held_s}, copies=frozenset())
        _add_working_time(model, problem, {0: span}, held)
        model.maximize(span)
        solver = cp_model.CpSolver()
        assert solver.solve(model) == cp_model.OPTIMAL
        assert solver.value(span) == most_s
