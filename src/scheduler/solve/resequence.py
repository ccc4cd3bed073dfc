"""Exact re-sequencing of one route at a time with CP-SAT, everything else held (after routing).

The routing search weighs travel and each visit's lateness, but not the latest start of the
day: OR-Tools has no cost on the maximum of cumuls, so with ``max_lateness_weight`` the
objective it descends is not the day's. This stage closes part of that gap: each route in turn
is re-ordered and re-timed to optimality for the day's whole objective (travel, lateness, the
latest start, overtime), with every other route's starts, and so every partner of a tied visit,
held where the timing stage put them. A route whose optimum is not cheaper keeps its order.

Measured on Mankowska D4 (docs/benchmarks.md): the latest start is on one caregiver's route
behind visits tied to other routes, which routing moves one at a time cannot reorder.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from scheduler.solve.compile import Problem, with_lateness
from scheduler.solve.schedule import Timing

_NO_LIMIT = np.iinfo(np.int64).max // 4
# The sweep's cap, as a share of the routing search's time limit (it runs after that search, as
# the timing stage does; it took 0.03-2.2 s on Mankowska A-E at 60 s).
TIME_SHARE = 0.05
# Longest CP-SAT solve of one route (deterministic seconds); routes of 10-20 stops prove optimal
# far sooner.
_ROUTE_TIME_LIMIT_S = 2.0


@dataclass(frozen=True)
class Held:
    """What the routes other than the one being re-sequenced fix: every start they serve, the
    latest lateness among them, and each of their shifts' working time."""

    start_s: dict[int, int]
    latest_late_s: int
    work_s: dict[int, int]
    copies: frozenset[int]  # double-handed copies after the first (the first carries lateness)


def resequence_routes(
    problem: Problem,
    routes: tuple[tuple[int, ...], ...],
    timing: Timing,
    time_limit_s: float,
    seed: int = 0,
) -> tuple[tuple[int, ...], ...]:
    """``routes`` with each route in turn re-ordered where that lowers the day's objective (the
    same visits on the same shifts; longest routes first, until ``time_limit_s`` is spent, in
    CP-SAT's deterministic seconds, so that a sweep repeats on any machine).

    Applies to days that weigh the latest start (``max_lateness_weight`` with soft windows),
    and only to shifts without a break rule. The caller re-times the result
    (``schedule_routes``): every order returned has start times that keep every hard rule.
    """
    if not applies(problem):
        return routes
    left_s = time_limit_s
    out = list(routes)
    start_s = dict(timing.node_start_s)
    work_s = {
        u: timing.vehicle_return_s[u] - timing.vehicle_departure_s[u]
        for u in timing.vehicle_return_s
    }
    copies = problem.later_copies
    for v in sorted(range(len(out)), key=lambda u: -len(out[u])):
        if left_s <= 0:
            break
        if len(out[v]) < 2 or problem.vehicle_break_after_s[v] > 0:
            continue
        others = [n for u, route in enumerate(out) if u != v for n in route]
        held = Held(
            start_s={n: start_s[n] for n in others},
            latest_late_s=max(
                (_late_s(problem, n, start_s[n]) for n in others if n not in copies), default=0
            ),
            work_s={u: s for u, s in work_s.items() if u != v},
            copies=copies,
        )
        limit_s = min(left_s, _ROUTE_TIME_LIMIT_S)
        found, used_s = _best_order(problem, v, out[v], start_s, work_s[v], held, limit_s, seed)
        left_s -= used_s
        if found is not None:
            out[v], starts, work_s[v] = found
            start_s.update(starts)
    return tuple(out)


def applies(problem: Problem) -> bool:
    """Whether the day weighs its latest start (soft windows with ``max_lateness_weight``)."""
    return bool(problem.max_lateness_weight and problem.late_start_max_s)


def _late_s(problem: Problem, node: int, start_s: int) -> int:
    """Seconds ``node`` starts after its last window."""
    return max(0, start_s - problem.node_windows_s[node][-1][1])


