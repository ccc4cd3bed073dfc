"""The routing search: ruin and recreate improves on the local optimum it starts from; lag pins."""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from scheduler.api import travel_model_for
from scheduler.io.hhcrsp_instances import hhcrsp_scenario, read_hhcrsp
from scheduler.io.vrp_instances import read_vrptw, vrptw_scenario
from scheduler.solve import routing, ruin
from scheduler.solve.compile import DependencyArc, Problem, compile_problem
from scheduler.solve.params import SolveParams
from scheduler.solve.routing import (
    _PINNED_STEPS,
    _PINNED_STEPS_PUNCTUAL,
    _PUNCTUAL_MEAN_REMOVED,
    PinnedPlan,
    _Budget,
    _extract_routes,
    _iterated_local_search,
    _iterates_first,
    _pinned_model,
    _pinned_plan,
    _pins_lags,
    _recreate,
    _recreate_pinned,
    _reorder_costliest,
    _ruin_and_recreate,
    _search_parameters,
    _tied_nodes,
    _tied_starts,
    build_model,
    first_solution_strategy,
    lag_pins,
    plan_search,
    solve_routes,
)
from scheduler.solve.sequence import RouteCosts, route_cost

INSTANCES = Path(__file__).parents[2] / "benchmarks" / "instances"
R101 = INSTANCES / "solomon" / "instances" / "R101.txt"
# Mankowska D2: 75 patients, lag-tied double services, little lateness
D2 = INSTANCES / "mankowska2014" / "instances" / "InstanzCPLEX_HCSRP_75_2.txt"
# Mankowska D1: the same size, but one caregiver alone has a skill 14 visits need: much lateness
D1 = INSTANCES / "mankowska2014" / "instances" / "InstanzCPLEX_HCSRP_75_1.txt"


def test_ruin_and_recreate_beats_the_greedy_local_optimum_it_starts_from() -> None:
    sc = vrptw_scenario(read_vrptw(R101))
    problem = compile_problem(sc, travel_model_for(sc))
    greedy = solve_routes(
        problem, SolveParams(time_limit_s=60, metaheuristic="GREEDY_DESCENT", solution_limit=1200)
    )
    searched = solve_routes(problem, SolveParams(time_limit_s=60, seed=1, solution_limit=1200))
    assert searched.cost < greedy.cost
    served = sorted(n for route in searched.routes for n in route)
    assert served == list(range(problem.num_nodes))


def test_tied_visits_form_whole_groups() -> None:
    # 0-1 same visit (sync copies), 1 -> 2 dependency, 3 -> 4 dependency, 5 untied.
    problem = SimpleNamespace(
        sync_groups=((0, 1),),
        dependencies=(DependencyArc(1, 2, 0, 0), DependencyArc(3, 4, 30, None)),
    )
    tied = _tied_nodes(problem)  # type: ignore[arg-type]
    assert tied[0] == (1, 2) and tied[2] == (0, 1) and tied[3] == (4,) and 5 not in tied


def test_first_solution_is_chosen_by_ties_unless_named() -> None:
    tied = SimpleNamespace(dependencies=(DependencyArc(0, 1, 0, 0),), num_nodes=130)
    small = SimpleNamespace(dependencies=(DependencyArc(0, 1, 0, 0),), num_nodes=33)
    big = SimpleNamespace(dependencies=(DependencyArc(0, 1, 0, 0),), num_nodes=1000)
    untied = SimpleNamespace(dependencies=(), num_nodes=130)
    default, named = SolveParams(), SolveParams(first_solution="SAVINGS")
    assert first_solution_strategy(tied, default) == "LOCAL_CHEAPEST_COST_INSERTION"  # type: ignore[arg-type]
    assert first_solution_strategy(small, default) == "PARALLEL_CHEAPEST_INSERTION"  # type: ignore[arg-type]
    assert first_solution_strategy(big, default) == "PARALLEL_CHEAPEST_INSERTION"  # type: ignore[arg-type]
    large = SimpleNamespace(dependencies=(DependencyArc(0, 1, 0, 0),), num_nodes=400)
    assert first_solution_strategy(large, default) == "PARALLEL_CHEAPEST_INSERTION"  # type: ignore[arg-type]
    long = SolveParams(time_limit_s=300)
    assert first_solution_strategy(large, long) == "LOCAL_CHEAPEST_COST_INSERTION"  # type: ignore[arg-type]
    assert first_solution_strategy(untied, default) == "PARALLEL_CHEAPEST_INSERTION"  # type: ignore[arg-type]
    assert first_solution_strategy(tied, named) == "SAVINGS"  # type: ignore[arg-type]


