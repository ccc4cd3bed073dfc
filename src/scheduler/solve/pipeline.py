"""One solve, end to end: compile -> route -> time (-> re-sequence -> re-time) -> extract ->
explain -> measure -> validate."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from scheduler.domain.clock import Clock
from scheduler.domain.model import Scenario
from scheduler.errors import SolverError
from scheduler.solution.explain import explain_unassigned
from scheduler.solution.kpis import compute_kpis
from scheduler.solution.roster import Roster, Route, SolveInfo
from scheduler.solution.validate import validate_roster
from scheduler.solve import resequence
from scheduler.solve.compile import Problem, compile_problem
from scheduler.solve.extract import build_routes
from scheduler.solve.params import SolveParams
from scheduler.solve.routing import Progress, RoutingResult, solve_routes
from scheduler.solve.schedule import schedule_routes
from scheduler.stop import stop_requested
from scheduler.travel.base import TravelModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutedDay:
    """A scenario's routes and times, before the roster is explained, measured and validated:
    what a part of a decomposed day hands back (``scheduler.scale``)."""

    routes: tuple[Route, ...]
    result: RoutingResult
    clock: Clock


def route_scenario(
    scenario: Scenario,
    travel: TravelModel,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
    initial: Sequence[Route] | None = None,
    refit: bool = False,
) -> RoutedDay:
    """Compile, route, time (and re-sequence where the day weighs its latest start); given
    ``initial`` (routes of this scenario's caregivers), the search starts from them; with
    ``refit`` they are a roster of the day before it changed (a repair): the search starts
    from what still fits of them (``fitting_routes``)."""
    problem = compile_problem(scenario, travel)
    log.info("compiled %d visit nodes, %d shifts", problem.num_nodes, problem.num_vehicles)
    start = None if initial is None else initial_node_routes(problem, initial)
    if start is not None and refit:
        start = fitting_routes(problem, start)
    reseq = resequence.applies(problem)
    search = params
    if reseq:  # the re-sequencing runs inside the time limit: the search has the rest of it
        search = replace(params, time_limit_s=params.time_limit_s * (1 - resequence.TIME_SHARE))
    result = solve_routes(problem, search, on_progress, start)
    log.info(
        "routing search: %s, cost %d, %.1f s, first solution by %s",
        result.status,
        result.cost,
        result.wall_s,
        result.first_solution,
    )
    timing = schedule_routes(problem, result.routes, seed=params.seed)
    node_routes = result.routes
    if reseq:
        # The day weighs its latest start, which routing cannot see (solve/resequence.py).
        limit_s = resequence.TIME_SHARE * params.time_limit_s
        node_routes = resequence.resequence_routes(
            problem, node_routes, timing, limit_s, params.seed
        )
        if node_routes != result.routes:
            timing = schedule_routes(problem, node_routes, seed=params.seed)
    client_of = {v.id: v.client_id for v in scenario.visits}
    routes = build_routes(problem, node_routes, timing, client_of)
    return RoutedDay(routes, result, problem.clock)


def solve_scenario(
    scenario: Scenario,
    travel: TravelModel,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
    initial: Sequence[Route] | None = None,
    refit: bool = False,
) -> Roster:
    """A validated roster; the search starts from ``initial`` routes (``route_scenario``)."""
    day = route_scenario(scenario, travel, params, on_progress, initial, refit)
    info = SolveInfo(
        cost=day.result.cost,
        status=day.result.status,
        first_solution=day.result.first_solution,
        time_limit_s=params.time_limit_s,
        seed=params.seed,
        wall_s=round(day.result.wall_s, 3),
    )
    return finish_roster(scenario, day.routes, info, day.clock, travel)


def initial_node_routes(
    problem: Problem, routes: Sequence[Route]
) -> tuple[tuple[int, ...], ...] | None:
    """Roster routes as the problem's node routes (per vehicle), or None where one of them
    does not fit it (a caregiver, shift or visit it does not have)."""
    caregiver_index = {cid: i for i, cid in enumerate(problem.caregiver_ids)}
    copies: dict[str, list[int]] = {}
    for node, vi in enumerate(problem.node_visit):
        copies.setdefault(problem.visit_ids[int(vi)], []).append(node)
    node_routes: list[list[int]] = [[] for _ in range(problem.num_vehicles)]
    for route in routes:
        ci = caregiver_index.get(route.caregiver_id)
        departure_s = problem.clock.to_s(route.departure)
        vehicle = next(
            (
                v
                for v in range(problem.num_vehicles)
                if problem.vehicle_caregiver[v] == ci
                and problem.vehicle_start_s[v] <= departure_s <= problem.vehicle_end_s[v]
            ),
            None,
        )
        if vehicle is None or node_routes[vehicle]:
            return None
        for stop in route.stops:
            free = copies.get(stop.visit_id)
            if not free:
                return None
            node_routes[vehicle].append(free.pop(0))
    return tuple(tuple(r) for r in node_routes)


def fitting_routes(
    problem: Problem, routes: tuple[tuple[int, ...], ...]
) -> tuple[tuple[int, ...], ...]:
    """The routes less the stops that no longer fit them (a roster of the day before it
    changed). First each route alone, without double-handed copies: in order, a stop is kept
    when its vehicle may serve it and the route so far still has start times. Then each
    double-handed visit whose copies all were there goes back in where it was, when the day so
    far still has start times with it. A start the routing model rejects is thrown away whole,
    so it must be feasible."""
    tied = {n for group in problem.sync_groups for n in group}
    empty: list[tuple[int, ...]] = [() for _ in routes]
    kept_routes: list[tuple[int, ...]] = []
    for v, nodes in enumerate(routes):
        kept: list[int] = []
        for node in nodes:
            if node in tied or v not in problem.node_allowed_vehicles[node]:
                continue
            trial = list(empty)
            trial[v] = (*kept, node)
            if _has_times(problem, tuple(trial)):
                kept.append(node)
        kept_routes.append(tuple(kept))
    vehicle_of = {n: v for v, nodes in enumerate(routes) for n in nodes}
    for group in problem.sync_groups:
        if not all(n in vehicle_of for n in group):
            continue
        trial = list(kept_routes)
        for node in group:
            v = vehicle_of[node]
            if v not in problem.node_allowed_vehicles[node]:
                break
            placed = set(trial[v]) | {node}
            trial[v] = tuple(n for n in routes[v] if n in placed)
        else:
            if _has_times(problem, tuple(trial)):
                kept_routes = trial
    return tuple(kept_routes)


def _has_times(problem: Problem, routes: tuple[tuple[int, ...], ...]) -> bool:
    try:
        schedule_routes(problem, routes)
    except SolverError:
        return False
    return True


def finish_roster(
    scenario: Scenario,
    routes: tuple[Route, ...],
    info: SolveInfo,
    clock: Clock,
    travel: TravelModel,
) -> Roster:
    """Routes to a roster: reasons for what is left out, key figures, and the validator's word
    (a broken hard rule is an internal error, never a roster). A search stopped early
    (``scheduler.stop``) gives a roster marked as interrupted."""
    if stop_requested():
        info = info.model_copy(update={"interrupted": True})
    served = {stop.visit_id for route in routes for stop in route.stops}
    missing = [v.id for v in scenario.visits if v.id not in served]
    unassigned = explain_unassigned(scenario, routes, missing, clock, travel)
    roster = Roster(
        scenario=scenario.name,
        time_zone=scenario.time_zone,
        routes=routes,
        unassigned=unassigned,
        solve_info=info,
    )
    roster = roster.model_copy(update={"kpis": compute_kpis(scenario, roster)})
    violations = validate_roster(scenario, roster, travel)
    if violations:
        listed = "\n".join(f"  - {v}" for v in violations[:20])
        raise SolverError(f"the optimiser produced a roster that breaks hard rules:\n{listed}")
    log.info(
        "roster: %d of %d visits assigned, validator found no broken rule",
        len(served),
        len(scenario.visits),
    )
    return roster