def _best_order(
    problem: Problem,
    v: int,
    route: tuple[int, ...],
    start_s: dict[int, int],
    work_s: int,
    held: Held,
    time_limit_s: float,
    seed: int,
) -> tuple[tuple[tuple[int, ...], dict[int, int], int] | None, float]:
    """Shift ``v``'s stops ordered and timed at least cost with ``held`` fixed: (order, starts,
    working seconds), or None if none beats ``route`` at its current starts (``start_s``) and
    working time (``work_s``); and the deterministic seconds the solve took."""
    model = cp_model.CpModel()
    travel = problem.travel_s[int(problem.vehicle_profile[v])]
    home = int(problem.vehicle_location[v])
    locs = [home, *(int(problem.node_location[n]) for n in route)]
    service = [0, *(int(problem.node_service_s[n]) for n in route)]
    lo, hi = int(problem.vehicle_start_s[v]), int(problem.vehicle_end_s[v])
    departure = model.new_int_var(lo, hi, "departure")
    arrival_home = model.new_int_var(lo, hi, "return")
    start: dict[int, cp_model.IntVar] = {}
    for n in route:
        windows = with_lateness(problem.node_windows_s[n], problem.late_start_max_s)
        domain = cp_model.Domain.from_intervals([[a, b] for a, b in windows])
        start[n] = model.new_int_var_from_domain(domain, f"start[{n}]")
    time_at = [departure, *(start[n] for n in route)]  # when each circuit node is left from

    arcs, travel_terms = [], []
    for i in range(len(locs)):
        for j in range(len(locs)):
            if i == j:
                continue
            lit = model.new_bool_var(f"arc[{i},{j}]")
            arcs.append((i, j, lit))
            trip = int(travel[locs[i], locs[j]])
            arrive = arrival_home if j == 0 else time_at[j]
            model.add(arrive >= time_at[i] + service[i] + trip).only_enforce_if(lit)
            travel_terms.append(trip * lit)
    model.add_circuit(arcs)
    span = arrival_home - departure

    _add_working_time(model, problem, v, span, held)
    _add_ties(model, problem, start, held)

    late = {}
    for n in route:
        if n in held.copies:
            continue
        late[n] = model.new_int_var(0, problem.late_start_max_s, f"late[{n}]")
        model.add(late[n] >= start[n] - problem.node_windows_s[n][-1][1])
    latest = model.new_int_var(
        held.latest_late_s, max(held.latest_late_s, problem.late_start_max_s), "latest"
    )
    for seconds in late.values():
        model.add(latest >= seconds)
    cost = (
        problem.travel_weight * sum(travel_terms)
        + problem.lateness_weight * sum(late.values())
        + problem.max_lateness_weight * latest
    )
    overtime_after_s = int(problem.vehicle_overtime_after_s[v])
    if problem.overtime_weight and overtime_after_s < _NO_LIMIT:
        overtime = model.new_int_var(0, hi - lo, "overtime")
        model.add(overtime >= span - overtime_after_s)
        cost += problem.overtime_weight * overtime
    model.minimize(cost)

    current = _cost_as_is(problem, v, route, start_s, work_s, held)
    _hint(model, arcs, route, start, start_s)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(time_limit_s, 0.01)
    status = solver.solve(model)
    used_s = solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value >= current:
        return None, used_s
    succ = {i: j for i, j, lit in arcs if solver.value(lit)}
    order, at = [], succ[0]
    while at != 0:
        order.append(route[at - 1])
        at = succ[at]
    starts = {n: int(solver.value(start[n])) for n in route}
    return (tuple(order), starts, int(solver.value(arrival_home) - solver.value(departure))), used_s


def _add_working_time(
    model: cp_model.CpModel, problem: Problem, v: int, span: cp_model.LinearExpr, held: Held
) -> None:
    """Hard: the shift's share of its limits, and every limit it shares with held shifts."""
    if v in problem.limited_vehicles:
        model.add(span <= int(problem.vehicle_max_work_s[v]))
    for limit in problem.work_limits:
        if v in limit.vehicles:
            others_s = sum(held.work_s.get(u, 0) for u in limit.vehicles if u != v)
            model.add(span <= limit.max_work_s - others_s)


def _add_ties(
    model: cp_model.CpModel, problem: Problem, start: dict[int, cp_model.IntVar], held: Held
) -> None:
    """Hard: double-handed copies start with their held partners; lags hold against held
    visits and between visits of this route (a lag with a visit not served binds nothing)."""

    def at(node: int) -> cp_model.LinearExprT | None:
        return start[node] if node in start else held.start_s.get(node)

    for group in problem.sync_groups:
        for node in group:
            if node not in start:
                continue
            for other in group:
                if other in held.start_s:
                    model.add(start[node] == held.start_s[other])
    for arc in problem.dependencies:
        if arc.earlier not in start and arc.later not in start:
            continue
        earlier, later = at(arc.earlier), at(arc.later)
        if earlier is None or later is None:
            continue
        model.add(later - earlier >= arc.min_lag_s)
        if arc.max_lag_s is not None:
            model.add(later - earlier <= arc.max_lag_s)


def _cost_as_is(
    problem: Problem,
    v: int,
    route: tuple[int, ...],
    start_s: dict[int, int],
    work_s: int,
    held: Held,
) -> int:
    """The objective of ``_best_order``'s model at ``route``'s current order and starts."""
    travel = problem.travel_s[int(problem.vehicle_profile[v])]
    home = int(problem.vehicle_location[v])
    locs = [home, *(int(problem.node_location[n]) for n in route), home]
    travel_s = sum(int(travel[a, b]) for a, b in itertools.pairwise(locs))
    late = [_late_s(problem, n, start_s[n]) for n in route if n not in held.copies]
    cost = (
        problem.travel_weight * travel_s
        + problem.lateness_weight * sum(late)
        + problem.max_lateness_weight * max([held.latest_late_s, *late])
    )
    overtime_after_s = int(problem.vehicle_overtime_after_s[v])
    if problem.overtime_weight and overtime_after_s < _NO_LIMIT:
        cost += problem.overtime_weight * max(0, work_s - overtime_after_s)
    return cost


def _hint(
    model: cp_model.CpModel,
    arcs: list[tuple[int, int, cp_model.IntVar]],
    route: tuple[int, ...],
    start: dict[int, cp_model.IntVar],
    start_s: dict[int, int],
) -> None:
    """The current order and starts as the solver's first guess."""
    position = [0, *range(1, len(route) + 1), 0]
    taken = set(itertools.pairwise(position))
    for i, j, lit in arcs:
        model.add_hint(lit, (i, j) in taken)
    for n, var in start.items():
        model.add_hint(var, start_s[n])
