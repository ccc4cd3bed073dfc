"""Cutting a day into parts: sparse candidates, neighbouring routes, and the sub-scenario of
each part with the ties that leave it held in place. Pure: no solver.

A part is a few caregivers whose routes lie near one another, with every visit they serve and
some visits nobody serves yet. Its sub-scenario is an ordinary scenario, solved by the same
engine as any day. Visits tied (double-handed, or by a dependency) to a visit served outside
the part are *held*: each such stop becomes a visit of its own, pinned to its caregiver and to
its start, so whatever the part's search does, the tie outside still holds.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from scheduler.domain.eligibility import is_eligible
from scheduler.domain.model import Caregiver, Client, Location, Scenario, TimeWindow, Visit
from scheduler.solution.roster import Route, Stop
from scheduler.solve.compile import first_day
from scheduler.solve.params import SolveParams
from scheduler.travel.base import TravelModel, profile_of
from scheduler.travel.matrix import MatrixTravel

# Eligible caregivers each visit considers, nearest homes first (sparse candidates).
CANDIDATES = 12
# A part takes at most this many times its share of the day's visits.
OFFER_FACTOR = 1.5

_KM_PER_DEG_LAT = 110.57
_KM_PER_DEG_LON_EQUATOR = 111.32


@dataclass(frozen=True)
class Held:
    """A stop held in place: the visit ``visit_id`` served by ``caregiver_id`` at ``start``."""

    visit_id: str
    caregiver_id: str
    start: datetime


@dataclass(frozen=True)
class PartTask:
    """What a worker needs to solve one part (plain data: it pickles)."""

    scenario: Scenario
    travel: MatrixTravel
    initial: tuple[Route, ...]
    params: SolveParams


@dataclass(frozen=True)
class Part:
    """A part as the day sees it: its caregivers, its task, and the held stops by their ids
    in the task."""

    caregivers: tuple[str, ...]
    task: PartTask
    held: dict[str, Held]


class Plane:
    """Places as kilometres on a plane: planar coordinates as they are, geographic ones by an
    equirectangular projection around the day's mean latitude (enough to tell near from far)."""

    def __init__(self, places: Iterable[Location]) -> None:
        lats = [p.lat for p in places if p.x_km is None and p.lat is not None]
        mean_lat = sum(lats) / len(lats) if lats else 0.0
        self._km_per_deg_lon = _KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(mean_lat))

    def xy(self, place: Location) -> tuple[float, float]:
        if place.x_km is not None and place.y_km is not None:
            return (place.x_km, place.y_km)
        return ((place.lon or 0.0) * self._km_per_deg_lon, (place.lat or 0.0) * _KM_PER_DEG_LAT)