def _first_local_optimum(problem: Problem, strategy: str, more_solutions: int) -> SimpleNamespace:
    """The model, a budget of ``more_solutions`` further solutions (a solution limit, not the
    clock: the tests are deterministic), and the greedy descent's local optimum from
    ``strategy``."""
    ctx = build_model(problem)
    budget = _Budget(ctx, SolveParams(time_limit_s=120), started=time.monotonic(), on_progress=None)
    ctx.routing.AddAtSolutionCallback(budget)
    first = ctx.routing.SolveWithParameters(
        _search_parameters(strategy, "GREEDY_DESCENT", 60, None, False)
    )
    limit = budget.solutions + more_solutions
    budget.params = SolveParams(time_limit_s=120, seed=1, solution_limit=limit)
    routes, cost = _extract_routes(ctx, first), int(first.ObjectiveValue())
    return SimpleNamespace(ctx=ctx, budget=budget, solution=first, routes=routes, cost=cost)


def test_iterated_local_search_engages_and_improves_on_the_first_local_optimum() -> None:
    # OR-Tools 9.15 stops at the first local optimum when iterated local search is asked for
    # through SolveWithParameters; this checks that the engine's call really iterates.
    sc = vrptw_scenario(read_vrptw(R101))
    problem = compile_problem(sc, travel_model_for(sc))
    start = _first_local_optimum(problem, "PARALLEL_CHEAPEST_INSERTION", 1500)
    ctx, budget, routes, cost = start.ctx, start.budget, start.routes, start.cost
    better_routes, better_cost = _iterated_local_search(
        ctx, routes, cost, budget, "PARALLEL_CHEAPEST_INSERTION"
    )
    assert better_cost < cost
    assert sorted(n for route in better_routes for n in route) == list(range(problem.num_nodes))


def test_iterated_local_search_runs_first_on_short_routes_only() -> None:
    assert _iterates_first(((0, 1, 2), (3, 4), ()))
    assert not _iterates_first((tuple(range(20)), tuple(range(20, 35))))
    assert not _iterates_first(((), ()))


def test_lag_pins_keep_every_lag_whatever_starts_they_take() -> None:
    # later - earlier in [600, 1800], now 1000 apart: 400 to spare towards 600, 800 towards
    # 1800; each visit takes half of each: earlier in [1000 - 400, 1000 + 200], later in
    # [2000 - 200, 2000 + 400]. Worst cases: 1800 - 1200 = 600 and 2400 - 600 = 1800.
    precedence = DependencyArc(0, 1, min_lag_s=600, max_lag_s=1800)
    pins = lag_pins([precedence], {0: 1000, 1: 2000}, far_s=10**6)
    assert pins == {0: (600, 1200), 1: (1800, 2400)}
    # together (lag 0) pins both starts; no maximum leaves the later one free to be later
    pins = lag_pins([DependencyArc(0, 1, 0, 0)], {0: 500, 1: 500}, far_s=10**6)
    assert pins == {0: (500, 500), 1: (500, 500)}
    pins = lag_pins([DependencyArc(0, 1, 60, None)], {0: 0, 1: 100}, far_s=10**6)
    assert pins == {0: (-(10**6), 20), 1: (80, 10**6)}
    # a visit with two lags takes the narrower range on each side
    arcs = [DependencyArc(0, 1, 0, 1000), DependencyArc(1, 2, 0, 0)]
    pins = lag_pins(arcs, {0: 0, 1: 400, 2: 400}, far_s=10**6)
    assert pins[1] == (400, 400) and pins[0] == (-300, 200)


