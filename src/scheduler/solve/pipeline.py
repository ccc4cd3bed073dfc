"""One solve, end to end: compile -> route -> time (-> re-sequence -> re-time) -> extract ->
explain -> measure -> validate."""

from __future__ import annotations

import logging
from collections.abc import Callable

from scheduler.domain.clock import Clock
from scheduler.domain.model import Scenario
from scheduler.errors import SolverError
from scheduler.solution.explain import explain_unassigned
from scheduler.solution.kpis import compute_kpis
from scheduler.solution.roster import Roster, Route, SolveInfo
from scheduler.solution.validate import validate_roster
from scheduler.solve import resequence
from scheduler.solve.compile import compile_problem
from scheduler.solve.extract import build_routes
from scheduler.solve.params import SolveParams
from scheduler.solve.routing import Progress, solve_routes
from scheduler.solve.schedule import schedule_routes
from scheduler.travel.base import TravelModel

log = logging.getLogger(__name__)


def solve_scenario(
    scenario: Scenario,
    travel: TravelModel,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
) -> Roster:
    problem = compile_problem(scenario, travel)
    log.info("compiled %d visit nodes, %d shifts", problem.num_nodes, problem.num_vehicles)
    result = solve_routes(problem, params, on_progress)
    timing = schedule_routes(problem, result.routes, seed=params.seed)
    node_routes = result.routes
    if resequence.applies(problem):
        # The day weighs its latest start, which routing cannot see (solve/resequence.py).
        limit_s = resequence.TIME_SHARE * params.time_limit_s
        node_routes = resequence.resequence_routes(
            problem, node_routes, timing, limit_s, params.seed
        )
        if node_routes != result.routes:
            timing = schedule_routes(problem, node_routes, seed=params.seed)
    client_of = {v.id: v.client_id for v in scenario.visits}
    routes = build_routes(problem, node_routes, timing, client_of)

    info = SolveInfo(
        cost=result.cost,
        status=result.status,
        first_solution=result.first_solution,
        time_limit_s=params.time_limit_s,
        seed=params.seed,
        wall_s=round(result.wall_s, 3),
    )
    return finish_roster(scenario, routes, info, problem.clock, travel)


def finish_roster(
    scenario: Scenario,
    routes: tuple[Route, ...],
    info: SolveInfo,
    clock: Clock,
    travel: TravelModel,
) -> Roster:
    """Routes to a roster: reasons for what is left out, key figures, and the validator's word
    (a broken hard rule is an internal error, never a roster)."""
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
    return roster
