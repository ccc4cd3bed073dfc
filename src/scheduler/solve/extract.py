"""Turn routes and start times into the read-only roster (extract before you format)."""

from __future__ import annotations

from scheduler.solution.roster import Route, Stop
from scheduler.solve.compile import Problem
from scheduler.solve.schedule import Timing


def build_routes(
    problem: Problem, routes: tuple[tuple[int, ...], ...], timing: Timing, client_of: dict[str, str]
) -> tuple[Route, ...]:
    clock = problem.clock
    built = []
    for v, nodes in enumerate(routes):
        if not nodes:
            continue
        travel = problem.travel_s[int(problem.vehicle_profile[v])]
        home = int(problem.vehicle_location[v])
        previous_loc = home
        stops = []
        for node in nodes:
            loc = int(problem.node_location[node])
            start_s = timing.node_start_s[node]
            visit_id = problem.visit_ids[int(problem.node_visit[node])]
            stops.append(
                Stop(
                    visit_id=visit_id,
                    client_id=client_of[visit_id],
                    start=clock.to_local(start_s),
                    end=clock.to_local(start_s + int(problem.node_service_s[node])),
                    travel_before_min=round(int(travel[previous_loc, loc]) / 60.0, 2),
                )
            )
            previous_loc = loc
        built.append(
            Route.model_validate(
                {
                    "caregiver_id": problem.caregiver_ids[int(problem.vehicle_caregiver[v])],
                    "departure": clock.to_local(timing.vehicle_departure_s[v]),
                    "return": clock.to_local(timing.vehicle_return_s[v]),
                    "travel_home_min": round(int(travel[previous_loc, home]) / 60.0, 2),
                    "stops": stops,
                    "breaks": [
                        {"start": clock.to_local(a), "end": clock.to_local(b)}
                        for a, b in timing.vehicle_breaks_s.get(v, ())
                    ],
                }
            )
        )
    return tuple(built)