def test_lags_are_pinned_on_dependent_days_of_the_cost_insertion_size() -> None:
    arc = (DependencyArc(0, 1, 0, 0),)
    assert _pins_lags(SimpleNamespace(dependencies=arc, num_nodes=98), 10)  # type: ignore[arg-type]
    assert not _pins_lags(SimpleNamespace(dependencies=arc, num_nodes=33), 600)  # type: ignore[arg-type]
    assert _pins_lags(SimpleNamespace(dependencies=arc, num_nodes=65), 60)  # type: ignore[arg-type]
    assert not _pins_lags(SimpleNamespace(dependencies=(), num_nodes=98), 60)  # type: ignore[arg-type]
    # Above 300 stops only with time for the cost-insertion start, and not beyond 450.
    assert not _pins_lags(SimpleNamespace(dependencies=arc, num_nodes=400), 60)  # type: ignore[arg-type]
    assert _pins_lags(SimpleNamespace(dependencies=arc, num_nodes=400), 300)  # type: ignore[arg-type]
    assert not _pins_lags(SimpleNamespace(dependencies=arc, num_nodes=500), 3600)  # type: ignore[arg-type]


def _lags_hold(problem: Problem, routes: tuple[tuple[int, ...], ...], starts: dict) -> bool:
    served = {node for route in routes for node in route}
    return all(
        arc.min_lag_s
        <= starts[arc.later] - starts[arc.earlier]
        <= (10**9 if arc.max_lag_s is None else arc.max_lag_s)
        for arc in problem.dependencies
        if {arc.earlier, arc.later} <= served
    )


def _taken_as_is(ctx: Any, routes: tuple[tuple[int, ...], ...]) -> Any:
    """``ctx``'s model's first solution from exactly ``routes`` (None if it rejects them)."""
    assignment = ctx.routing.solver().Assignment()
    assert ctx.routing.RoutesToAssignment(list(routes), True, True, assignment)
    check = _search_parameters("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT", 30, 1, False)
    return ctx.routing.SolveFromAssignmentWithParameters(assignment, check)


@pytest.mark.parametrize("insertion_lns", [True, False])
def test_pinned_model_rosters_keep_the_lags_and_the_full_model_takes_them(
    insertion_lns: bool,
) -> None:
    sc = hhcrsp_scenario(read_hhcrsp(D2))
    problem = compile_problem(sc, travel_model_for(sc))
    start = _first_local_optimum(problem, "LOCAL_CHEAPEST_COST_INSERTION", 2000)
    ctx, budget, routes = start.ctx, start.budget, start.routes
    tied_starts = _tied_starts(ctx, start.solution)
    pinned = _pinned_model(problem, routes, tied_starts, budget, insertion_lns)
    # Take every stop of the first two routes out; the pinned model puts them back.
    cut = [[] if v < 2 else list(route) for v, route in enumerate(routes)]
    solution = _recreate(pinned, cut, budget)
    assert solution is not None
    pinned_routes = _extract_routes(pinned, solution)
    assert pinned_routes != routes
    starts = {
        n: solution.Value(pinned.time.CumulVar(pinned.index(n))) for n in range(problem.num_nodes)
    }
    assert _lags_hold(problem, pinned_routes, starts)
    # The full model, lags included, takes the roster as it is.
    kept = _taken_as_is(ctx, pinned_routes)
    assert kept is not None and kept.ObjectiveValue() <= solution.ObjectiveValue()
    assert _extract_routes(ctx, kept) == pinned_routes


def test_pinned_model_serves_a_tied_pair_left_out_and_keeps_its_lag() -> None:
    sc = hhcrsp_scenario(read_hhcrsp(D2))
    problem = compile_problem(sc, travel_model_for(sc))
    start = _first_local_optimum(problem, "LOCAL_CHEAPEST_COST_INSERTION", 2000)
    ctx, budget = start.ctx, start.budget
    arc = next(a for a in problem.dependencies if a.max_lag_s is not None and a.max_lag_s > 0)
    out = {arc.earlier, arc.later}
    routes = tuple(tuple(n for n in route if n not in out) for route in start.routes)
    pinned = _pinned_model(problem, routes, _tied_starts(ctx, start.solution), budget)
    solution = _recreate(pinned, routes, budget)
    assert solution is not None
    back = _extract_routes(pinned, solution)
    assert out <= {node for route in back for node in route}  # served again
    starts = {n: solution.Value(pinned.time.CumulVar(pinned.index(n))) for n in out}
    assert arc.min_lag_s <= starts[arc.later] - starts[arc.earlier] <= arc.max_lag_s


