"""The peers on VRPTW instances: PyVRP, VROOM (pyvroom) and raw OR-Tools routing defaults.

Each gets the instance in hundredths of a unit (``SCALE``): distances (the cost) rounded to the
nearest integer, travel times rounded *up*, so that a schedule feasible on the integers is
feasible on the exact instance (our engine likewise rounds travel up, to whole seconds, i.e.
sixtieths of a unit). Each gets the instance's vehicle limit, the same time limit and one
thread. Their routes come back as customer ids and are scored by the runner exactly like ours
(Euclidean in double precision; time windows and capacity checked on the instance). Peers are
optional benchmark dependencies (``pip install -e '.[bench]'``).

This module is benchmark tooling, not the engine: the raw OR-Tools baseline here deliberately
does what a newcomer does (PATH_CHEAPEST_ARC + guided local search, no penalties), the setting the
issue reports as "found no solution on 7 instances".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from scheduler.io.vrp_instances import VrptwInstance

SCALE = 100  # integer hundredths of a distance/time unit for the peers

Routes = list[list[int]]


def _scaled_matrix(instance: VrptwInstance, *, up: bool = False) -> list[list[int]]:
    """Distances x SCALE, rounded to nearest (cost) or up (travel time)."""
    places = [instance.depot, *instance.customers]

    def rounding(value: float) -> int:
        return math.ceil(value - 1e-9) if up else round(value)

    return [[rounding(SCALE * math.hypot(a.x - b.x, a.y - b.y)) for b in places] for a in places]


def solve_pyvrp(instance: VrptwInstance, time_limit_s: float, seed: int) -> Routes:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    model = Model()
    depot_place = model.add_location(instance.depot.x, instance.depot.y)
    depot = model.add_depot(depot_place, tw_early=0, tw_late=SCALE * instance.depot.due)
    model.add_vehicle_type(
        num_available=instance.vehicles,
        capacity=instance.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_early=SCALE * instance.depot.ready,
        tw_late=SCALE * instance.depot.due,
    )
    places = [depot_place]
    for c in instance.customers:
        place = model.add_location(c.x, c.y)
        places.append(place)
        model.add_client(
            place,
            delivery=c.demand,
            service_duration=SCALE * c.service,
            tw_early=SCALE * c.ready,
            tw_late=SCALE * c.due,
        )
    cost, duration = _scaled_matrix(instance), _scaled_matrix(instance, up=True)
    for i, a in enumerate(places):
        for j, b in enumerate(places):
            model.add_edge(a, b, distance=cost[i][j], duration=duration[i][j])
    result = model.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    ids = [c.id for c in instance.customers]  # PyVRP numbers clients 0..n-1 in the order added
    return [[ids[a.idx] for a in route if a.is_client()] for route in result.best.routes()]


def solve_vroom(instance: VrptwInstance, time_limit_s: float, seed: int) -> Routes:
    import vroom

    del seed  # VROOM's search is deterministic
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=_scaled_matrix(instance, up=True))
    problem.set_costs_matrix(profile="car", matrix_input=_scaled_matrix(instance))
    window = vroom.TimeWindow(SCALE * instance.depot.ready, SCALE * instance.depot.due)
    for k in range(instance.vehicles):
        problem.add_vehicle(
            vroom.Vehicle(k, start=0, end=0, capacity=[instance.capacity], time_window=window)
        )
    for index, c in enumerate(instance.customers, start=1):
        problem.add_job(
            vroom.Job(
                c.id,
                location=index,
                default_service=SCALE * c.service,
                delivery=[c.demand],
                time_windows=[vroom.TimeWindow(SCALE * c.ready, SCALE * c.due)],
            )
        )
    solution = problem.solve(
        exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit_s)
    )
    return list(vroom_routes(solution).values())


def vroom_routes(solution: Any) -> dict[int, list[int]]:
    """Per vehicle id, the job ids of a VROOM solution in order."""
    routes: dict[int, list[int]] = {}
    frame = solution.routes
    for vehicle, kind, job in zip(frame["vehicle_id"], frame["type"], frame["id"], strict=True):
        if kind == "job":
            routes.setdefault(int(vehicle), []).append(int(job))
    return routes


def solve_ortools_defaults(instance: VrptwInstance, time_limit_s: float, seed: int) -> Routes:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    del seed  # the routing library has no seed; its search is deterministic
    matrix, duration = _scaled_matrix(instance), _scaled_matrix(instance, up=True)
    places = [instance.depot, *instance.customers]
    manager = pywrapcp.RoutingIndexManager(len(places), instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def travel(i: int, j: int) -> int:
        return matrix[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def time(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return SCALE * places[a].service + duration[a][manager.IndexToNode(j)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel))
    horizon = SCALE * instance.depot.due
    routing.AddDimension(routing.RegisterTransitCallback(time), horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for node, c in enumerate(instance.customers, start=1):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(SCALE * c.ready, SCALE * c.due)
    demand = routing.RegisterUnaryTransitCallback(lambda i: places[manager.IndexToNode(i)].demand)
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [instance.capacity] * instance.vehicles, True, "Load"
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return []
    routes = []
    for v in range(instance.vehicles):
        index, route = routing.Start(v), []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                route.append(instance.customers[node - 1].id)
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


PEERS: dict[str, Callable[[VrptwInstance, float, int], Routes]] = {
    "pyvrp": solve_pyvrp,
    "vroom": solve_vroom,
    "ortools-defaults": solve_ortools_defaults,
}
