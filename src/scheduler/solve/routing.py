"""The OR-Tools routing adapter: the only module that imports ``ortools`` routing.

Build order as in the OR-Tools samples: manager -> model -> rules (transits, dimensions, ranges,
disjunctions) -> search parameters -> solve; then routes are extracted into plain tuples before
anything else looks at them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from scheduler.solve import rules
from scheduler.solve.compile import Problem
from scheduler.solve.params import SolveParams


@dataclass(frozen=True)
class Progress:
    """A new best roster found by the search (``solutions``: how many it has looked at)."""

    cost: int
    elapsed_s: float
    solutions: int


@dataclass(frozen=True)
class RoutingResult:
    routes: tuple[tuple[int, ...], ...]  # per vehicle: node sequence (visit copies)
    cost: int
    status: str
    wall_s: float
    first_solution: str  # strategy that produced the first solution


def build_model(problem: Problem) -> rules.RoutingContext:
    homes = [problem.num_nodes + v for v in range(problem.num_vehicles)]
    manager = pywrapcp.RoutingIndexManager(
        problem.num_nodes + problem.num_vehicles, problem.num_vehicles, homes, homes
    )
    routing = pywrapcp.RoutingModel(manager)
    ctx = rules.RoutingContext(problem=problem, manager=manager, routing=routing)
    for rule in (*rules.HARD_RULES, *rules.SOFT_RULES):
        rule(ctx)
    return ctx


def _search_parameters(
    params: SolveParams, strategy: str, time_limit_s: float
) -> pywrapcp.RoutingSearchParameters:
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    search.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
    )
    search.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
    search.log_search = params.log_search
    return search


def solve_routes(
    problem: Problem,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
) -> RoutingResult:
    """Assign and sequence visits. Always returns routes (possibly with visits left out)."""
    started = time.monotonic()
    if problem.num_vehicles == 0 or problem.num_nodes == 0:
        empty = tuple(() for _ in range(problem.num_vehicles))
        return RoutingResult(empty, 0, "TRIVIAL", time.monotonic() - started, "NONE")

    # If the preferred construction finds nothing (it can fail on tightly tied visits), fall back
    # to the empty roster, which is always feasible because every visit may be left out.
    for strategy in (params.first_solution, "ALL_UNPERFORMED"):
        remaining = params.time_limit_s - (time.monotonic() - started)
        ctx = build_model(problem)
        counter = [0]
        best = [2**63]

        def report(
            ctx: rules.RoutingContext = ctx, counter: list[int] = counter, best: list[int] = best
        ) -> None:
            # Guided local search also accepts worse solutions; report improvements only.
            counter[0] += 1
            cost = int(ctx.routing.CostVar().Max())
            if cost < best[0]:
                best[0] = cost
                if on_progress is not None:
                    on_progress(Progress(cost, time.monotonic() - started, counter[0]))

        ctx.routing.AddAtSolutionCallback(report)
        solution = ctx.routing.SolveWithParameters(
            _search_parameters(params, strategy, max(remaining, 0.5))
        )
        if solution is not None:
            routes = _extract_routes(ctx, solution)
            return RoutingResult(
                routes=routes,
                cost=int(solution.ObjectiveValue()),
                status=_status_name(ctx.routing.status()),
                wall_s=time.monotonic() - started,
                first_solution=strategy,
            )
    raise RuntimeError("OR-Tools found no roster even with every visit left out")


def _extract_routes(
    ctx: rules.RoutingContext, solution: pywrapcp.Assignment
) -> tuple[tuple[int, ...], ...]:
    routing, manager = ctx.routing, ctx.manager
    routes = []
    for v in range(ctx.problem.num_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        nodes = []
        while not routing.IsEnd(index):
            nodes.append(int(manager.IndexToNode(index)))
            index = solution.Value(routing.NextVar(index))
        routes.append(tuple(nodes))
    return tuple(routes)


def _status_name(status: int) -> str:
    names = {
        0: "NOT_SOLVED",
        1: "SUCCESS",
        2: "PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
        3: "FAIL",
        4: "FAIL_TIMEOUT",
        5: "INVALID",
        6: "INFEASIBLE",
        7: "OPTIMAL",
    }
    return names.get(int(status), str(status))
