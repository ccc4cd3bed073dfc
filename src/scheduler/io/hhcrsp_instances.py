"""Mankowska, Meisel & Bierwirth (2014) HHCRSP instances as scenarios of our model.

The instance becomes an ordinary planar scenario (one time unit = one minute, one distance unit
= one kilometre at 60 km/h, as for the VRPTW instances):

- each caregiver lives at the depot and has the skills ``s1``..``s6`` its row of ``a``
  qualifies it for; its shift never binds: it lasts until the latest a late visit may start,
  plus the longest service and the longest trip back. The end depot's due time is not a hard
  limit in the published solutions (the best known E1 works until minute 697 of a 600-minute
  day), so it is not one here: it bounds how late a start may be (``late_start_max_min``);
- each required service (patient i, service s with ``r[i][s] = 1``) is a visit needing skill
  ``s``, of duration ``p``, to start at or after ``e_i``; after ``l_i`` it is late (soft window);
- a double-service patient's second service (the higher service index) depends on the first:
  ``mind = maxd = 0`` is a simultaneous double visit (start-to-start lag 0: two caregivers start
  together), otherwise a precedence with the lag in [mind, maxd];
- the objective (travel + total tardiness + maximum tardiness) / 3 is the scenario's own weights:
  one per second each of travel, lateness and the largest lateness, with late starts allowed.

Format: ``benchmarks/instances/mankowska2014/SOURCE.md``.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scheduler.domain.model import (
    Caregiver,
    Client,
    Dependency,
    Location,
    Role,
    Scenario,
    Settings,
    Shift,
    TimeWindow,
    TravelMode,
    TravelModelName,
    TravelSettings,
    Visit,
    Weights,
)
from scheduler.errors import Problem, ScenarioError
from scheduler.io.vrp_instances import DAY_ZERO, SPEED_KPH, instance_time
from scheduler.travel.matrix import MatrixTravel

KEYWORDS = ("nbNodes", "nbVehi", "nbServi", "r", "DS", "a", "x", "y", "d", "p", "mind", "maxd",
            "e", "l")  # fmt: skip


@dataclass(frozen=True)
class HhcrspInstance:
    name: str
    nodes: int  # patients + 2 (0: depot start, nodes-1: depot end)
    caregivers: int
    services: int
    requires: tuple[tuple[int, ...], ...]  # [node][service] 0/1
    double: frozenset[int]  # nodes of double-service patients
    qualified: tuple[tuple[int, ...], ...]  # [caregiver][service] 0/1
    x: tuple[float, ...]
    y: tuple[float, ...]
    distance: tuple[tuple[float, ...], ...]
    duration: tuple[tuple[float, ...], ...]  # [node][service], the same for every caregiver
    min_lag: tuple[float, ...]
    max_lag: tuple[float, ...]
    earliest: tuple[float, ...]
    latest: tuple[float, ...]

    @property
    def patients(self) -> range:
        return range(1, self.nodes - 1)

    def services_of(self, node: int) -> list[int]:
        return [s for s in range(self.services) if self.requires[node][s]]


def read_hhcrsp(path: str | Path) -> HhcrspInstance:
    """Parse an instance file (``.txt`` or ``.txt.gz``); a malformed file is a ScenarioError."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        tokens = handle.read().split()
    sections: dict[str, list[str]] = {}
    current = None
    for token in tokens:
        if token in KEYWORDS:
            current = token
            sections[current] = []
        elif current is not None:
            sections[current].append(token)
    missing = [k for k in KEYWORDS if k not in sections]
    if missing:
        message = f"not an HHCRSP instance: no {', '.join(missing)}"
        raise ScenarioError([Problem(str(path), message)])
    n, v, s = (int(sections[k][0]) for k in ("nbNodes", "nbVehi", "nbServi"))

    def numbers(key: str, rows: int, cols: int) -> list[list[float]]:
        values = [float(t) for t in sections[key]]
        if len(values) != rows * cols:
            raise ScenarioError(
                [Problem(str(path), f"{key}: expected {rows * cols} numbers, got {len(values)}")]
            )
        return [values[i * cols : (i + 1) * cols] for i in range(rows)]

    duration_rows = numbers("p", n * v, s)
    name = path.name.removesuffix(".gz").removesuffix(".txt")
    return HhcrspInstance(
        name=name,
        nodes=n,
        caregivers=v,
        services=s,
        requires=tuple(tuple(int(x) for x in row) for row in numbers("r", n, s)),
        double=frozenset(int(t) - 1 for t in sections["DS"]),
        qualified=tuple(tuple(int(x) for x in row) for row in numbers("a", v, s)),
        x=tuple(numbers("x", 1, n)[0]),
        y=tuple(numbers("y", 1, n)[0]),
        distance=tuple(tuple(row) for row in numbers("d", n, n)),
        duration=tuple(tuple(duration_rows[i * v]) for i in range(n)),
        min_lag=tuple(numbers("mind", 1, n)[0]),
        max_lag=tuple(numbers("maxd", 1, n)[0]),
        earliest=tuple(numbers("e", 1, n)[0]),
        latest=tuple(numbers("l", 1, n)[0]),
    )


