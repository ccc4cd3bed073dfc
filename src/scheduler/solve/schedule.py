"""Exact start times for fixed routes (CP-SAT): the only module that imports CP-SAT.

Routing decides who goes where and in what order; this model then picks the start times. With the
order fixed, every rule is a difference constraint (travel, windows, synchronised starts, lags,
working time; breaks add one boolean per gap), so the model is small and solves to optimality
in well under a second for a day.
Objective: with soft windows, least lateness cost first (seconds late, and the latest start, at
their weights); then least total working time (leave home as late and return as early as the
rules allow), with the lateness cost held at its optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.errors import SolverError
from scheduler.solve.compile import Problem, with_lateness


@dataclass(frozen=True)
class Timing:
    node_start_s: dict[int, int]
    vehicle_departure_s: dict[int, int]
    vehicle_return_s: dict[int, int]
    vehicle_breaks_s: dict[int, tuple[tuple[int, int], ...]]  # (start, end) of each break


def schedule_routes(problem: Problem, routes: tuple[tuple[int, ...], ...], seed: int = 0) -> Timing:
    model = cp_model.CpModel()
    start: dict[int, cp_model.IntVar] = {}
    departure: dict[int, cp_model.IntVar] = {}
    arrival_home: dict[int, cp_model.IntVar] = {}

    pauses: dict[int, list[tuple[cp_model.IntVar, cp_model.IntVar, int]]] = {}
    for v, nodes in enumerate(routes):
        if not nodes:
            continue
        profile = int(problem.vehicle_profile[v])
        travel = problem.travel_s[profile]
        home = int(problem.vehicle_location[v])
        lo, hi = int(problem.vehicle_start_s[v]), int(problem.vehicle_end_s[v])
        departure[v] = model.new_int_var(lo, hi, f"departure[{v}]")
        arrival_home[v] = model.new_int_var(lo, hi, f"return[{v}]")
        # Gaps of the route: after leaving home, after each stop; a gap holds the travel to the
        # next stop (or home) and, where the caregiver takes one, a break.
        gap_end: list[cp_model.LinearExprT] = [departure[v]]
        gap_travel: list[int] = []
        gap_next: list[cp_model.IntVar] = []
        previous_loc = home
        for node in nodes:
            windows = with_lateness(problem.node_windows_s[node], problem.late_start_max_s)
            domain = cp_model.Domain.from_intervals([[a, b] for a, b in windows])
            start[node] = model.new_int_var_from_domain(domain, f"start[{node}]")
            loc = int(problem.node_location[node])
            gap_travel.append(int(travel[previous_loc, loc]))
            gap_next.append(start[node])
            gap_end.append(start[node] + int(problem.node_service_s[node]))
            previous_loc = loc
        gap_travel.append(int(travel[previous_loc, home]))
        gap_next.append(arrival_home[v])
        pause_s, stretch_s = int(problem.vehicle_break_s[v]), int(problem.vehicle_break_after_s[v])
        gaps = _breaks(
            model, v, departure[v], arrival_home[v], gap_end, gap_next, stretch_s, pause_s
        )
        pauses[v] = [(g[0], g[1], pause_s) for g in gaps if g is not None]
        for k, (end, trip, nxt) in enumerate(zip(gap_end, gap_travel, gap_next, strict=True)):
            gap = gaps[k]
            model.add(nxt >= end + trip + (gap[0] * pause_s if gap is not None else 0))

    for group in problem.sync_groups:
        if group[0] in start:
            for node in group[1:]:
                model.add(start[node] == start[group[0]])
    for arc in problem.dependencies:
        if arc.earlier in start and arc.later in start:
            model.add(start[arc.later] - start[arc.earlier] >= arc.min_lag_s)
            if arc.max_lag_s is not None:
                model.add(start[arc.later] - start[arc.earlier] <= arc.max_lag_s)
    for limit in problem.work_limits:
        used = [v for v in limit.vehicles if v in departure]
        if used:
            model.add(sum(arrival_home[v] - departure[v] for v in used) <= limit.max_work_s)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = 60.0
    lateness = _lateness_cost(model, problem, start)
    if lateness is not None:
        model.minimize(lateness)
        _solve(solver, model)
        model.add(lateness <= int(solver.objective_value))
        model.clear_objective()
    model.minimize(sum(arrival_home[v] - departure[v] for v in departure))
    _solve(solver, model)
    return Timing(
        node_start_s={n: int(solver.value(var)) for n, var in start.items()},
        vehicle_departure_s={v: int(solver.value(var)) for v, var in departure.items()},
        vehicle_return_s={v: int(solver.value(var)) for v, var in arrival_home.items()},
        vehicle_breaks_s={
            v: tuple(
                (int(solver.value(at)), int(solver.value(at)) + length)
                for taken, at, length in items
                if solver.value(taken)
            )
            for v, items in pauses.items()
        },
    )


def _breaks(
    model: cp_model.CpModel,
    v: int,
    departure: cp_model.IntVar,
    arrival_home: cp_model.IntVar,
    gap_end: list[cp_model.LinearExprT],
    gap_next: list[cp_model.IntVar],
    stretch_s: int,
    pause_s: int,
) -> list[tuple[cp_model.IntVar, cp_model.IntVar] | None]:
    """Per gap of route ``v`` (after the departure, after each stop): whether a break is taken
    there and when it starts (None: no break rule).

    A break lies anywhere in its gap (the gap then holds the travel and the break); every
    stretch of work between departure, breaks and return is at most ``stretch_s``.
    """
    if stretch_s <= 0:
        return [None] * len(gap_end)
    out: list[tuple[cp_model.IntVar, cp_model.IntVar] | None] = []
    since: cp_model.LinearExprT = departure  # when the current stretch of work began
    for k, (end, nxt) in enumerate(zip(gap_end, gap_next, strict=True)):
        taken = model.new_bool_var(f"break[{v},{k}]")
        at = model.new_int_var(0, 10**9, f"break_at[{v},{k}]")
        model.add(at >= end).only_enforce_if(taken)
        model.add(at + pause_s <= nxt).only_enforce_if(taken)
        model.add(at - since <= stretch_s).only_enforce_if(taken)
        model.add(at == end).only_enforce_if(taken.negated())
        model.add(end - since <= stretch_s)
        restart = model.new_int_var(0, 10**9, f"restart[{v},{k}]")
        model.add(restart == at + pause_s).only_enforce_if(taken)
        model.add(restart == since).only_enforce_if(taken.negated())
        since = restart
        out.append((taken, at))
    model.add(arrival_home - since <= stretch_s)
    return out


def _solve(solver: cp_model.CpSolver, model: cp_model.CpModel) -> None:
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverError(
            f"no start times fit the routes the optimiser returned ({solver.status_name(status)})"
        )


def _lateness_cost(
    model: cp_model.CpModel, problem: Problem, start: dict[int, cp_model.IntVar]
) -> cp_model.LinearExpr | None:
    """Weighted seconds late over the visits (first copy each) plus the weighted latest start."""
    if not problem.late_start_max_s or not start:
        return None
    copies = {node for group in problem.sync_groups for node in group[1:]}
    late = []
    for node, var in start.items():
        if node in copies:
            continue
        due = problem.node_windows_s[node][-1][1]
        seconds = model.new_int_var(0, problem.late_start_max_s, f"late[{node}]")
        model.add(seconds >= var - due)
        late.append(seconds)
    latest = model.new_int_var(0, problem.late_start_max_s, "latest")
    for seconds in late:
        model.add(latest >= seconds)
    return problem.lateness_weight * sum(late) + problem.max_lateness_weight * latest
