"""The rules of the routing model, one named function each, in the order they are added.

Every function takes the :class:`RoutingContext` (OR-Tools objects plus the compiled problem) and
adds its rule. None of them imports OR-Tools: ``scheduler.solve.routing`` owns that import and the
build order. Hard rules restrict what a roster may be; soft rules add named cost terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from scheduler.solve.compile import Problem

TIME = "time"
LOAD = "load"


@dataclass
class RoutingContext:
    problem: Problem
    manager: Any  # pywrapcp.RoutingIndexManager
    routing: Any  # pywrapcp.RoutingModel
    # pywrapcp.BoundCost (bound, cost per unit above it), handed in by the routing adapter
    bound_cost: Callable[[int, int], Any]
    dimensions: dict[str, Any] = field(default_factory=dict)

    def index(self, node: int) -> int:
        return int(self.manager.NodeToIndex(node))

    @property
    def time(self) -> Any:
        return self.dimensions[TIME]


def _node_matrix(problem: Problem, profile: int, *, with_service: bool) -> list[list[int]]:
    matrix = problem.node_travel_s(profile)
    if with_service:
        service = np.concatenate([problem.node_service_s, np.zeros(problem.num_vehicles, np.int64)])
        matrix = matrix + service[:, None]
    out: list[list[int]] = matrix.tolist()
    return out


# --- travel and time ---------------------------------------------------------------------------


def add_travel_and_preference_costs(ctx: RoutingContext) -> None:
    """Soft: travel (``travel_per_s`` per second) plus the preference terms of the caregiver
    for each visit (preferred caregiver, language, gender; see domain.preferences).

    The preference cost of serving node j is charged on the arc into j, so a route pays it once
    per visit. Vehicles with the same travel profile and preference row share one matrix.
    (Per-vehicle unary transits would be lighter, but ortools 9.15 finds no solution with them.)
    """
    p = ctx.problem
    shared: dict[tuple[int, bytes], int] = {}
    travel_cost = [p.node_travel_s(profile) * p.travel_weight for profile in range(len(p.travel_s))]
    for v in range(p.num_vehicles):
        profile = int(p.vehicle_profile[v])
        row = np.concatenate([p.preference_cost[v], np.zeros(p.num_vehicles, np.int64)])
        key = (profile, row.tobytes())
        if key not in shared:
            matrix = travel_cost[profile] + row[None, :]
            np.fill_diagonal(matrix, 0)
            shared[key] = ctx.routing.RegisterTransitMatrix(matrix.tolist())
        ctx.routing.SetArcCostEvaluatorOfVehicle(shared[key], v)


def add_time_dimension(ctx: RoutingContext) -> None:
    """Hard: service then travel separate consecutive starts; waiting is allowed (slack)."""
    p = ctx.problem
    callbacks = [
        ctx.routing.RegisterTransitMatrix(_node_matrix(p, profile, with_service=True))
        for profile in range(len(p.travel_s))
    ]
    per_vehicle = [callbacks[int(p.vehicle_profile[v])] for v in range(p.num_vehicles)]
    ctx.routing.AddDimensionWithVehicleTransits(per_vehicle, p.horizon_s, p.horizon_s, False, TIME)
    ctx.dimensions[TIME] = ctx.routing.GetDimensionOrDie(TIME)


def add_visit_windows(ctx: RoutingContext) -> None:
    """Hard: service starts inside one of the visit's windows, or (soft windows) at most
    ``late_start_max_s`` (or the node's own cap) after the last one closes."""
    p = ctx.problem
    for node, windows in enumerate(p.node_windows_s):
        cumul = ctx.time.CumulVar(ctx.index(node))
        cumul.SetRange(windows[0][0], windows[-1][1] + p.late_start_max_of(node))
        for (_, end), (start, _) in pairwise(windows):
            if start - end > 1:
                cumul.RemoveInterval(end + 1, start - 1)


def add_lateness_costs(ctx: RoutingContext) -> None:
    """Soft: with soft windows, each second a visit starts after its last window costs
    ``lateness_weight`` (once per visit: a double-handed visit's copies start together)."""
    p = ctx.problem
    if not p.late_start_max_s or not p.lateness_weight:
        return
    copies = p.later_copies
    for node, windows in enumerate(p.node_windows_s):
        if node not in copies:
            ctx.time.SetCumulVarSoftUpperBound(ctx.index(node), windows[-1][1], p.lateness_weight)


def add_moved_start_costs(ctx: RoutingContext) -> None:
    """Soft: a published visit (a repair) costs per second it starts outside its published
    start plus or minus the tolerance, at ``moved_start_weight`` per tolerance's worth of
    seconds, so that the search keeps starts near where they were; the timing stage then
    counts each move beyond the tolerance exactly. Not on days with soft windows, whose
    lateness holds each start's one soft upper bound."""
    p = ctx.problem
    if not p.moved_start_weight or not len(p.node_published_s) or p.late_start_max_s:
        return
    per_s = max(1, p.moved_start_weight // max(p.churn_tolerance_s, 60))
    for node, at in enumerate(p.node_published_s):
        if at >= 0 and node not in p.later_copies:
            index = ctx.index(node)
            ctx.time.SetCumulVarSoftUpperBound(index, int(at) + p.churn_tolerance_s, per_s)
            ctx.time.SetCumulVarSoftLowerBound(index, max(0, int(at) - p.churn_tolerance_s), per_s)


def add_shift_windows(ctx: RoutingContext) -> None:
    """Hard: a caregiver leaves home and is back home within the shift."""
    p = ctx.problem
    for v in range(p.num_vehicles):
        lo, hi = int(p.vehicle_start_s[v]), int(p.vehicle_end_s[v])
        ctx.time.CumulVar(ctx.routing.Start(v)).SetRange(lo, hi)
        ctx.time.CumulVar(ctx.routing.End(v)).SetRange(lo, hi)


def add_max_working_time(ctx: RoutingContext) -> None:
    """Hard: from leaving home to coming back, within the shift's share of the daily limit."""
    p = ctx.problem
    for v in range(p.num_vehicles):
        if v in p.limited_vehicles:
            ctx.time.SetSpanUpperBoundForVehicle(int(p.vehicle_max_work_s[v]), v)


def add_overtime_costs(ctx: RoutingContext) -> None:
    """Soft: each second a shift works beyond its share of the weekly overtime threshold costs
    ``overtime_weight``."""
    p = ctx.problem
    if not p.overtime_weight:
        return
    no_limit = np.iinfo(np.int64).max // 4
    for v in range(p.num_vehicles):
        bound = int(p.vehicle_overtime_after_s[v])
        if bound < no_limit:
            ctx.time.SetSoftSpanUpperBoundForVehicle(ctx.bound_cost(bound, p.overtime_weight), v)


def add_breaks(ctx: RoutingContext) -> None:
    """Hard: a route longer than the caregiver's break_after holds a break of break_s (not
    during service), and no stretch of work around it is longer than break_after."""
    p = ctx.problem
    ruled = [v for v in range(p.num_vehicles) if p.vehicle_break_after_s[v] > 0]
    if not ruled:
        return
    visit_transits = [0] * ctx.routing.Size()
    for node in range(p.num_nodes):
        visit_transits[ctx.index(node)] = int(p.node_service_s[node])
    solver = ctx.routing.solver()
    for v in ruled:
        length = int(p.vehicle_break_s[v])
        lo, hi = int(p.vehicle_start_s[v]), int(p.vehicle_end_s[v])
        count = max(1, (hi - lo) // int(p.vehicle_break_after_s[v]))
        pauses = [
            solver.FixedDurationIntervalVar(lo, max(lo, hi - length), length, True, f"b{v}.{k}")
            for k in range(count)
        ]
        ctx.time.SetBreakIntervalsOfVehicle(pauses, v, visit_transits)
        ctx.time.SetBreakDistanceDurationOfVehicle(int(p.vehicle_break_after_s[v]), length, v)


def add_capacity(ctx: RoutingContext) -> None:
    """Hard: the loads of a shift's visits fit its caregiver's capacity (only when loads exist)."""
    p = ctx.problem
    if not p.node_load.any():
        return
    loads = [*(int(x) for x in p.node_load), *([0] * p.num_vehicles)]
    callback = ctx.routing.RegisterUnaryTransitVector(loads)
    capacities = [int(c) for c in p.vehicle_capacity]
    ctx.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, True, LOAD)
    ctx.dimensions[LOAD] = ctx.routing.GetDimensionOrDie(LOAD)


# --- who may serve a visit ---------------------------------------------------------------------


def add_eligibility(ctx: RoutingContext) -> None:
    """Hard: skills, role, client exclusions, household, pins (compiled into allowed shifts).

    The vehicle variable's domain is narrowed directly (-1 = not served): ortools 9.15's Python
    binding of ``SetAllowedVehiclesForIndex`` rejects every list (absl::Span typemap).
    """
    for node, allowed in enumerate(ctx.problem.node_allowed_vehicles):
        ctx.routing.VehicleVar(ctx.index(node)).SetValues([-1, *allowed])


# --- visits tied to each other -------------------------------------------------------------------


def add_double_handed_sync(ctx: RoutingContext) -> None:
    """Hard: the caregivers of a double-handed visit are different people who start together.

    All copies are served or none. Copies go to different shifts; since one caregiver's shifts
    never overlap (checked on input), different shifts at the same moment are different people.
    """
    routing, solver = ctx.routing, ctx.routing.solver()
    for group in ctx.problem.sync_groups:
        first = ctx.index(group[0])
        for node in group[1:]:
            other = ctx.index(node)
            solver.Add(routing.ActiveVar(first) == routing.ActiveVar(other))
            solver.Add(ctx.time.CumulVar(first) == ctx.time.CumulVar(other))
        for a_pos, a in enumerate(group):
            for b in group[a_pos + 1 :]:
                ia, ib = ctx.index(a), ctx.index(b)
                different = solver.IsDifferentVar(routing.VehicleVar(ia), routing.VehicleVar(ib))
                solver.Add(different >= routing.ActiveVar(ia))


def add_dependencies(ctx: RoutingContext) -> None:
    """Hard: a dependent visit starts within its lag after the visit it depends on.

    Binds only when both are served: ``later - earlier >= min_lag`` is relaxed by a big M
    otherwise (and likewise the maximum lag).
    """
    routing, solver, p = ctx.routing, ctx.routing.solver(), ctx.problem
    big_m = 2 * p.horizon_s
    for arc in p.dependencies:
        a, b = ctx.index(arc.earlier), ctx.index(arc.later)
        lag = ctx.time.CumulVar(b) - ctx.time.CumulVar(a)
        slack = big_m * (2 - routing.ActiveVar(a) - routing.ActiveVar(b))
        solver.Add(lag + slack >= arc.min_lag_s)
        if arc.max_lag_s is not None:
            solver.Add(lag - slack <= arc.max_lag_s)


def add_different_caregivers(ctx: RoutingContext) -> None:
    """Hard: the two visits of a ``different_caregiver`` dependency have two caregivers.

    A caregiver may work several shifts (vehicles) a day, so per caregiver allowed for both,
    at most one of the two visits is on any of their shifts. Its own pairs, not the
    dependencies': the pinned search drops the lags it holds by pins, never this rule.
    """
    routing, solver, p = ctx.routing, ctx.routing.solver(), ctx.problem
    for a, b in p.apart_pairs:
        both = set(p.node_allowed_vehicles[a]) & set(p.node_allowed_vehicles[b])
        by_caregiver: dict[int, list[int]] = {}
        for v in sorted(both):
            by_caregiver.setdefault(int(p.vehicle_caregiver[v]), []).append(v)
        ia, ib = ctx.index(a), ctx.index(b)
        for vehicles in by_caregiver.values():
            on = [solver.IsMemberVar(routing.VehicleVar(i), vehicles) for i in (ia, ib)]
            solver.Add(on[0] + on[1] <= 1)


# --- soft goals ----------------------------------------------------------------------------------


def add_unassigned_penalties(ctx: RoutingContext) -> None:
    """Soft: a visit may be left out at a priority-weighted penalty, so a roster always exists."""
    for node, penalty in enumerate(ctx.problem.node_penalty):
        ctx.routing.AddDisjunction([ctx.index(node)], int(penalty))


HARD_RULES = (
    add_time_dimension,
    add_visit_windows,
    add_shift_windows,
    add_max_working_time,
    add_breaks,
    add_capacity,
    add_eligibility,
    add_double_handed_sync,
    add_dependencies,
    add_different_caregivers,
)
SOFT_RULES = (
    add_travel_and_preference_costs,
    add_lateness_costs,
    add_moved_start_costs,
    add_overtime_costs,
    add_unassigned_penalties,
)