def _whole(value: float, what: str) -> int:
    if value != int(value):
        raise ScenarioError([Problem(what, f"expected whole minutes, got {value}")])
    return int(value)


def visit_id(node: int, service: int) -> str:
    return f"p{node}-s{service + 1}"


def hhcrsp_scenario(instance: HhcrspInstance) -> Scenario:
    """The instance as a planar scenario with soft windows (see the module docstring)."""
    depot = Location(x_km=instance.x[0], y_km=instance.y[0])
    end = _whole(instance.latest[instance.nodes - 1], "end depot")
    longest_service = max(max(row) for row in instance.duration)
    longest_trip = max(max(row) for row in instance.distance)
    day_end = math.ceil(max(instance.latest) + end + longest_service + longest_trip)
    caregivers = tuple(
        Caregiver(
            id=f"c{k + 1}",
            role=Role.AIDE,
            home=depot,
            shifts=(Shift(start=instance_time(0), end=instance_time(day_end)),),
            skills=frozenset(f"s{s + 1}" for s in range(instance.services) if row[s]),
        )
        for k, row in enumerate(instance.qualified)
    )
    clients = tuple(
        Client(id=f"p{i}", location=Location(x_km=instance.x[i], y_km=instance.y[i]))
        for i in instance.patients
    )
    visits: list[Visit] = []
    for i in instance.patients:
        services = instance.services_of(i)
        window = TimeWindow(
            start=instance_time(instance.earliest[i]), end=instance_time(instance.latest[i])
        )
        for position, s in enumerate(services):
            dependency = None
            if position == 1 and i in instance.double:
                lag_min = _whole(instance.min_lag[i], f"mind of node {i}")
                lag_max = _whole(instance.max_lag[i], f"maxd of node {i}")
                dependency = Dependency(  # two staff members (the paper's model)
                    after=visit_id(i, services[0]),
                    min_lag_min=lag_min,
                    max_lag_min=lag_max,
                    different_caregiver=True,
                )
            visits.append(
                Visit(
                    id=visit_id(i, s),
                    client_id=f"p{i}",
                    duration_min=_whole(instance.duration[i][s], f"p of node {i}"),
                    windows=(window,),
                    required_skills=frozenset({f"s{s + 1}"}),
                    priority=5,
                    dependency=dependency,
                )
            )
    settings = Settings(
        travel=TravelSettings(model=TravelModelName.PLANAR),
        drive_speed_kph=SPEED_KPH,
        late_start_max_min=end,
        weights=Weights(
            travel_per_s=1,
            lateness_per_s=1,
            max_lateness_per_s=1,
            unassigned_per_priority=1_000_000,
        ),
    )
    return Scenario(
        name=instance.name,
        time_zone="UTC",
        caregivers=caregivers,
        clients=clients,
        visits=tuple(visits),
        settings=settings,
    )


