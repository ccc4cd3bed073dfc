"""The ruin step and the acceptance rule of the ruin-and-recreate search (no solver here).

The search in ``solve/routing.py`` repeats: take some visits out of the current roster (ruin),
let the routing local search put them back and polish the result (recreate), and keep the new
roster if :func:`accept` says so. This module owns the two pure decisions.

The ruin is the string removal of Christiaens & Vanden Berghe, "Slack Induction by String
Removals for Vehicle Routing Problems", Transportation Science 54(2), 2020 (SISR), in its plain
form (no split strings): pick a random visit, then walk its nearest neighbours and, from each
route met that has not been cut yet, cut one run of consecutive stops that holds the neighbour.
Visits tied together (the copies of a double-handed visit, the two ends of a dependency) leave
together, so the partial roster never keeps half of a tie.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Routes = list[list[int]]


@dataclass(frozen=True)
class RuinParams:
    """``max_string_len``: longest run cut from one route; ``mean_removed``: visits per ruin."""

    max_string_len: int = 10
    mean_removed: int = 15


def neighbours_by_travel(travel_s: np.ndarray, k: int = 100) -> np.ndarray:
    """Row ``n``: the ``k`` nodes nearest to ``n`` by travel time, nearest first (``n`` itself
    first); a ruin step never needs more, and large days stay small in memory."""
    k = min(k, travel_s.shape[1])
    if k < travel_s.shape[1]:
        nearest = np.argpartition(travel_s, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(travel_s, nearest, axis=1).argsort(axis=1, kind="stable")
        return np.take_along_axis(nearest, order, axis=1)
    return np.argsort(travel_s, axis=1, kind="stable")


def string_removal(
    routes: Sequence[Sequence[int]],
    neighbours: np.ndarray,
    rng: random.Random,
    tied: Mapping[int, Sequence[int]],
    params: RuinParams = RuinParams(),
    keep: frozenset[int] = frozenset(),
) -> tuple[Routes, list[int]]:
    """Cut strings of stops out of ``routes``; returns the shortened routes and the nodes cut.

    Nodes in ``keep`` (and every node tied to one) stay where they are.
    """
    where = {node: v for v, route in enumerate(routes) for node in route}
    if not where:
        return [list(r) for r in routes], []
    used_routes = sum(1 for r in routes if r)
    mean_route_len = len(where) / used_routes
    max_len = max(1.0, min(params.max_string_len, mean_route_len))
    max_strings = 4.0 * params.mean_removed / (1.0 + max_len) - 1.0
    num_strings = max(1, int(rng.uniform(1.0, max_strings + 1.0)))

    seed = rng.choice(sorted(where))
    removed: set[int] = set()
    cut_routes: set[int] = set()
    for candidate in neighbours[seed]:
        if len(cut_routes) >= num_strings:
            break
        node = int(candidate)
        v = where.get(node)
        if v is None or v in cut_routes or node in removed:
            continue
        route = routes[v]
        length = int(rng.uniform(1.0, min(max_len, len(route)) + 1.0))
        at = route.index(node)
        first = rng.randint(max(0, at - length + 1), min(at, len(route) - length))
        removed.update(route[first : first + length])
        cut_routes.add(v)

    for node in list(removed):
        removed.update(tied.get(node, ()))
    removed = {n for n in removed if n not in keep and keep.isdisjoint(tied.get(n, ()))}
    partial = [[n for n in route if n not in removed] for route in routes]
    return partial, sorted(removed)


def temperature(start: float, progress: float, final_ratio: float = 0.01) -> float:
    """Exponential cooling from ``start`` to ``start * final_ratio`` as progress goes 0 -> 1."""
    return start * final_ratio ** min(max(progress, 0.0), 1.0)


def accept(candidate: int, current: int, temp: float, rng: random.Random) -> bool:
    """Simulated-annealing acceptance: better always; worse by d with probability exp(-d/temp)."""
    if candidate <= current:
        return True
    if temp <= 0:
        return False
    # Same test as cost' < cost - T ln U, written so that it never divides by zero.
    return candidate - current < -temp * math.log(max(rng.random(), 1e-300))