def tie_groups(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Per visit in a dependency, every visit linked to it by dependencies, transitively (a
    double-handed visit is tied to itself through its copies and needs no entry)."""
    links: dict[str, set[str]] = defaultdict(set)
    for visit in scenario.visits:
        if visit.dependency is not None:
            links[visit.id].add(visit.dependency.after)
            links[visit.dependency.after].add(visit.id)
    groups: dict[str, frozenset[str]] = {}
    for start in links:
        if start in groups:
            continue
        group, frontier = {start}, [start]
        while frontier:
            for other in links[frontier.pop()] - group:
                group.add(other)
                frontier.append(other)
        frozen = frozenset(group)
        for member in group:
            groups[member] = frozen
    return groups


def sparse_candidates(
    scenario: Scenario, plane: Plane, k: int = CANDIDATES
) -> dict[str, tuple[str, ...]]:
    """Per visit, up to ``k`` caregivers who may serve it and have a shift it fits in, nearest
    homes first. Eligibility is decided once per kind of visit and client (skills, roles, pin,
    exclusions, household, the day for lapsing credentials), not per pair."""
    caregivers = [c for c in scenario.caregivers if c.shifts]
    if not caregivers:
        return {v.id: () for v in scenario.visits}
    homes = np.array([plane.xy(c.home) for c in caregivers])
    shifts = _Shifts(scenario, caregivers)
    clients = scenario.clients_by_id
    eligible_by_kind: dict[tuple[object, ...], np.ndarray] = {}
    out: dict[str, tuple[str, ...]] = {}
    for visit in scenario.visits:
        client = clients[visit.client_id]
        day = scenario.local_date(visit.windows[0].start)
        kind = (
            visit.required_skills,
            visit.roles,
            visit.pinned_caregiver,
            client.excluded_caregivers,
            client.has_pets,
            client.smoker,
            day,
        )
        if kind not in eligible_by_kind:
            eligible_by_kind[kind] = np.array(
                [is_eligible(c, client, visit, day) for c in caregivers], dtype=bool
            )
        fits = eligible_by_kind[kind] & shifts.fitting(visit)
        where = np.flatnonzero(fits)
        x, y = plane.xy(client.location)
        distance = np.hypot(homes[where, 0] - x, homes[where, 1] - y)
        nearest = where[np.argsort(distance, kind="stable")[:k]]
        out[visit.id] = tuple(caregivers[i].id for i in nearest)
    return out


class _Shifts:
    """The caregivers' shifts as arrays of solver seconds, read once for every visit."""

    def __init__(self, scenario: Scenario, caregivers: Sequence[Caregiver]) -> None:
        self._clock = first_day(scenario)
        self._late_s = scenario.settings.late_start_max_min * 60
        self._count = len(caregivers)
        owner, start, end = [], [], []
        for i, caregiver in enumerate(caregivers):
            for shift in caregiver.shifts:
                owner.append(i)
                start.append(self._clock.to_s(shift.start))
                end.append(self._clock.to_s(shift.end))
        self._owner = np.array(owner, dtype=np.int64)
        self._start_s = np.array(start, dtype=np.int64)
        self._end_s = np.array(end, dtype=np.int64)

    def fitting(self, visit: Visit) -> np.ndarray:
        """Caregivers with a shift in which some window of ``visit`` leaves room for its
        service (travel aside)."""
        last_start_s = self._end_s - visit.duration_min * 60
        fits_shift = np.zeros(len(self._owner), dtype=bool)
        for window in visit.windows:
            lo, hi = self._clock.to_s(window.start), self._clock.to_s(window.end) + self._late_s
            fits_shift |= np.maximum(self._start_s, lo) <= np.minimum(last_start_s, hi)
        fits = np.zeros(self._count, dtype=bool)
        fits[self._owner[fits_shift]] = True
        return fits


def partition(
    positions: dict[str, tuple[float, float]], part_size: int, rng: random.Random
) -> list[tuple[str, ...]]:
    """Caregivers into parts of about ``part_size`` neighbours: recursive bisection at the
    median along a direction that turns by a right angle at each level, from a random first
    direction (so each pass cuts the day along other lines)."""
    ids = sorted(positions)
    if not ids:
        return []
    angle = rng.uniform(0.0, math.pi)
    count = max(1, round(len(ids) / part_size))
    parts: list[tuple[str, ...]] = []

    def split(members: list[str], parts_wanted: int, theta: float) -> None:
        if parts_wanted <= 1 or len(members) <= 1:
            parts.append(tuple(members))
            return
        dx, dy = math.cos(theta), math.sin(theta)
        members = sorted(members, key=lambda c: (positions[c][0] * dx + positions[c][1] * dy, c))
        left_parts = parts_wanted // 2
        cut = round(len(members) * left_parts / parts_wanted)
        split(members[:cut], left_parts, theta + math.pi / 2)
        split(members[cut:], parts_wanted - left_parts, theta + math.pi / 2)

    split(ids, count, angle)
    return [p for p in parts if p]


def route_positions(
    scenario: Scenario, routes: dict[str, list[Route]], plane: Plane
) -> dict[str, tuple[float, float]]:
    """Per caregiver with a shift, the mean of its home and the places of its stops."""
    clients = scenario.clients_by_id
    out = {}
    for caregiver in scenario.caregivers:
        if not caregiver.shifts:
            continue
        points = [plane.xy(caregiver.home)]
        for route in routes.get(caregiver.id, ()):
            points += [plane.xy(clients[s.client_id].location) for s in route.stops]
        out[caregiver.id] = _centre(points)
    return out


@dataclass(frozen=True)
class DayState:
    """The day's roster while it is being improved: routes by caregiver."""

    routes: dict[str, list[Route]]

    def servers(self) -> dict[str, list[tuple[str, Stop]]]:
        """Per served visit, who serves it and the stop."""
        out: dict[str, list[tuple[str, Stop]]] = defaultdict(list)
        for caregiver_id, routes in self.routes.items():
            for route in routes:
                for stop in route.stops:
                    out[stop.visit_id].append((caregiver_id, stop))
        return out


def cut_parts(
    scenario: Scenario,
    state: DayState,
    parts: list[tuple[str, ...]],
    candidates: dict[str, tuple[str, ...]],
    positions: dict[str, tuple[float, float]],
    plane: Plane,
    ties: dict[str, frozenset[str]],
) -> tuple[list[list[str]], list[list[str]], list[list[Held]]]:
    """Per part: the visits it solves freely (served there, or offered), which of them are
    offers, and the stops it must hold.

    A served visit is free in its part when every visit tied to it is served (if at all)
    within the part; otherwise its stops in the part are held. A visit nobody serves is
    offered to one part, with the rest of its tie group: the part that serves a member of the
    group (if the group is not split), else the part of its nearest candidate caregiver (by
    where the caregivers' routes are now) among those with enough candidates for it, at most
    ``OFFER_FACTOR`` times a part's share of the day's visits.
    """
    part_of = {c: i for i, members in enumerate(parts) for c in members}
    servers = state.servers()
    clients = scenario.clients_by_id
    visits = {v.id: v for v in scenario.visits}
    free: list[list[str]] = [[] for _ in parts]
    offered: list[list[str]] = [[] for _ in parts]
    held: list[list[Held]] = [[] for _ in parts]
    done: set[str] = set()

    for visit in scenario.visits:
        if visit.id in done:
            continue
        group = sorted(ties.get(visit.id, frozenset({visit.id})))
        done.update(group)
        homes = {part_of[c] for member in group for c, _ in servers.get(member, ())}
        if len(homes) > 1:  # split across parts: hold what is served, offer nothing
            for member in group:
                for caregiver_id, stop in servers.get(member, ()):
                    held[part_of[caregiver_id]].append(Held(member, caregiver_id, stop.start))
            continue
        if homes:
            (home,) = homes
            for member in group:
                free[home].append(member)
                if member not in servers:
                    offered[home].append(member)
            continue
        # Nobody serves the group: offer it whole to the nearest part that can serve it.
        need = max(visits[m].caregivers_required for m in group)
        options = [c for m in group for c in candidates.get(m, ()) if c in part_of]
        if not options:
            continue
        x, y = plane.xy(clients[visits[group[0]].client_id].location)
        by_part: dict[int, list[float]] = defaultdict(list)
        for c in dict.fromkeys(options):
            px, py = positions[c]
            by_part[part_of[c]].append(math.hypot(px - x, py - y))
        enough = [p for p, ds in by_part.items() if len(ds) >= need] or list(by_part)
        best = min(enough, key=lambda p: (min(by_part[p]), p))
        free[best].extend(group)
        offered[best].extend(group)

    share = OFFER_FACTOR * len(scenario.visits) / max(1, len(parts))
    cap = max(1, math.ceil(share))
    for i, members in enumerate(parts):
        served_here = sum(1 for v in free[i] if v not in offered[i])
        room = max(0, cap - served_here)
        if len(offered[i]) > room:
            centre = _centre([positions[c] for c in members])
            ranked = sorted(
                _units(offered[i], ties),
                key=lambda unit: _distance(plane, clients[visits[unit[0]].client_id], centre),
            )
            kept: list[str] = []
            for unit in ranked:
                if len(kept) + len(unit) > room:
                    break
                kept += unit
            dropped = set(offered[i]) - set(kept)
            offered[i] = [v for v in offered[i] if v not in dropped]
            free[i] = [v for v in free[i] if v not in dropped]
    return free, offered, held


def _units(offered: list[str], ties: dict[str, frozenset[str]]) -> list[list[str]]:
    """Offered visits as the units that go together (tie groups)."""
    units, seen = [], set()
    for v in offered:
        if v in seen:
            continue
        unit = [m for m in offered if m in ties.get(v, frozenset({v}))] or [v]
        seen.update(unit)
        units.append(unit)
    return units


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _distance(plane: Plane, client: Client, centre: tuple[float, float]) -> float:
    x, y = plane.xy(client.location)
    return math.hypot(x - centre[0], y - centre[1])


def build_part(
    scenario: Scenario,
    state: DayState,
    caregiver_ids: tuple[str, ...],
    free: list[str],
    held: list[Held],
    travel: TravelModel,
    params: SolveParams,
) -> Part:
    """The part's sub-scenario (its caregivers, its free visits as they are, each held stop as
    a visit pinned to its caregiver and start), its current routes, and the travel times
    between its places."""
    visits = {v.id: v for v in scenario.visits}
    by_id = scenario.caregivers_by_id
    taken = set(visits)
    held_ids: dict[str, Held] = {}
    held_of_stop: dict[tuple[str, str], str] = {}
    sub_visits = [visits[v] for v in free]
    for n, hold in enumerate(held):
        held_id = f"held:{n}"
        while held_id in taken:
            held_id += ":"
        taken.add(held_id)
        held_ids[held_id] = hold
        held_of_stop[(hold.visit_id, hold.caregiver_id)] = held_id
        sub_visits.append(_held_visit(visits[hold.visit_id], held_id, hold))
    client_ids = {v.client_id for v in sub_visits}
    caregivers = tuple(by_id[c] for c in caregiver_ids)
    sub = scenario.model_copy(
        update={
            "name": f"{scenario.name}-part",
            "caregivers": caregivers,
            "clients": tuple(c for c in scenario.clients if c.id in client_ids),
            "visits": tuple(sub_visits),
        }
    )
    kept = set(free)
    initial = []
    for caregiver_id in caregiver_ids:
        for route in state.routes.get(caregiver_id, ()):
            stops = []
            for stop in route.stops:
                renamed = held_of_stop.get((stop.visit_id, caregiver_id))
                if renamed is not None:
                    stops.append(stop.model_copy(update={"visit_id": renamed}))
                elif stop.visit_id in kept:
                    stops.append(stop)
            initial.append(route.model_copy(update={"stops": tuple(stops)}))
    places = [c.home for c in caregivers] + [c.location for c in sub.clients]
    profiles = sorted({profile_of(c, scenario.settings) for c in caregivers})
    task = PartTask(
        scenario=sub,
        travel=MatrixTravel.of(travel, places, profiles),
        initial=tuple(initial),
        params=params,
    )
    return Part(caregiver_ids, task, held_ids)


def _held_visit(visit: Visit, held_id: str, stop: Held) -> Visit:
    """``visit`` as one caregiver's stop that must stay where it is."""
    start = stop.start
    if visit.windows[0].start.tzinfo is None:  # keep the scenario's own kind of datetimes
        start = start.replace(tzinfo=None)
    return visit.model_copy(
        update={
            "id": held_id,
            "windows": (TimeWindow(start=start, end=start),),
            "caregivers_required": 1,
            "dependency": None,
            "pinned_caregiver": stop.caregiver_id,
        }
    )


def held_in_place(routes: Sequence[Route], held: dict[str, Held]) -> bool:
    """Whether every held stop is in ``routes`` with its caregiver and start."""
    where = {s.visit_id: (r.caregiver_id, s.start) for r in routes for s in r.stops}
    return all(
        where.get(held_id) == (stop.caregiver_id, stop.start) for held_id, stop in held.items()
    )


def restored(routes: Sequence[Route], held: dict[str, Held]) -> list[Route]:
    """``routes`` with each held stop under its visit's own id again."""
    out = []
    for route in routes:
        stops = tuple(
            s.model_copy(update={"visit_id": held[s.visit_id].visit_id})
            if s.visit_id in held
            else s
            for s in route.stops
        )
        out.append(route.model_copy(update={"stops": stops}))
    return out
