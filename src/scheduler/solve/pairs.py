"""Double-handed visits put into a roster whole (no solver here).

The routing search moves and inserts one node at a time, and the copies of a double-handed
visit are served together or not at all, at one start, by two caregivers: a move that inserts
one copy breaks that rule and is rejected, so a double-handed visit the construction left out
stays out for good. On the synthetic day of 120 visits and 16 caregivers with 10 double-handed
visits (docs/experiments.md, "Double-handed visits put back whole"), none of them was served.

This module is the pair move the search lacks: for each double-handed visit nobody serves, it
looks for two different shifts and a place in each where the visit's copies can start at one
moment, and inserts it at the cheapest such pair of places that costs less than leaving the
visit out. Times are each route's own: every stop as early as its arrival and windows allow,
and as late as the stops after it allow (ties to other routes, breaks and working-time limits
are not seen here). The routing model is the judge: the caller hands it the routes and keeps
them only if it finds times for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.solve.compile import Problem, with_lateness
from scheduler.solve.sequence import RouteCosts

# The shifts with the cheapest single places a copy is paired over (of all it may go to).
_SHIFTS_PAIRED = 8
# Rounds of forward passes over the routes that let tied stops wait for their partners.
_TIE_ROUNDS = 4

Routes = list[list[int]]


@dataclass(frozen=True)
class _Place:
    """A copy between stops ``at - 1`` and ``at`` of shift ``v``: its start range and what
    the detour costs."""

    v: int
    at: int
    earliest_s: int
    latest_s: int
    cost: int


def insert_pairs(
    costs: RouteCosts,
    routes: Sequence[Sequence[int]],
    ranges: Sequence[tuple[int, int]] | None = None,
) -> Routes:
    """``routes`` with the double-handed visits nobody serves in them inserted where their
    copies fit together, the visit of the highest penalty first (see the module); ``ranges``:
    per node, the start range the model gives it beyond its windows (pins)."""
    problem = costs.problem
    out = [list(route) for route in routes]
    served = {node for route in out for node in route}
    left_out = [g for g in problem.sync_groups if not served.intersection(g)]
    if not left_out:
        return out
    left_out.sort(key=lambda g: -sum(int(problem.node_penalty[n]) for n in g))
    tied = _tied(problem)
    windows = [  # where each node may start: its windows, lateness, the model's range
        _bounded(
            with_lateness(w, problem.late_start_max_of(n)), None if ranges is None else ranges[n]
        )
        for n, w in enumerate(problem.node_windows_s)
    ]
    day = _DayTimes(costs, out, tied, windows)
    for group in left_out:
        places = _group_places(day, group)
        if places is None:
            continue
        # Insert from the back of each route so that earlier positions stay valid.
        for node, place in sorted(zip(group, places, strict=True), key=lambda x: -x[1].at):
            out[place.v].insert(place.at, node)
        day = _DayTimes(costs, out, tied, windows)  # the routes changed: time them again
    return out


def _tied(problem: Problem) -> frozenset[int]:
    """Nodes whose start another route's stop depends on (copies, dependency ends)."""
    nodes = {n for group in problem.sync_groups for n in group}
    nodes |= {n for arc in problem.dependencies for n in (arc.earlier, arc.later)}
    return frozenset(nodes)


class _DayTimes:
    """The earliest starts of a roster's stops with their ties (a copy waits for its partner,
    a dependent visit for its lag), and per route the earliest departures and latest starts
    that keep each later stop in its windows, the shift's end, and every tied stop where it
    is (a tied stop is never moved here: its partner's route is not looked at)."""

    def __init__(
        self,
        costs: RouteCosts,
        routes: Routes,
        tied: frozenset[int],
        windows: list[tuple[tuple[int, int], ...]],
    ) -> None:
        self.costs, self.routes, self.tied, self.windows = costs, routes, tied, windows
        self.starts = self._earliest_starts()
        self._gaps: dict[int, tuple[list[int], list[int]] | None] = {}

    def _earliest_starts(self) -> dict[int, int]:
        """Each stop's earliest start: routes forward in turn, each tied stop no earlier than
        its partners' starts allow, until no start moves (a few rounds)."""
        problem, costs = self.costs.problem, self.costs
        floor: dict[int, int] = {}
        starts: dict[int, int] = {}
        for _ in range(_TIE_ROUNDS):
            for v, route in enumerate(self.routes):
                travel = costs.travel(v)
                at, now_s = problem.num_nodes + v, int(problem.vehicle_start_s[v])
                for node in route:
                    arrival = max(now_s + travel[at][node], floor.get(node, 0))
                    start = _earliest(self.windows[node], arrival)
                    starts[node] = arrival if start is None else start
                    now_s, at = starts[node] + costs.service[node], node
            moved = False
            for group in problem.sync_groups:
                if all(n in starts for n in group):
                    together = max(starts[n] for n in group)
                    for n in group:
                        if floor.get(n, 0) < together:
                            floor[n], moved = together, True
            for arc in problem.dependencies:
                if arc.earlier in starts and arc.later in starts:
                    due = starts[arc.earlier] + arc.min_lag_s
                    if floor.get(arc.later, 0) < due:
                        floor[arc.later], moved = due, True
            if not moved:
                break
        return starts

    def gaps(self, v: int) -> tuple[list[int], list[int]] | None:
        """Per gap of shift ``v``'s route (home, stops, home): the earliest departure from the
        stop before it, and the latest start of the stop after it (the shift's end for the
        home); None if the route has no times. Worked out once per shift."""
        if v not in self._gaps:
            self._gaps[v] = self._route_gaps(v)
        return self._gaps[v]

    def _route_gaps(self, v: int) -> tuple[list[int], list[int]] | None:
        problem, costs = self.costs.problem, self.costs
        route = self.routes[v]
        travel = costs.travel(v)
        departures = [int(problem.vehicle_start_s[v])]
        for node in route:
            departures.append(self.starts[node] + costs.service[node])
        latest = [0] * (len(route) + 1)
        bound, after = int(problem.vehicle_end_s[v]), problem.num_nodes + v
        latest[len(route)] = bound
        for i in range(len(route) - 1, -1, -1):
            node = route[i]
            start = self.starts[node]
            end_by = bound - travel[node][after] - costs.service[node]
            if node in self.tied:
                end_by = min(end_by, start)
            last = _latest(self.windows[node], end_by)
            if last is None or last < start:
                return None
            latest[i] = last
            bound, after = last, node
        return departures, latest