def test_pinned_ruin_and_recreate_improves_on_the_first_local_optimum() -> None:
    sc = hhcrsp_scenario(read_hhcrsp(D2))
    problem = compile_problem(sc, travel_model_for(sc))
    start = _first_local_optimum(problem, "LOCAL_CHEAPEST_COST_INSERTION", 1500)
    ctx, budget, cost = start.ctx, start.budget, start.cost
    starts = _tied_starts(ctx, start.solution)
    routes, better_cost = _ruin_and_recreate(ctx, start.routes, cost, budget, 1, starts)
    assert better_cost < cost
    assert budget.ctx is ctx  # the full model is the budget's again
    assert sorted(n for route in routes for n in route) == list(range(problem.num_nodes))


def test_the_ruin_steps_cut_as_many_visits_as_the_plan_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sc = hhcrsp_scenario(read_hhcrsp(D2))
    problem = compile_problem(sc, travel_model_for(sc))
    start = _first_local_optimum(problem, "LOCAL_CHEAPEST_COST_INSERTION", 200)
    asked: list[int] = []
    real = ruin.string_removal

    def recording(*args: Any, **kwargs: Any) -> Any:
        asked.append(args[4].mean_removed)
        return real(*args, **kwargs)

    monkeypatch.setattr(ruin, "string_removal", recording)
    plan = PinnedPlan(2, insertion_lns=False, mean_removed=5)
    starts = _tied_starts(start.ctx, start.solution)
    _ruin_and_recreate(start.ctx, start.routes, start.cost, start.budget, 1, starts, plan)
    assert asked and set(asked) == {5}


def test_the_pinned_plan_follows_the_lateness_of_the_first_local_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plans, starts = {}, {}
    for name, path in (("D1", D1), ("D2", D2)):
        sc = hhcrsp_scenario(read_hhcrsp(path))
        problem = compile_problem(sc, travel_model_for(sc))
        starts[name] = _first_local_optimum(problem, "LOCAL_CHEAPEST_COST_INSERTION", 0)
        plans[name] = _pinned_plan(starts[name].ctx, starts[name].solution)
    # D1's first local optimum has about 38 % of its cost in lateness, D2's about 2 %.
    assert plans == {
        "D1": PinnedPlan(_PINNED_STEPS, reorders=True, insertion_lns=True),
        "D2": PinnedPlan(
            _PINNED_STEPS_PUNCTUAL,
            reorders=False,
            insertion_lns=False,
            mean_removed=_PUNCTUAL_MEAN_REMOVED,
        ),
    }
    # A punctual day above the small-ruin size (as Mankowska F's 260 stops) keeps the default.
    d2 = starts["D2"]
    monkeypatch.setattr(routing, "_PUNCTUAL_SMALL_RUIN_MAX_NODES", d2.ctx.problem.num_nodes - 1)
    assert _pinned_plan(d2.ctx, d2.solution).mean_removed == PinnedPlan().mean_removed
    # So does one whose first local optimum leaves a visit out (as the over-full sample day).
    routes = tuple(tuple(n for n in route if n != d2.routes[0][0]) for route in d2.routes)
    short = _taken_as_is(d2.ctx, routes)
    assert _extract_routes(d2.ctx, short) == routes
    monkeypatch.undo()
    assert _pinned_plan(d2.ctx, short).mean_removed == PinnedPlan().mean_removed
    assert _pinned_plan(d2.ctx, d2.solution).mean_removed == _PUNCTUAL_MEAN_REMOVED
    # A late day above the cost-insertion size (as Mankowska G's 400 stops) does not re-order.
    d1 = starts["D1"]
    monkeypatch.setattr(routing, "_COST_INSERTION_MAX_NODES", d1.ctx.problem.num_nodes - 1)
    assert _pinned_plan(d1.ctx, d1.solution) == PinnedPlan(_PINNED_STEPS, reorders=False)


