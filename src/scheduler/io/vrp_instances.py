"""Published VRPTW instances (Solomon 1987; Gehring & Homberger 1999) as scenarios of our model.

The instance becomes an ordinary planar scenario, solved by the same engine a coordinator uses:

- one time unit is one minute and one distance unit one kilometre, at 60 km/h: travelling one
  unit takes one minute, as in the instance (travel time = Euclidean distance);
- every customer is a client with one visit: its service time is the visit's duration, its
  [ready, due] the window for the start of service, its demand the visit's load;
- each of the instance's vehicles is a caregiver living at the depot, with the depot's
  [0, due] as the shift (leave and be back within it) and the vehicle capacity.

Format: ``benchmarks/instances/solomon/SOURCE.md`` (name line, ``VEHICLE`` block with NUMBER and
CAPACITY, ``CUSTOMER`` rows ``id x y demand ready due service``; customer 0 is the depot).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scheduler.domain.model import (
    Caregiver,
    Client,
    Location,
    Role,
    Scenario,
    Settings,
    Shift,
    TimeWindow,
    TravelModelName,
    TravelSettings,
    Visit,
    Weights,
)
from scheduler.errors import Problem, ScenarioError

DAY_ZERO = datetime(2026, 1, 5)  # a Monday; instance time t is DAY_ZERO + t minutes (also HHCRSP)
SPEED_KPH = 60.0  # one distance unit (km) per time unit (minute)


@dataclass(frozen=True)
class Customer:
    id: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class VrptwInstance:
    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: tuple[Customer, ...]

    def distance(self, a: Customer, b: Customer) -> float:
        return math.hypot(a.x - b.x, a.y - b.y)

    def route_distance(self, route: Sequence[int]) -> float:
        """Depot → customers (by id) → depot, Euclidean in double precision."""
        by_id = {c.id: c for c in self.customers}
        stops = [self.depot, *(by_id[i] for i in route), self.depot]
        return sum(self.distance(a, b) for a, b in itertools.pairwise(stops))


def read_vrptw(path: str | Path) -> VrptwInstance:
    """Parse a Solomon-format file; a malformed file is a ScenarioError naming the line."""
    path = Path(path)
    source = str(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    name = next((line.strip() for line in lines if line.strip()), path.stem)
    vehicles = capacity = None
    rows: list[Customer] = []
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if vehicles is None and len(parts) == 2 and all(p.isdigit() for p in parts):
            vehicles, capacity = int(parts[0]), int(parts[1])
            continue
        if len(parts) == 7:
            try:
                values = [float(p) for p in parts]
            except ValueError:
                continue  # the column header
            if not all(v == int(v) for v in (values[0], *values[3:])):
                raise ScenarioError([Problem(source, "expected whole numbers", row=number)])
            cid, x, y, demand, ready, due, service = values
            rows.append(Customer(int(cid), x, y, int(demand), int(ready), int(due), int(service)))
    if vehicles is None or capacity is None or len(rows) < 2 or rows[0].id != 0:
        raise ScenarioError([Problem(source, "not a Solomon-format VRPTW instance")])
    return VrptwInstance(name, vehicles, capacity, rows[0], tuple(rows[1:]))


def instance_time(minutes: float) -> datetime:
    """Instance time (minutes from the start of the horizon) as a local datetime."""
    return DAY_ZERO + timedelta(minutes=minutes)


def vrptw_scenario(instance: VrptwInstance) -> Scenario:
    """The instance as a planar scenario (see the module docstring)."""
    depot = instance.depot
    home = Location(x_km=depot.x, y_km=depot.y)
    caregivers = tuple(
        Caregiver(
            id=f"V{k:03d}",
            role=Role.AIDE,
            home=home,
            shifts=(Shift(start=instance_time(depot.ready), end=instance_time(depot.due)),),
            capacity=instance.capacity,
        )
        for k in range(1, instance.vehicles + 1)
    )
    clients = tuple(
        Client(id=f"C{c.id:04d}", location=Location(x_km=c.x, y_km=c.y)) for c in instance.customers
    )
    visits = tuple(
        Visit(
            id=f"C{c.id:04d}",
            client_id=f"C{c.id:04d}",
            duration_min=c.service,
            windows=(TimeWindow(start=instance_time(c.ready), end=instance_time(c.due)),),
            load=c.demand,
            priority=5,
        )
        for c in instance.customers
    )
    settings = Settings(
        travel=TravelSettings(model=TravelModelName.PLANAR),
        drive_speed_kph=SPEED_KPH,
        weights=Weights(travel_per_s=1, unassigned_per_priority=1_000_000),
    )
    return Scenario(
        name=instance.name,
        time_zone="UTC",
        caregivers=caregivers,
        clients=clients,
        visits=visits,
        settings=settings,
    )


def customer_of(visit_id: str) -> int:
    """The instance's customer number behind a visit id of :func:`vrptw_scenario`."""
    return int(visit_id.removeprefix("C"))


@dataclass(frozen=True)
class RouteScore:
    """Routes judged on the instance alone: total distance, vehicles used, and what is wrong."""

    distance: float
    vehicles: int
    problems: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.problems


def score_routes(
    instance: VrptwInstance, routes: Sequence[Sequence[int]], *, tolerance: float = 1e-6
) -> RouteScore:
    """Recompute distance and check every VRPTW rule from the instance (independently of any
    solver): each customer once, at most the instance's vehicles, capacity, service starting
    within [ready, due] after travelling, and back at the depot by its due time."""
    by_id = {c.id: c for c in instance.customers}
    problems: list[str] = []
    used = [r for r in routes if r]
    if len(used) > instance.vehicles:
        problems.append(f"{len(used)} routes, the instance allows {instance.vehicles}")
    served = [c for r in used for c in r]
    missing = set(by_id) - set(served)
    if missing:
        problems.append(f"{len(missing)} customers not served")
    if len(served) != len(set(served)) or set(served) - set(by_id):
        problems.append("a customer served twice or unknown")
    for k, route in enumerate(used):
        load = sum(by_id[c].demand for c in route if c in by_id)
        if load > instance.capacity:
            problems.append(f"route {k}: load {load} > capacity {instance.capacity}")
        here, clock = instance.depot, float(instance.depot.ready)
        for c in route:
            there = by_id.get(c)
            if there is None:
                continue
            start = max(clock + instance.distance(here, there), there.ready)
            if start > there.due + tolerance:
                problems.append(f"route {k}: customer {c} starts {start:.2f} > due {there.due}")
            clock, here = start + there.service, there
        back = clock + instance.distance(here, instance.depot)
        if back > instance.depot.due + tolerance:
            problems.append(f"route {k}: back at {back:.2f} > {instance.depot.due}")
    distance = sum(instance.route_distance(r) for r in used)
    return RouteScore(distance=distance, vehicles=len(used), problems=tuple(problems))
