"""One route re-ordered on its own, its ties to other routes set aside (no solver here).

On a day with lag-tied visits, a caregiver whose skill nobody else has serves a fixed set of
visits, and the order of that one route bounds the day's lateness. The routing search moves one
visit at a time, each checked against the lags, and the lag-tied visits drag their partners on
other routes, so it seldom re-orders such a route far; an exact model of the route with its
partners free in time (``solve/resequence.py``) is too weak to leave its starting order. This
module orders the route as a single machine: every stop starts as early as its window and the
stop before it allow, the cost is the day's own (travel, seconds late, latest lateness, at their
weights), and a local search moves runs of one to three stops (or-opt) from random restarts.
The caller puts the route back with its partners taken out of their routes, and lets the
routing search re-insert them where the lags allow (``routing._reorder_costliest``).

Measured on Mankowska D1 (docs/experiments.md): the one caregiver with skill s1 serves 14
visits; from the order of a roster the search could not leave (861 minutes late in all, the
latest 271) this finds one with 547 and 197 in 0.3 s. In a roster at 2.78 % (seed 3), that
route was within 2.3 % of the order found here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from scheduler.solve.compile import Problem

# Runs of consecutive stops an or-opt move takes out and puts back elsewhere.
_RUN_LENGTHS = (1, 2, 3)
# Random restarts of the local search (the given order is always the first start).
_RESTARTS = 10


def route_cost(problem: Problem, v: int, order: Sequence[int]) -> int:
    """Cost of shift ``v`` serving ``order`` alone: each stop at its earliest start (the first
    window still open on arrival, else late against the last one)."""
    return RouteCosts(problem).cost(v, order)


class RouteCosts:
    """The day's data in plain lists (travel built once per travel profile), for costing many
    orders of its routes fast (:func:`route_cost`)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.windows = problem.node_windows_s
        self.service = problem.node_service_s.tolist()
        self.weights = (problem.travel_weight, problem.lateness_weight, problem.max_lateness_weight)
        self._travel: dict[int, list[list[int]]] = {}

    def travel(self, v: int) -> list[list[int]]:
        """Shift ``v``'s travel seconds between nodes, then vehicle homes (as lists)."""
        profile = int(self.problem.vehicle_profile[v])
        if profile not in self._travel:
            self._travel[profile] = self.problem.node_travel_s(profile).tolist()
        return self._travel[profile]

    def cost(self, v: int, order: Sequence[int]) -> int:
        problem = self.problem
        travel, windows, service = self.travel(v), self.windows, self.service
        home = problem.num_nodes + v
        at, now_s = home, int(problem.vehicle_start_s[v])
        travel_s = late_s = latest_s = 0
        for node in order:
            trip = travel[at][node]
            travel_s += trip
            arrival = now_s + trip
            node_windows = windows[node]
            start = next((max(arrival, lo) for lo, hi in node_windows if hi >= arrival), arrival)
            late = start - node_windows[-1][1]
            if late > 0:
                late_s += late
                latest_s = max(latest_s, late)
            now_s = start + service[node]
            at = node
        travel_s += travel[at][home]
        w_travel, w_late, w_latest = self.weights
        return w_travel * travel_s + w_late * late_s + w_latest * latest_s


def best_order(
    costs: RouteCosts, v: int, order: Sequence[int], rng: random.Random
) -> tuple[tuple[int, ...], int]:
    """The cheapest order of ``order``'s stops found for shift ``v`` alone
    (:meth:`RouteCosts.cost`), and its cost; the given order if none is cheaper."""
    best, best_cost = tuple(order), costs.cost(v, order)
    for restart in range(_RESTARTS + 1):
        start = list(order) if restart == 0 else rng.sample(list(order), len(order))
        found, cost = _or_opt(costs, v, start)
        if cost < best_cost:
            best, best_cost = tuple(found), cost
    return best, best_cost


def _or_opt(costs: RouteCosts, v: int, order: list[int]) -> tuple[list[int], int]:
    """First-improvement descent over or-opt moves from ``order``."""
    cost = costs.cost(v, order)
    improved = True
    while improved:
        improved = False
        for length in _RUN_LENGTHS:
            for i in range(len(order) - length + 1):
                run, rest = order[i : i + length], order[:i] + order[i + length :]
                for j in range(len(rest) + 1):
                    if j == i:
                        continue
                    candidate = rest[:j] + run + rest[j:]
                    candidate_cost = costs.cost(v, candidate)
                    if candidate_cost < cost:
                        order, cost, improved = candidate, candidate_cost, True
                        break
                if improved:
                    break
            if improved:
                break
    return order, cost