def test_the_costliest_route_is_reordered_alone_and_its_partners_put_back_within_the_lags() -> None:
    sc = hhcrsp_scenario(read_hhcrsp(D1))
    problem = compile_problem(sc, travel_model_for(sc))
    ctx = build_model(problem)
    budget = _Budget(ctx, SolveParams(time_limit_s=120), started=time.monotonic(), on_progress=None)
    ctx.routing.AddAtSolutionCallback(budget)
    construction = ctx.routing.SolveWithParameters(
        _search_parameters("LOCAL_CHEAPEST_COST_INSERTION", "GREEDY_DESCENT", 60, 1, False)
    )
    routes, tied = _extract_routes(ctx, construction), _tied_nodes(problem)
    settled: set[tuple[int, ...]] = set()
    costs = RouteCosts(problem)
    reordered = _reorder_costliest(costs, routes, tied, random.Random(1), settled)
    assert reordered is not None
    # The one caregiver with skill s1 (14 visits) has the costliest route on its own.
    v = [problem.caregiver_ids[int(c)] for c in problem.vehicle_caregiver].index("c1")
    assert len(routes[v]) == 14 and sorted(reordered[v]) == sorted(routes[v])
    assert route_cost(problem, v, reordered[v]) <= 0.95 * route_cost(problem, v, routes[v])
    partners = {p for n in routes[v] for p in tied.get(n, ())} - set(routes[v])
    assert partners
    for u, route in enumerate(reordered):
        if u != v:
            assert route == [n for n in routes[u] if n not in partners]
    # Its order is now the best found: asked again, nothing to do, and it is not tried again.
    again = tuple(tuple(route) for route in reordered)
    assert _reorder_costliest(costs, again, tied, random.Random(1), settled) is None
    assert again[v] in settled
    # The pinned step puts the partners back with every lag kept.
    budget.params = SolveParams(time_limit_s=120, seed=1, solution_limit=budget.solutions + 3000)
    step = _recreate_pinned(
        ctx, routes, _tied_starts(ctx, construction), budget, _keep, PinnedPlan(1), reordered
    )
    assert step is not None and step.starts is not None  # re-timed on the day's model
    assert sorted(n for route in step.routes for n in route) == list(range(problem.num_nodes))
    assert _lags_hold(problem, step.routes, step.starts)


def test_a_pinned_step_cut_short_by_the_budget_hands_back_its_pinned_roster() -> None:
    sc = hhcrsp_scenario(read_hhcrsp(D2))
    problem = compile_problem(sc, travel_model_for(sc))
    # One more solution in all: the pinned step's first, and nothing left to re-time it.
    start = _first_local_optimum(problem, "LOCAL_CHEAPEST_COST_INSERTION", 1)
    ctx, budget, routes = start.ctx, start.budget, start.routes
    step = _recreate_pinned(
        ctx, routes, _tied_starts(ctx, start.solution), budget, _keep, PinnedPlan(1)
    )
    assert budget.exhausted
    assert step is not None and step.starts is None  # not re-timed
    assert step.routes == routes
    # The day's model, lags included, takes that roster as it is.
    assert _taken_as_is(ctx, step.routes) is not None


