"""Compile a scenario into the optimiser's problem: integer numpy arrays and id<->index maps.

Nodes are the places a caregiver serves: one node per caregiver a visit needs (a double-handed
visit has two). Vehicles are caregiver shifts. Times are integer seconds from the clock's origin.
Nothing below this module reads a pydantic object.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from scheduler.domain.clock import Clock
from scheduler.domain.eligibility import is_eligible, missing_skills
from scheduler.domain.model import Client, Location, Scenario, Weights, rested_shifts
from scheduler.domain.preferences import preference_cost
from scheduler.travel.base import TravelModel, TravelProfile, profile_of


@dataclass(frozen=True)
class DependencyArc:
    """``later`` starts between ``min_lag_s`` and ``max_lag_s`` after ``earlier`` (nodes)."""

    earlier: int
    later: int
    min_lag_s: int
    max_lag_s: int | None


@dataclass(frozen=True)
class WorkLimit:
    """The shifts (vehicles) of one caregiver on one day, or in one calendar week, share at most
    ``max_work_s``."""

    vehicles: tuple[int, ...]
    max_work_s: int


@dataclass(frozen=True)
class Problem:
    clock: Clock
    horizon_s: int
    # visits
    visit_ids: tuple[str, ...]
    # nodes (visit copies); node n serves visit node_visit[n]
    node_visit: np.ndarray
    node_location: np.ndarray
    node_service_s: np.ndarray
    node_windows_s: tuple[tuple[tuple[int, int], ...], ...]  # the visit's windows, as given
    node_penalty: np.ndarray
    node_allowed_vehicles: tuple[tuple[int, ...], ...]
    node_load: np.ndarray  # units of the shift's capacity each node takes
    sync_groups: tuple[tuple[int, ...], ...]
    dependencies: tuple[DependencyArc, ...]
    # vehicles (caregiver shifts)
    caregiver_ids: tuple[str, ...]
    vehicle_caregiver: np.ndarray
    vehicle_location: np.ndarray
    vehicle_start_s: np.ndarray
    vehicle_end_s: np.ndarray
    vehicle_profile: np.ndarray
    vehicle_max_work_s: np.ndarray  # this shift's share of the day's and week's limits (or huge)
    vehicle_overtime_after_s: np.ndarray  # this shift's share of the weekly overtime threshold
    vehicle_break_after_s: np.ndarray  # longest stretch of work without a break (0: no rule)
    vehicle_break_s: np.ndarray  # length of that break
    vehicle_capacity: np.ndarray  # units a shift can carry (huge when unlimited)
    work_limits: tuple[WorkLimit, ...]
    # costs
    travel_s: np.ndarray  # [profile, location, location]
    travel_weight: int
    late_start_max_s: int  # soft windows: how long after its last window a start may be
    lateness_weight: int  # per second late
    overtime_weight: int  # per second of a shift beyond its share of the overtime threshold
    max_lateness_weight: int  # per second of the latest start (timing, re-sequencing; not routing)
    preference_cost: np.ndarray  # [vehicle, node]
    # visits left out before solving: visit index -> short code of why
    excluded_visits: dict[int, str] = field(default_factory=dict)
    # node pairs no one caregiver may both serve (a dependency's ``different_caregiver``)
    apart_pairs: tuple[tuple[int, int], ...] = ()
    # churn against a published roster: each node's published start (-1: none), the cost of a
    # start moved by more than the tolerance (timing; routing sees the caregiver changes,
    # which are in preference_cost)
    node_published_s: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    moved_start_weight: int = 0
    churn_tolerance_s: int = 0
    # the search's own cap on a node's lateness, below ``late_start_max_s`` (empty: none); the
    # staged search of a soft day puts left-out visits back with it (solve/routing.py)
    node_late_start_max_s: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def num_nodes(self) -> int:
        return len(self.node_visit)

    def late_start_max_of(self, node: int) -> int:
        """How long after its last window node ``node`` may start."""
        if len(self.node_late_start_max_s):
            return int(self.node_late_start_max_s[node])
        return self.late_start_max_s

    @property
    def later_copies(self) -> frozenset[int]:
        """The copies of each double-handed visit after its first (which carries the visit's
        lateness: the copies start together)."""
        return frozenset(node for group in self.sync_groups for node in group[1:])

    @property
    def limited_vehicles(self) -> set[int]:
        return {v for limit in self.work_limits for v in limit.vehicles}

    @property
    def num_vehicles(self) -> int:
        return len(self.vehicle_caregiver)

    def node_travel_s(self, profile: int) -> np.ndarray:
        """Travel seconds between nodes then vehicle homes: nodes first, then one per vehicle."""
        locs = np.concatenate([self.node_location, self.vehicle_location])
        return self.travel_s[profile][np.ix_(locs, locs)]


def vehicle_max_work_split(
    vehicles: list[int],
    max_work_s: int,
    starts: list[int],
    ends: list[int],
    out: list[int | None],
) -> None:
    """Share a day's working-time limit among that day's shifts, in proportion to their length.

    Routing enforces a per-shift span bound exactly, but a sum across shifts only by bound
    propagation, which can accept rosters with no valid times. The split is always safe and
    exact for the usual one shift a day; with split shifts it may leave some time unused.
    """
    lengths = [ends[v] - starts[v] for v in vehicles]
    total = sum(lengths)
    for v, length in zip(vehicles, lengths, strict=True):
        out[v] = max_work_s if len(vehicles) == 1 else max_work_s * length // total


def with_lateness(
    windows: tuple[tuple[int, int], ...], late_start_max_s: int
) -> tuple[tuple[int, int], ...]:
    """The windows a start may fall in: the last one stretched by the allowed lateness."""
    if not late_start_max_s:
        return windows
    *early, (lo, hi) = windows
    return (*early, (lo, hi + late_start_max_s))


def first_day(scenario: Scenario) -> Clock:
    """The clock whose origin is local midnight of the earliest shift or window."""
    zone = scenario.zone
    moments = [s.start for c in scenario.caregivers for s in c.shifts]
    moments += [w.start for v in scenario.visits for w in v.windows]
    days = [
        (m.replace(tzinfo=zone) if m.tzinfo is None else m.astimezone(zone)).date() for m in moments
    ]
    return Clock.starting(min(days, default=date(2000, 1, 1)), zone)


def compile_problem(scenario: Scenario, travel: TravelModel) -> Problem:
    clock = first_day(scenario)
    weights = scenario.settings.weights
    late_start_max_s = scenario.settings.late_start_max_min * 60
    clients = scenario.clients_by_id

    locations: list[Location] = []
    location_index: dict[tuple[float, float], int] = {}

    def locate(loc: Location) -> int:
        key = loc.key
        if key not in location_index:
            location_index[key] = len(locations)
            locations.append(loc)
        return location_index[key]

    # Vehicles: one per caregiver shift.
    profiles: list[TravelProfile] = sorted(
        {profile_of(c, scenario.settings) for c in scenario.caregivers}
    )
    profile_index = {p: i for i, p in enumerate(profiles)}
    vehicle_caregiver: list[int] = []
    vehicle_location: list[int] = []
    vehicle_start: list[int] = []
    vehicle_end: list[int] = []
    vehicle_profile: list[int] = []
    shifts_by_day: dict[tuple[int, object], list[int]] = defaultdict(list)
    shifts_by_week: dict[tuple[int, object], list[int]] = defaultdict(list)
    vehicle_day: list[date] = []
    for ci, caregiver in enumerate(scenario.caregivers):
        for shift in rested_shifts(caregiver.shifts, caregiver.min_rest_min, clock.local_date):
            v = len(vehicle_caregiver)
            day, start_s, end_s = (
                clock.local_date(shift.start),
                clock.to_s(shift.start),
                clock.to_s(shift.end),
            )
            vehicle_day.append(day)
            shifts_by_week[(ci, day.isocalendar()[:2])].append(v)
            vehicle_caregiver.append(ci)
            vehicle_location.append(locate(caregiver.home))
            vehicle_start.append(start_s)
            vehicle_end.append(end_s)
            vehicle_profile.append(profile_index[profile_of(caregiver, scenario.settings)])
            shifts_by_day[(ci, clock.local_date(shift.start))].append(v)
    work_limits = []
    vehicle_max_work: list[int | None] = [None] * len(vehicle_caregiver)
    for (ci, _day), vehicles in sorted(shifts_by_day.items(), key=lambda kv: kv[1][0]):
        max_min = scenario.caregivers[ci].max_work_min_per_day
        if max_min is not None:
            work_limits.append(WorkLimit(tuple(vehicles), max_min * 60))
            vehicle_max_work_split(
                vehicles, max_min * 60, vehicle_start, vehicle_end, vehicle_max_work
            )
    for (ci, _week), vehicles in sorted(shifts_by_week.items(), key=lambda kv: kv[1][0]):
        max_min = scenario.caregivers[ci].max_work_min_per_week
        if max_min is not None:
            work_limits.append(WorkLimit(tuple(vehicles), max_min * 60))
            weekly: list[int | None] = [None] * len(vehicle_caregiver)
            vehicle_max_work_split(vehicles, max_min * 60, vehicle_start, vehicle_end, weekly)
            for v in vehicles:
                share = weekly[v]
                assert share is not None
                current = vehicle_max_work[v]
                vehicle_max_work[v] = share if current is None else min(current, share)
    vehicle_overtime_after: list[int | None] = [None] * len(vehicle_caregiver)
    for (ci, _week), vehicles in shifts_by_week.items():
        threshold = scenario.caregivers[ci].overtime_after_min_per_week
        if threshold is not None:
            vehicle_max_work_split(
                vehicles, threshold * 60, vehicle_start, vehicle_end, vehicle_overtime_after
            )
    dated_credentials = [
        any(c.valid_until is not None for c in scenario.caregivers[ci].credentials)
        for ci in vehicle_caregiver
    ]

    for client in scenario.clients:
        locate(client.location)
    travel_s = (
        np.stack([travel.durations_s(locations, p) for p in profiles])
        if profiles
        else (np.zeros((0, len(locations), len(locations)), dtype=np.int64))
    )

    v_start = np.array(vehicle_start, dtype=np.int64)
    v_end = np.array(vehicle_end, dtype=np.int64)
    v_loc = np.array(vehicle_location, dtype=np.int64)
    v_prof = np.array(vehicle_profile, dtype=np.int64)
    no_limit = np.iinfo(np.int64).max // 4
    unlimited_load = 2**40
    v_capacity = np.array(
        [
            unlimited_load if c.capacity is None else c.capacity
            for c in (scenario.caregivers[ci] for ci in vehicle_caregiver)
        ],
        dtype=np.int64,
    )
    max_work = np.array([no_limit if m is None else m for m in vehicle_max_work], dtype=np.int64)

    node_visit: list[int] = []
    node_location: list[int] = []
    node_service: list[int] = []
    node_windows: list[tuple[tuple[int, int], ...]] = []
    node_penalty: list[int] = []
    node_allowed: list[tuple[int, ...]] = []
    node_load: list[int] = []
    pref_columns: list[np.ndarray] = []
    node_published: list[int] = []
    sync_groups: list[tuple[int, ...]] = []
    first_node: dict[str, int] = {}
    nodes_of: dict[str, tuple[int, ...]] = {}
    excluded: dict[int, str] = {}

    for vi, visit in enumerate(scenario.visits):
        client = clients[visit.client_id]
        loc = locate(client.location)
        windows = tuple((clock.to_s(w.start), clock.to_s(w.end)) for w in visit.windows)
        service_s = visit.duration_min * 60

        eligible_caregivers = np.array(
            [is_eligible(c, client, visit) for c in scenario.caregivers], dtype=bool
        )
        if not len(vehicle_caregiver) or not eligible_caregivers.any():
            excluded[vi] = "not_eligible"
            continue
        eligible = eligible_caregivers[np.array(vehicle_caregiver)]
        if visit.required_skills:  # credentials lapse: check them on each shift's day
            for v in map(int, np.flatnonzero(eligible)):
                if dated_credentials[v]:
                    caregiver = scenario.caregivers[vehicle_caregiver[v]]
                    eligible[v] = not missing_skills(caregiver, visit, vehicle_day[v])
        # Reachability: some window start in [first arrival, last start that still gets home].
        out_s = travel_s[v_prof, v_loc, loc]
        back_s = travel_s[v_prof, loc, v_loc]
        earliest = v_start + out_s
        latest = v_end - service_s - back_s
        fits_window = np.zeros_like(eligible)
        for lo, hi in with_lateness(windows, late_start_max_s):
            fits_window |= np.maximum(earliest, lo) <= np.minimum(latest, hi)
        fits_work = out_s + service_s + back_s <= max_work
        fits_load = v_capacity >= visit.load
        allowed_mask = eligible & fits_window & fits_work & fits_load
        allowed = tuple(int(v) for v in np.flatnonzero(allowed_mask))
        distinct = {vehicle_caregiver[v] for v in allowed}
        if len(distinct) < visit.caregivers_required:
            excluded[vi] = "unreachable" if eligible.any() else "not_eligible"
            continue

        preference = _preference_cost(scenario, client, weights, vehicle_caregiver)
        published_s = -1
        if visit.published is not None:
            preference = preference + _changed_caregiver_cost(
                scenario, visit.published.caregiver_ids, weights, vehicle_caregiver
            )
            published_s = clock.to_s(visit.published.start)
        nodes = []
        for _copy in range(visit.caregivers_required):
            nodes.append(len(node_visit))
            node_visit.append(vi)
            node_location.append(loc)
            node_service.append(service_s)
            node_windows.append(windows)
            node_penalty.append(weights.unassigned_per_priority * visit.priority)
            node_allowed.append(allowed)
            node_load.append(visit.load)
            pref_columns.append(preference)
            node_published.append(published_s)
        first_node[visit.id] = nodes[0]
        nodes_of[visit.id] = tuple(nodes)
        if len(nodes) > 1:
            sync_groups.append(tuple(nodes))

    dependencies = []
    apart_pairs: list[tuple[int, int]] = []
    for visit in scenario.visits:
        dep = visit.dependency
        if dep is None or visit.id not in first_node or dep.after not in first_node:
            continue
        dependencies.append(
            DependencyArc(
                earlier=first_node[dep.after],
                later=first_node[visit.id],
                min_lag_s=dep.min_lag_min * 60,
                max_lag_s=None if dep.max_lag_min is None else dep.max_lag_min * 60,
            )
        )
        if dep.different_caregiver:
            apart_pairs += [(a, b) for a in nodes_of[dep.after] for b in nodes_of[visit.id]]

    all_times = [*vehicle_end, *(hi + late_start_max_s for ws in node_windows for _, hi in ws)]
    horizon_s = int(max(all_times, default=0)) + 24 * 3600
    preference_cost = (
        np.stack(pref_columns, axis=1)
        if pref_columns
        else np.zeros((len(vehicle_caregiver), 0), dtype=np.int64)
    )
    return Problem(
        clock=clock,
        horizon_s=horizon_s,
        visit_ids=tuple(v.id for v in scenario.visits),
        node_visit=np.array(node_visit, dtype=np.int64),
        node_location=np.array(node_location, dtype=np.int64),
        node_service_s=np.array(node_service, dtype=np.int64),
        node_windows_s=tuple(node_windows),
        node_penalty=np.array(node_penalty, dtype=np.int64),
        node_allowed_vehicles=tuple(node_allowed),
        node_load=np.array(node_load, dtype=np.int64),
        sync_groups=tuple(sync_groups),
        dependencies=tuple(dependencies),
        apart_pairs=tuple(apart_pairs),
        node_published_s=np.array(node_published, dtype=np.int64),
        moved_start_weight=weights.moved_start,
        churn_tolerance_s=scenario.settings.churn_tolerance_min * 60,
        caregiver_ids=tuple(c.id for c in scenario.caregivers),
        vehicle_caregiver=np.array(vehicle_caregiver, dtype=np.int64),
        vehicle_location=v_loc,
        vehicle_start_s=v_start,
        vehicle_end_s=v_end,
        vehicle_profile=v_prof,
        vehicle_max_work_s=max_work,
        vehicle_break_after_s=np.array(
            [(scenario.caregivers[ci].break_after_min or 0) * 60 for ci in vehicle_caregiver],
            dtype=np.int64,
        ),
        vehicle_break_s=np.array(
            [scenario.caregivers[ci].break_min * 60 for ci in vehicle_caregiver], dtype=np.int64
        ),
        vehicle_overtime_after_s=np.array(
            [no_limit if t is None else t for t in vehicle_overtime_after], dtype=np.int64
        ),
        vehicle_capacity=v_capacity,
        work_limits=tuple(work_limits),
        travel_s=travel_s,
        travel_weight=weights.travel_per_s,
        late_start_max_s=late_start_max_s,
        lateness_weight=weights.lateness_per_s,
        overtime_weight=weights.overtime_per_s,
        max_lateness_weight=weights.max_lateness_per_s,
        preference_cost=preference_cost.astype(np.int64),
        excluded_visits=excluded,
    )


def _changed_caregiver_cost(
    scenario: Scenario, published: tuple[str, ...], weights: Weights, vehicle_caregiver: list[int]
) -> np.ndarray:
    """Weights.changed_caregiver for each vehicle whose caregiver the visit did not have."""
    had = np.array([c.id in published for c in scenario.caregivers], dtype=bool)
    cost = np.where(had, 0, weights.changed_caregiver).astype(np.int64)
    return cost[np.array(vehicle_caregiver, dtype=np.int64)]


def _preference_cost(
    scenario: Scenario, client: Client, weights: Weights, vehicle_caregiver: list[int]
) -> np.ndarray:
    """Soft cost of each vehicle serving this client (the named terms in domain.preferences)."""
    per_caregiver = np.array(
        [preference_cost(c, client, weights) for c in scenario.caregivers], dtype=np.int64
    )
    return per_caregiver[np.array(vehicle_caregiver, dtype=np.int64)]
