"""Exact re-sequencing of one route at a time with CP-SAT, the other routes re-timed (after
routing).

The routing search weighs travel and each visit's lateness, but not the latest start of the
day: OR-Tools has no cost on the maximum of cumuls, so with ``max_lateness_weight`` the
objective it descends is not the day's. This stage closes part of that gap: each route in turn
is re-ordered and re-timed to optimality for the day's whole objective (travel, lateness, the
latest start, overtime) while every other route keeps its order but may move in time, so that
the partners of its tied visits (on other routes) move with it; a first pass holds the other
routes' starts instead (a much smaller model). Shifts with a break rule keep their starts. A
route whose optimum is not cheaper keeps its order.

Measured on Mankowska (docs/experiments.md): on D4 the latest start is on one caregiver's route
behind visits tied to other routes, which routing moves one at a time cannot reorder; on C5 the
one caregiver with a skill twelve visits need was late behind tied visits whose partners could
only move if their own routes were re-timed too (8.99 % -> 0.56 %).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from scheduler.solve.compile import Problem, with_lateness
from scheduler.solve.schedule import Timing
from scheduler.stop import stop_requested, stopping

_NO_LIMIT = np.iinfo(np.int64).max // 4
# The sweep's cap, as a share of the solve's time limit: it runs after the routing search,
# which has the rest of the limit (pipeline.route_scenario); it took 0.03-2.2 s on Mankowska
# A-E at 60 s, and more than its share (in wall time) on G at 300 s before the wall cap.
TIME_SHARE = 0.05
# Longest CP-SAT solve of one route (deterministic seconds); routes of 10-20 stops prove optimal
# far sooner.
_ROUTE_TIME_LIMIT_S = 2.0


@dataclass(frozen=True)
class Held:
    """What the shifts that keep their starts fix: every start they serve, the latest lateness
    among them, and each of their shifts' working time."""

    start_s: dict[int, int]
    latest_late_s: int
    work_s: dict[int, int]
    copies: frozenset[int]  # double-handed copies after the first (the first carries lateness)


@dataclass
class _Day:
    """The current roster's orders and times, updated as routes change."""

    routes: list[tuple[int, ...]]
    start_s: dict[int, int]
    departure_s: dict[int, int]
    return_s: dict[int, int]

    def work_s(self, v: int) -> int:
        return self.return_s.get(v, 0) - self.departure_s.get(v, 0)


def resequence_routes(
    problem: Problem,
    routes: tuple[tuple[int, ...], ...],
    timing: Timing,
    time_limit_s: float,
    seed: int = 0,
) -> tuple[tuple[int, ...], ...]:
    """``routes`` with each route in turn re-ordered where that lowers the day's objective (the
    same visits on the same shifts; longest routes first, until ``time_limit_s`` is spent, in
    CP-SAT's deterministic seconds, so that a sweep repeats on any machine). The same seconds
    of wall time are a hard cap as well (building a day-sized model per route is not counted
    in deterministic time): on a loaded or slow machine the sweep stops there, to keep the
    solve's time limit, and is then not repeated exactly.

    Applies to days that weigh the latest start (``max_lateness_weight`` with soft windows),
    and only to shifts without a break rule. The caller re-times the result
    (``schedule_routes``): every order returned has start times that keep every hard rule.
    """
    if not applies(problem):
        return routes
    left_s = time_limit_s
    deadline = time.monotonic() + time_limit_s
    day = _Day(
        routes=list(routes),
        start_s=dict(timing.node_start_s),
        departure_s=dict(timing.vehicle_departure_s),
        return_s=dict(timing.vehicle_return_s),
    )
    longest_first = sorted(range(len(routes)), key=lambda u: -len(routes[u]))
    # First with the other routes held (a small model: on D4 it proves a better order for the
    # 17-stop bottleneck at once, where the day-sized model found none in 2 s), then re-timed.
    for retime_others in (False, True):
        for v in longest_first:
            wall_left_s = deadline - time.monotonic()
            if left_s <= 0 or wall_left_s <= 0 or stop_requested():
                break
            if len(day.routes[v]) < 2 or problem.vehicle_break_after_s[v] > 0:
                continue
            limit_s = min(left_s, _ROUTE_TIME_LIMIT_S)
            left_s -= _reorder(problem, v, day, limit_s, seed, retime_others, wall_left_s)
    return tuple(day.routes)


def applies(problem: Problem) -> bool:
    """Whether the day weighs its latest start (soft windows with ``max_lateness_weight``)."""
    return bool(problem.max_lateness_weight and problem.late_start_max_s)


def _late_s(problem: Problem, node: int, start_s: int) -> int:
    """Seconds ``node`` starts after its last window."""
    return max(0, start_s - problem.node_windows_s[node][-1][1])