def hhcrsp_travel(instance: HhcrspInstance) -> MatrixTravel:
    """The instance's own travel matrix ``d`` (minutes) as the scenario's travel, in seconds,
    rather than distances recomputed from the coordinates (a place at the coordinates of
    another travels as the first)."""
    rows: dict[tuple[float, float], int] = {}
    for node in (0, *instance.patients):
        rows.setdefault((instance.x[node], instance.y[node]), node)
    at = np.array(list(rows.values()), dtype=np.int64)
    minutes = np.asarray(instance.distance, dtype=np.float64)[np.ix_(at, at)]
    return MatrixTravel(keys=tuple(rows), seconds={TravelMode.DRIVE: minutes * 60.0})


@dataclass(frozen=True)
class HhcrspScore:
    travel: float
    tardiness: float
    max_tardiness: float
    problems: tuple[str, ...]

    @property
    def cost(self) -> float:
        return (self.travel + self.tardiness + self.max_tardiness) / 3

    @property
    def feasible(self) -> bool:
        return not self.problems


def score_hhcrsp(
    instance: HhcrspInstance,
    routes: Sequence[Sequence[tuple[int, int, float]]],
    *,
    tolerance: float = 2e-3,  # published solutions give times to 3 decimals
) -> HhcrspScore:
    """Recompute the objective from the instance alone. ``routes[k]`` lists caregiver k's
    (node, service, start minute) in order. Checks: every required service once, by a qualified
    caregiver, after travelling (distance matrix ``d``) and the previous service, not before
    ``e``; double services by two caregivers, simultaneous or within their lags."""
    problems: list[str] = []
    start_of: dict[tuple[int, int], float] = {}
    server_of: dict[tuple[int, int], int] = {}
    travel = 0.0
    depot = 0
    for k, route in enumerate(routes):
        here, free = depot, 0.0
        for node, service, start in route:
            if not instance.qualified[k][service]:
                problems.append(f"caregiver {k + 1} is not qualified for s{service + 1}")
            if (node, service) in start_of:
                problems.append(f"node {node} s{service + 1} served twice")
            start_of[(node, service)] = start
            server_of[(node, service)] = k
            arrive = free + instance.distance[here][node]
            if start < arrive - tolerance or start < instance.earliest[node] - tolerance:
                problems.append(f"node {node} s{service + 1} starts too early ({start:.2f})")
            travel += instance.distance[here][node]
            here, free = node, start + instance.duration[node][service]
        if route:
            travel += instance.distance[here][instance.nodes - 1]
    required = {(i, s) for i in instance.patients for s in instance.services_of(i)}
    if set(start_of) != required:
        problems.append(f"{len(required - set(start_of))} required services not served")
    tardiness = [max(0.0, t - instance.latest[i]) for (i, _), t in start_of.items()]
    for i in instance.double:
        services = instance.services_of(i)
        if len(services) != 2 or not all((i, s) in start_of for s in services):
            continue
        if server_of[(i, services[0])] == server_of[(i, services[1])]:
            problems.append(f"node {i}: both services by caregiver {server_of[(i, services[0])]}")
        lag = start_of[(i, services[1])] - start_of[(i, services[0])]
        if not instance.min_lag[i] - tolerance <= lag <= instance.max_lag[i] + tolerance:
            problems.append(f"node {i}: lag {lag:.2f} outside [{instance.min_lag[i]}, "
                            f"{instance.max_lag[i]}]")  # fmt: skip
    return HhcrspScore(
        travel=travel,
        tardiness=sum(tardiness),
        max_tardiness=max(tardiness, default=0.0),
        problems=tuple(problems),
    )


def roster_routes(instance: HhcrspInstance, roster: object) -> list[list[tuple[int, int, float]]]:
    """A roster of :func:`hhcrsp_scenario` as the (node, service, start minute) lists that
    :func:`score_hhcrsp` reads, one per caregiver in instance order."""
    routes: list[list[tuple[int, int, float]]] = [[] for _ in range(instance.caregivers)]
    zero = DAY_ZERO.timestamp()
    for route in roster.routes:  # type: ignore[attr-defined]
        k = int(route.caregiver_id.removeprefix("c")) - 1
        for stop in route.stops:
            patient, service = stop.visit_id.split("-")
            start_min = (stop.start.replace(tzinfo=None).timestamp() - zero) / 60
            routes[k].append((int(patient.removeprefix("p")), int(service.removeprefix("s")) - 1,
                              start_min))  # fmt: skip
    return routes