def _keep(routes: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    return [list(route) for route in routes]


def test_the_search_plan_follows_the_day_shape_in_one_place() -> None:
    arc = (DependencyArc(0, 1, 0, None),)
    shape = {"sync_groups": (), "lateness_weight": 0, "late_start_max_s": 0}
    tied = SimpleNamespace(dependencies=arc, num_nodes=98, **shape)
    plain = SimpleNamespace(dependencies=(), num_nodes=98, **shape)
    soft = SimpleNamespace(
        dependencies=(), num_nodes=98, sync_groups=(), lateness_weight=1, late_start_max_s=60
    )
    default = SolveParams(time_limit_s=60)
    pinned = plan_search(tied, default)  # type: ignore[arg-type]
    assert (pinned.pinned, pinned.guided, pinned.first_share) == (True, False, 0.5)
    assert pinned.construction == "LOCAL_CHEAPEST_COST_INSERTION"
    untied = plan_search(plain, default)  # type: ignore[arg-type]
    assert (untied.pinned, untied.guided, untied.first_metaheuristic) == (
        False,
        False,
        "GREEDY_DESCENT",
    )
    assert plan_search(soft, default).first_metaheuristic == "GUIDED_LOCAL_SEARCH"  # type: ignore[arg-type]
    assert not plan_search(soft, default).lateness_capped_first  # type: ignore[arg-type]
    above = routing._CAPPED_FIRST_MIN_NODES + 1
    large_soft = SimpleNamespace(**{**vars(soft), "num_nodes": above})
    assert plan_search(large_soft, default).lateness_capped_first  # type: ignore[arg-type]
    large_hard = SimpleNamespace(**{**vars(large_soft), "late_start_max_s": 0})
    assert not plan_search(large_hard, default).lateness_capped_first  # type: ignore[arg-type]
    named = plan_search(tied, SolveParams(metaheuristic="TABU_SEARCH"))  # type: ignore[arg-type]
    assert (named.ruin_and_recreate, named.pinned, named.first_metaheuristic) == (
        False,
        False,
        "TABU_SEARCH",
    )


def _one_carer_two_visits(first_min: int, second_min: int, late_max_min: int) -> Problem:
    """NEAR alone; V1 (``first_min`` long, priority 5) and V2 (``second_min``) at one client,
    both to start 09:00-09:10: on time only one fits, the other starts when it is done."""
    from scheduler.domain.model import Settings
    from tests.builders import caregiver, client, place, scenario, visit

    day = scenario(
        [caregiver("NEAR", home=place(0, 0))],
        [client("P")],
        [
            visit("V1", "P", window=("09:00", "09:10"), duration_min=first_min, priority=5),
            visit("V2", "P", window=("09:00", "09:10"), duration_min=second_min, priority=1),
        ],
        settings=Settings(late_start_max_min=late_max_min),
    )
    return compile_problem(day, travel_model_for(day))


def _visit_order(problem: Problem, routes: tuple[tuple[int, ...], ...]) -> list[str]:
    return [problem.visit_ids[problem.node_visit[n]] for route in routes for n in route]


@pytest.mark.parametrize(
    ("v1_cap_min", "v2_cap_min", "order"),
    [(60, 15, ["V2", "V1"]), (15, 60, ["V1", "V2"])],
)
def test_a_node_s_own_lateness_cap_binds_in_the_search(
    v1_cap_min: int, v2_cap_min: int, order: list[str]
) -> None:
    # V2 first makes V1 20 min late, V1 first makes V2 50 min late: the caps decide.
    problem = _one_carer_two_visits(60, 30, late_max_min=60)
    caps = {"V1": v1_cap_min * 60, "V2": v2_cap_min * 60}
    capped = dataclasses.replace(
        problem,
        node_late_start_max_s=np.array(
            [caps[problem.visit_ids[v]] for v in problem.node_visit], dtype=np.int64
        ),
    )
    result = routing.solve_routes(capped, SolveParams(time_limit_s=2, solution_limit=200))
    assert _visit_order(capped, result.routes) == order


def _record_stages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, tuple[int, ...], int]]:
    """Each call of solve_routes: the cap, the nodes' own caps and how many stops it serves."""
    monkeypatch.setattr(routing, "_CAPPED_FIRST_MIN_NODES", 0)
    searched: list[tuple[int, tuple[int, ...], int]] = []
    real = routing.solve_routes

    def recording(p: Problem, *args: Any) -> routing.RoutingResult:
        result = real(p, *args)
        caps = tuple(int(c) for c in p.node_late_start_max_s)
        searched.append((p.late_start_max_s, caps, sum(len(r) for r in result.routes)))
        return result

    monkeypatch.setattr(routing, "solve_routes", recording)
    return searched


@pytest.mark.parametrize(
    ("v1_min", "v2_min", "late_max_min", "put_back"),
    [
        # V2 first makes V1 20 min late: the 30-min stage serves both, nothing to put back.
        (60, 30, 60, False),
        # V2 first makes V1 35 min late, V1 first makes V2 40 min late: both capped stages
        # serve V1 alone; the put-back stage lets only V2 be late (V1 stays within 30 min).
        (50, 45, 120, True),
    ],
)
def test_a_soft_day_searched_lateness_capped_first_still_serves_what_only_fits_late(
    monkeypatch: pytest.MonkeyPatch, v1_min: int, v2_min: int, late_max_min: int, put_back: bool
) -> None:
    problem = _one_carer_two_visits(v1_min, v2_min, late_max_min=late_max_min)
    searched = _record_stages(monkeypatch)
    result = routing.solve_routes(problem, SolveParams(time_limit_s=2, solution_limit=200))
    day_s = late_max_min * 60
    if put_back:
        own_caps = {"V1": 1800, "V2": day_s}
        caps = tuple(own_caps[problem.visit_ids[v]] for v in problem.node_visit)
        stages = [(0, (), 1), (1800, (), 1), (day_s, caps, 2)]
    else:
        stages = [(0, (), 1), (1800, (), 2)]
    # the stages in turn, the day as it is, then the outer call
    assert searched == [*stages, (day_s, (), 2), (day_s, (), 2)]
    assert sorted(_visit_order(problem, result.routes)) == ["V1", "V2"]
    assert result.first_solution.endswith("lateness capped first") and result.initial_cost is None