def _retimed(problem: Problem, v: int, day: _Day, retime_others: bool) -> set[int]:
    """The shifts whose times the model of shift ``v`` frees: ``v``, and with ``retime_others``
    every other one without a break rule (re-timing those would need the breaks)."""
    if not retime_others:
        return {v}
    return {
        u for u, route in enumerate(day.routes) if route and not problem.vehicle_break_after_s[u]
    }


def _held(problem: Problem, day: _Day, retimed: set[int]) -> Held:
    """What the shifts outside ``retimed`` fix."""
    kept = [u for u, route in enumerate(day.routes) if route and u not in retimed]
    copies = problem.later_copies
    start_s = {n: day.start_s[n] for u in kept for n in day.routes[u]}
    return Held(
        start_s=start_s,
        latest_late_s=max(
            (_late_s(problem, n, s) for n, s in start_s.items() if n not in copies), default=0
        ),
        work_s={u: day.work_s(u) for u in kept},
        copies=copies,
    )


def _reorder(
    problem: Problem,
    v: int,
    day: _Day,
    time_limit_s: float,
    seed: int,
    retime_others: bool,
    wall_limit_s: float,
) -> float:
    """Re-order shift ``v``'s stops, with the other shifts held or (``retime_others``) re-timed
    in their orders, if that lowers the objective; updates ``day`` then. Returns the
    deterministic seconds the solve took (at most ``time_limit_s``; wall seconds at most
    ``wall_limit_s``)."""
    retimed = _retimed(problem, v, day, retime_others)
    held = _held(problem, day, retimed)
    model = cp_model.CpModel()
    start: dict[int, cp_model.IntVar] = {}
    spans: dict[int, cp_model.LinearExpr] = {}
    departure: dict[int, cp_model.IntVar] = {}
    arrival_home: dict[int, cp_model.IntVar] = {}
    arcs: list[tuple[int, int, cp_model.IntVar]] = []
    travel_terms: list[cp_model.LinearExpr] = []
    for u, route in enumerate(day.routes):
        if u not in retimed:
            continue
        lo, hi = int(problem.vehicle_start_s[u]), int(problem.vehicle_end_s[u])
        departure[u] = model.new_int_var(lo, hi, f"departure[{u}]")
        arrival_home[u] = model.new_int_var(lo, hi, f"return[{u}]")
        for n in route:
            windows = with_lateness(problem.node_windows_s[n], problem.late_start_max_s)
            domain = cp_model.Domain.from_intervals([[a, b] for a, b in windows])
            start[n] = model.new_int_var_from_domain(domain, f"start[{n}]")
        if u == v:
            arcs, travel_terms = _add_circuit(
                model, problem, u, route, departure[u], arrival_home[u], start
            )
        else:
            _add_sequence(model, problem, u, route, departure[u], arrival_home[u], start)
        spans[u] = arrival_home[u] - departure[u]
    _add_working_time(model, problem, spans, held)
    _add_ties(model, problem, start, held)

    copies = problem.later_copies
    late = {}
    for n in start:
        if n in copies:
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
    for u, span in spans.items():
        overtime_after_s = int(problem.vehicle_overtime_after_s[u])
        if problem.overtime_weight and overtime_after_s < _NO_LIMIT:
            overtime = model.new_int_var(0, _span_bound(problem, u), f"overtime[{u}]")
            model.add(overtime >= span - overtime_after_s)
            cost += problem.overtime_weight * overtime
    model.minimize(cost)

    current = _cost_as_is(problem, v, day, spans, held)
    _hint(model, arcs, day.routes[v], start, departure, arrival_home, day)
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False  # Ctrl-C is scheduler.stop's
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max(time_limit_s, 0.01)
    solver.parameters.max_time_in_seconds = max(wall_limit_s, 0.01)
    with stopping(solver):  # a requested stop keeps the best found
        status = solver.solve(model)
    used_s = solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value >= current:
        return used_s
    succ = {i: j for i, j, lit in arcs if solver.value(lit)}
    order, at = [], succ[0]
    while at != 0:
        order.append(day.routes[v][at - 1])
        at = succ[at]
    day.routes[v] = tuple(order)
    day.start_s.update({n: int(solver.value(var)) for n, var in start.items()})
    day.departure_s.update({u: int(solver.value(var)) for u, var in departure.items()})
    day.return_s.update({u: int(solver.value(var)) for u, var in arrival_home.items()})
    return used_s


def _add_circuit(
    model: cp_model.CpModel,
    problem: Problem,
    v: int,
    route: tuple[int, ...],
    departure: cp_model.IntVar,
    arrival_home: cp_model.IntVar,
    start: dict[int, cp_model.IntVar],
) -> tuple[list[tuple[int, int, cp_model.IntVar]], list[cp_model.LinearExpr]]:
    """Shift ``v``'s stops in any order (circuit node 0: its home); the arcs and travel terms."""
    travel = problem.travel_s[int(problem.vehicle_profile[v])]
    locs = [int(problem.vehicle_location[v]), *(int(problem.node_location[n]) for n in route)]
    service = [0, *(int(problem.node_service_s[n]) for n in route)]
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
    return arcs, travel_terms