def _bounded(
    windows: tuple[tuple[int, int], ...], extra: tuple[int, int] | None
) -> tuple[tuple[int, int], ...]:
    if extra is None:
        return windows
    lo, hi = extra
    return tuple((max(a, lo), min(b, hi)) for a, b in windows if max(a, lo) <= min(b, hi))


def _earliest(windows: Sequence[tuple[int, int]], arrival: int) -> int | None:
    """The earliest start at or after ``arrival`` in ``windows``; None if all have closed."""
    return next((max(arrival, lo) for lo, hi in windows if hi >= arrival), None)


def _latest(windows: Sequence[tuple[int, int]], bound: int) -> int | None:
    """The latest start at or before ``bound`` in ``windows``; None if none opens by then."""
    return max((min(hi, bound) for lo, hi in windows if lo <= bound), default=None)


def _group_places(day: _DayTimes, group: Sequence[int]) -> tuple[_Place, ...] | None:
    """The cheapest places for a two-copy ``group`` on two different shifts at one start,
    if that costs less than its penalty (groups of more copies: None)."""
    problem = day.costs.problem
    if len(group) != 2:
        return None
    first, second = group
    penalty = sum(int(problem.node_penalty[n]) for n in group)
    by_shift: dict[int, list[_Place]] = {}
    for v in problem.node_allowed_vehicles[first]:
        found = _places(day, v, first)
        if found:
            by_shift[v] = found
    if len(by_shift) < 2:
        return None
    shifts = sorted(by_shift, key=lambda v: min(p.cost for p in by_shift[v]))[:_SHIFTS_PAIRED]
    allowed_second = set(problem.node_allowed_vehicles[second])
    due_s = problem.node_windows_s[first][-1][1]
    best: tuple[_Place, _Place] | None = None
    best_cost = penalty
    for a in shifts:
        for b in shifts:
            if a == b or b not in allowed_second:
                continue
            if problem.vehicle_caregiver[a] == problem.vehicle_caregiver[b]:
                continue
            for pa in by_shift[a]:
                for pb in by_shift[b]:
                    start_s = max(pa.earliest_s, pb.earliest_s)
                    if start_s > min(pa.latest_s, pb.latest_s):
                        continue
                    late_s = max(0, start_s - due_s)
                    cost = pa.cost + pb.cost + problem.lateness_weight * late_s
                    if cost < best_cost:
                        best, best_cost = (pa, pb), cost
    return best


def _places(day: _DayTimes, v: int, node: int) -> list[_Place]:
    """Every place in shift ``v``'s route where ``node`` can start with the stops after it
    still on time, with its detour's cost (travel and preference)."""
    problem, costs = day.costs.problem, day.costs
    gaps = day.gaps(v)
    if gaps is None:
        return []
    departures, latest = gaps
    route = day.routes[v]
    travel = costs.travel(v)
    windows = day.windows[node]
    home = problem.num_nodes + v
    service = costs.service[node]
    stops = [home, *route, home]
    places = []
    for at in range(len(route) + 1):
        before, after = stops[at], stops[at + 1]
        start = _earliest(windows, departures[at] + travel[before][node])
        last = _latest(windows, latest[at] - travel[node][after] - service)
        if start is None or last is None or start > last:
            continue
        detour = travel[before][node] + travel[node][after] - travel[before][after]
        cost = problem.travel_weight * detour + int(problem.preference_cost[v, node])
        places.append(_Place(v, at, start, last, cost))
    return places