def _add_sequence(
    model: cp_model.CpModel,
    problem: Problem,
    u: int,
    route: tuple[int, ...],
    departure: cp_model.IntVar,
    arrival_home: cp_model.IntVar,
    start: dict[int, cp_model.IntVar],
) -> None:
    """Shift ``u``'s stops in their current order: each after the one before and the travel."""
    travel = problem.travel_s[int(problem.vehicle_profile[u])]
    home = int(problem.vehicle_location[u])
    locs = [home, *(int(problem.node_location[n]) for n in route), home]
    service = [0, *(int(problem.node_service_s[n]) for n in route)]
    time_at = [departure, *(start[n] for n in route), arrival_home]
    for i in range(len(locs) - 1):
        trip = int(travel[locs[i], locs[i + 1]])
        model.add(time_at[i + 1] >= time_at[i] + service[i] + trip)


def _add_working_time(
    model: cp_model.CpModel,
    problem: Problem,
    spans: dict[int, cp_model.LinearExpr],
    held: Held,
) -> None:
    """Hard: each re-timed shift's share of its limits, and every limit shifts share (held
    shifts at their working time)."""
    for u, span in spans.items():
        if u in problem.limited_vehicles:
            model.add(span <= int(problem.vehicle_max_work_s[u]))
    for limit in problem.work_limits:
        if not any(u in spans for u in limit.vehicles):
            continue
        used = [spans[u] if u in spans else held.work_s.get(u, 0) for u in limit.vehicles]
        model.add(sum(used) <= limit.max_work_s)


def _add_ties(
    model: cp_model.CpModel, problem: Problem, start: dict[int, cp_model.IntVar], held: Held
) -> None:
    """Hard: double-handed copies start together and lags hold, between re-timed visits and
    against held ones (a tie with a visit not served binds nothing)."""

    def at(node: int) -> cp_model.LinearExpr | int | None:
        return start[node] if node in start else held.start_s.get(node)

    for group in problem.sync_groups:
        present = [node for node in group if node in start or node in held.start_s]
        for a, b in itertools.pairwise(present):
            if a in start or b in start:
                model.add(at(a) == at(b))
    for arc in problem.dependencies:
        if arc.earlier not in start and arc.later not in start:
            continue
        earlier, later = at(arc.earlier), at(arc.later)
        if earlier is None or later is None:
            continue
        model.add(later - earlier >= arc.min_lag_s)
        if arc.max_lag_s is not None:
            model.add(later - earlier <= arc.max_lag_s)


def _span_bound(problem: Problem, u: int) -> int:
    return int(problem.vehicle_end_s[u] - problem.vehicle_start_s[u])


def _cost_as_is(
    problem: Problem, v: int, day: _Day, spans: dict[int, cp_model.LinearExpr], held: Held
) -> int:
    """The objective of ``_reorder``'s model at the current orders and starts."""
    travel = problem.travel_s[int(problem.vehicle_profile[v])]
    home = int(problem.vehicle_location[v])
    locs = [home, *(int(problem.node_location[n]) for n in day.routes[v]), home]
    travel_s = sum(int(travel[a, b]) for a, b in itertools.pairwise(locs))
    late = [
        _late_s(problem, n, day.start_s[n])
        for u in spans
        for n in day.routes[u]
        if n not in held.copies
    ]
    cost = (
        problem.travel_weight * travel_s
        + problem.lateness_weight * sum(late)
        + problem.max_lateness_weight * max([held.latest_late_s, *late])
    )
    for u in spans:
        overtime_after_s = int(problem.vehicle_overtime_after_s[u])
        if problem.overtime_weight and overtime_after_s < _NO_LIMIT:
            cost += problem.overtime_weight * max(0, day.work_s(u) - overtime_after_s)
    return cost


def _hint(
    model: cp_model.CpModel,
    arcs: list[tuple[int, int, cp_model.IntVar]],
    route: tuple[int, ...],
    start: dict[int, cp_model.IntVar],
    departure: dict[int, cp_model.IntVar],
    arrival_home: dict[int, cp_model.IntVar],
    day: _Day,
) -> None:
    """The current orders and times as the solver's first guess."""
    position = [0, *range(1, len(route) + 1), 0]
    taken = set(itertools.pairwise(position))
    for i, j, lit in arcs:
        model.add_hint(lit, (i, j) in taken)
    for n, var in start.items():
        model.add_hint(var, day.start_s[n])
    for u, var in departure.items():
        model.add_hint(var, day.departure_s[u])
    for u, var in arrival_home.items():
        model.add_hint(var, day.return_s[u])
