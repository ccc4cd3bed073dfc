"""The independent roster validator: every hard rule, recomputed from the input and the roster.

It shares no code with the optimiser's model building (``scheduler.solve``) nor with the
eligibility predicates the optimiser compiles from (``scheduler.domain.eligibility``): each rule
below is written again from its plain statement in docs/concepts.md. Travel comes from the travel
model's single-pair question (geopy for great-circle), not from the optimiser's matrix.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from scheduler.domain.model import Caregiver, Location, Scenario, Visit
from scheduler.solution.roster import Roster, Route, Stop
from scheduler.travel.base import TravelModel, TravelProfile

TOLERANCE_S = 0.5  # roster times are whole seconds; travel is a real number of seconds


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass(frozen=True)
class _Input:
    scenario: Scenario
    roster: Roster
    travel: TravelModel

    def epoch(self, moment: datetime) -> float:
        """Seconds since the Unix epoch; naive input times are local in the scenario's zone."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.scenario.zone)
        return moment.timestamp()

    def local_day(self, moment: datetime) -> str:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.scenario.zone)
        return moment.astimezone(self.scenario.zone).date().isoformat()

    def travel_s(self, caregiver: Caregiver, a: Location, b: Location) -> float:
        speed = self.scenario.settings.speed_kph(caregiver)
        return self.travel.duration_s(a, b, TravelProfile(caregiver.travel_mode, speed))

    def stops(self) -> Iterator[tuple[Route, Stop]]:
        for route in self.roster.routes:
            for stop in route.stops:
                yield route, stop

    def known_stops(self) -> Iterator[tuple[Route, Stop, Caregiver, Visit]]:
        caregivers, visits = self.scenario.caregivers_by_id, self.scenario.visits_by_id
        for route, stop in self.stops():
            if route.caregiver_id in caregivers and stop.visit_id in visits:
                yield route, stop, caregivers[route.caregiver_id], visits[stop.visit_id]


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S")


# --- rules: each yields its violations -------------------------------------------------------


def check_known_ids(x: _Input) -> Iterator[Violation]:
    caregivers, visits = x.scenario.caregivers_by_id, x.scenario.visits_by_id
    for route in x.roster.routes:
        if route.caregiver_id not in caregivers:
            yield Violation("known_ids", f"route of unknown caregiver {route.caregiver_id}")
        for stop in route.stops:
            if stop.visit_id not in visits:
                yield Violation("known_ids", f"unknown visit {stop.visit_id}")
            elif visits[stop.visit_id].client_id != stop.client_id:
                yield Violation(
                    "known_ids", f"visit {stop.visit_id} is not for client {stop.client_id}"
                )


def check_coverage(x: _Input) -> Iterator[Violation]:
    """Each visit is served by exactly its number of different caregivers, or listed unassigned."""
    served: dict[str, list[str]] = defaultdict(list)
    for route, stop in x.stops():
        served[stop.visit_id].append(route.caregiver_id)
    unassigned = [u.visit_id for u in x.roster.unassigned]
    for visit in x.scenario.visits:
        people = served.get(visit.id, [])
        listed = unassigned.count(visit.id)
        if people and listed:
            yield Violation("coverage", f"visit {visit.id} is both served and listed unassigned")
        if listed > 1:
            yield Violation("coverage", f"visit {visit.id} is listed unassigned {listed} times")
        if not people and not listed:
            yield Violation("coverage", f"visit {visit.id} is neither served nor listed unassigned")
        if people and len(people) != visit.caregivers_required:
            yield Violation(
                "coverage",
                f"visit {visit.id} needs {visit.caregivers_required} "
                f"caregiver(s), has {len(people)}",
            )
        if len(set(people)) != len(people):
            yield Violation("coverage", f"visit {visit.id} is served twice by the same caregiver")


def check_qualification(x: _Input) -> Iterator[Violation]:
    for _route, stop, caregiver, visit in x.known_stops():
        # A credential counts as a skill up to and including its last valid day.
        day = date.fromisoformat(x.local_day(stop.start))
        valid = {
            c.name for c in caregiver.credentials if c.valid_until is None or day <= c.valid_until
        }
        lacking = set(visit.required_skills) - set(caregiver.skills) - valid
        if lacking:
            yield Violation(
                "skills", f"{caregiver.id} lacks {sorted(lacking)} for {stop.visit_id} on {day}"
            )
        if visit.roles and caregiver.role not in visit.roles:
            yield Violation(
                "role",
                f"{caregiver.id} is {caregiver.role.value}, visit "
                f"{stop.visit_id} needs {sorted(r.value for r in visit.roles)}",
            )


def check_exclusions(x: _Input) -> Iterator[Violation]:
    clients = x.scenario.clients_by_id
    for _route, stop, caregiver, visit in x.known_stops():
        client = clients[visit.client_id]
        if caregiver.id in client.excluded_caregivers:
            yield Violation("exclusion", f"client {client.id} excluded {caregiver.id}")
        if client.has_pets and caregiver.avoids_pets:
            yield Violation("household", f"{caregiver.id} avoids pets; client {client.id} has pets")
        if client.smoker and caregiver.avoids_smoking:
            yield Violation(
                "household", f"{caregiver.id} avoids smoking; client {client.id} smokes"
            )
        if visit.pinned_caregiver is not None and visit.pinned_caregiver != caregiver.id:
            yield Violation(
                "pinned",
                f"visit {stop.visit_id} is pinned to "
                f"{visit.pinned_caregiver}, served by {caregiver.id}",
            )


def check_visit_windows(x: _Input) -> Iterator[Violation]:
    """Service starts inside a window, or (soft windows) at most the allowed lateness after the
    last window closes."""
    late_s = x.scenario.settings.late_start_max_min * 60
    for _route, stop, _caregiver, visit in x.known_stops():
        t = x.epoch(stop.start)
        inside = any(x.epoch(w.start) <= t <= x.epoch(w.end) for w in visit.windows)
        last = max(visit.windows, key=lambda w: w.end)
        late_ok = late_s > 0 and x.epoch(last.end) < t <= x.epoch(last.end) + late_s
        if not inside and not late_ok:
            yield Violation(
                "visit_window", f"visit {visit.id} starts {_hm(stop.start)}, outside its window(s)"
            )


def check_durations(x: _Input) -> Iterator[Violation]:
    for _route, stop, _caregiver, visit in x.known_stops():
        length_s = x.epoch(stop.end) - x.epoch(stop.start)
        if abs(length_s - visit.duration_min * 60) > TOLERANCE_S:
            yield Violation(
                "duration",
                f"visit {visit.id} lasts {length_s / 60:.1f} min, planned {visit.duration_min}",
            )


def check_shifts(x: _Input) -> Iterator[Violation]:
    """A route lies inside one shift of its caregiver, from leaving home to being back."""
    caregivers = x.scenario.caregivers_by_id
    for route in x.roster.routes:
        caregiver = caregivers.get(route.caregiver_id)
        if caregiver is None:
            continue
        leave, back = x.epoch(route.departure), x.epoch(route.return_home)
        if back < leave:
            yield Violation("shift", f"{caregiver.id} returns before leaving")
        if not any(x.epoch(s.start) <= leave and back <= x.epoch(s.end) for s in caregiver.shifts):
            yield Violation(
                "shift",
                f"{caregiver.id} works {_hm(route.departure)}–"
                f"{_hm(route.return_home)}, outside every shift",
            )


def check_travel(x: _Input) -> Iterator[Violation]:
    """Leaving home, each hop and the way back leave enough time to travel."""
    caregivers, clients, visits = (
        x.scenario.caregivers_by_id,
        x.scenario.clients_by_id,
        x.scenario.visits_by_id,
    )
    for route in x.roster.routes:
        caregiver = caregivers.get(route.caregiver_id)
        if caregiver is None or any(s.visit_id not in visits for s in route.stops):
            continue
        place, free_at, label = caregiver.home, x.epoch(route.departure), "home"
        for stop in route.stops:
            here = clients[visits[stop.visit_id].client_id].location
            need = x.travel_s(caregiver, place, here)
            if x.epoch(stop.start) - free_at < need - TOLERANCE_S:
                yield Violation(
                    "travel",
                    f"{caregiver.id} cannot get from {label} to "
                    f"{stop.visit_id} by {_hm(stop.start)} ({need / 60:.1f} min)",
                )
            place, free_at, label = here, x.epoch(stop.end), stop.visit_id
        need = x.travel_s(caregiver, place, caregiver.home)
        if x.epoch(route.return_home) - free_at < need - TOLERANCE_S:
            yield Violation(
                "travel", f"{caregiver.id} cannot be home by {_hm(route.return_home)} from {label}"
            )


def check_one_visit_at_a_time(x: _Input) -> Iterator[Violation]:
    """A caregiver's visits and routes never overlap, also across routes."""
    busy: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for route in x.roster.routes:
        busy[route.caregiver_id].append(
            (x.epoch(route.departure), x.epoch(route.return_home), "route")
        )
        previous_end = -math.inf
        for stop in route.stops:
            if x.epoch(stop.start) < previous_end:
                yield Violation(
                    "overlap",
                    f"{route.caregiver_id} starts {stop.visit_id} before the previous visit ends",
                )
            previous_end = x.epoch(stop.end)
            if not (
                x.epoch(route.departure) <= x.epoch(stop.start)
                and x.epoch(stop.end) <= x.epoch(route.return_home)
            ):
                yield Violation("overlap", f"{stop.visit_id} lies outside its route's times")
    for caregiver_id, spans in busy.items():
        spans.sort()
        for (_, end, _), (start, _, _) in pairwise(spans):
            if start < end:
                yield Violation("overlap", f"{caregiver_id} has overlapping routes")


def check_working_time(x: _Input) -> Iterator[Violation]:
    caregivers = x.scenario.caregivers_by_id
    worked: dict[tuple[str, str], float] = defaultdict(float)
    for route in x.roster.routes:
        worked[(route.caregiver_id, x.local_day(route.departure))] += x.epoch(
            route.return_home
        ) - x.epoch(route.departure)
    for (caregiver_id, day), seconds in worked.items():
        caregiver = caregivers.get(caregiver_id)
        limit = caregiver.max_work_min_per_day if caregiver else None
        if limit is not None and seconds > limit * 60 + TOLERANCE_S:
            yield Violation(
                "working_time",
                f"{caregiver_id} works {seconds / 60:.0f} min on {day}, limit {limit}",
            )


def check_weekly_working_time(x: _Input) -> Iterator[Violation]:
    caregivers = x.scenario.caregivers_by_id
    worked: dict[tuple[str, tuple[int, int]], float] = defaultdict(float)
    for route in x.roster.routes:
        iso = date.fromisoformat(x.local_day(route.departure)).isocalendar()[:2]
        worked[(route.caregiver_id, (iso[0], iso[1]))] += x.epoch(route.return_home) - x.epoch(
            route.departure
        )
    for (caregiver_id, (year, week)), seconds in worked.items():
        caregiver = caregivers.get(caregiver_id)
        limit = caregiver.max_work_min_per_week if caregiver else None
        if limit is not None and seconds > limit * 60 + TOLERANCE_S:
            yield Violation(
                "weekly_working_time",
                f"{caregiver_id} works {seconds / 60:.0f} min in {year}-W{week:02d}, limit {limit}",
            )


def check_rest(x: _Input) -> Iterator[Violation]:
    """Between one day's return home and the next working day's departure: min_rest_min."""
    by_caregiver: dict[str, list[Route]] = defaultdict(list)
    for route in x.roster.routes:
        by_caregiver[route.caregiver_id].append(route)
    for caregiver_id, routes in by_caregiver.items():
        caregiver = x.scenario.caregivers_by_id.get(caregiver_id)
        rest = caregiver.min_rest_min if caregiver else None
        if rest is None:
            continue
        routes.sort(key=lambda r: x.epoch(r.departure))
        for before, after in pairwise(routes):
            if x.local_day(before.return_home) == x.local_day(after.departure):
                continue
            gap_min = (x.epoch(after.departure) - x.epoch(before.return_home)) / 60
            if gap_min < rest - TOLERANCE_S / 60:
                yield Violation(
                    "rest",
                    f"{caregiver_id} rests {gap_min:.0f} min before "
                    f"{after.departure:%Y-%m-%d %H:%M}, at least {rest} required",
                )


def check_breaks(x: _Input) -> Iterator[Violation]:
    """A route longer than break_after_min has breaks of at least break_min, each inside one gap
    between departure, stops and return that also holds the travel across it, and no stretch of
    work between departure, breaks and return is longer than break_after_min."""
    visits = x.scenario.visits_by_id
    for route in x.roster.routes:
        caregiver = x.scenario.caregivers_by_id.get(route.caregiver_id)
        if caregiver is None or caregiver.break_after_min is None:
            continue
        if any(s.visit_id not in visits for s in route.stops):
            continue  # reported by check_known_ids
        limit_s, pause_s = caregiver.break_after_min * 60, caregiver.break_min * 60
        homes = caregiver.home
        # The gaps: (opens, closes, travel needed in it).
        marks = [(x.epoch(route.departure), homes)]
        gaps = []
        for stop in route.stops:
            place = x.scenario.clients_by_id[visits[stop.visit_id].client_id].location
            trip = x.travel_s(caregiver, marks[-1][1], place)
            gaps.append((marks[-1][0], x.epoch(stop.start), trip))
            marks.append((x.epoch(stop.end), place))
        trip_home = x.travel_s(caregiver, marks[-1][1], homes)
        gaps.append((marks[-1][0], x.epoch(route.return_home), trip_home))
        taken = sorted((x.epoch(b.start), x.epoch(b.end)) for b in route.breaks)
        for start, end in taken:
            if end - start < pause_s - TOLERANCE_S:
                yield Violation("break", f"{route.caregiver_id} has a break shorter than required")
            inside = [g for g in gaps if g[0] - TOLERANCE_S <= start and end <= g[1] + TOLERANCE_S]
            if not inside:
                yield Violation("break", f"{route.caregiver_id}'s break overlaps a visit")
            elif inside[0][1] - inside[0][0] < inside[0][2] + (end - start) - 1.0:
                yield Violation("break", f"{route.caregiver_id}'s break leaves no time to travel")
        since = x.epoch(route.departure)
        for start, end in [*taken, (x.epoch(route.return_home), x.epoch(route.return_home))]:
            if start - since > limit_s + TOLERANCE_S:
                yield Violation(
                    "break",
                    f"{route.caregiver_id} works {(start - since) / 60:.0f} min without a break "
                    f"on {x.local_day(route.departure)}, at most {caregiver.break_after_min}",
                )
            since = end


def check_capacity(x: _Input) -> Iterator[Violation]:
    """Each route's visits carry no more than its caregiver's capacity."""
    caregivers, visits = x.scenario.caregivers_by_id, x.scenario.visits_by_id
    for route in x.roster.routes:
        caregiver = caregivers.get(route.caregiver_id)
        if caregiver is None or caregiver.capacity is None:
            continue
        carried = sum(visits[s.visit_id].load for s in route.stops if s.visit_id in visits)
        if carried > caregiver.capacity:
            yield Violation(
                "capacity",
                f"{route.caregiver_id} carries {carried} on the route leaving "
                f"{_hm(route.departure)}, capacity {caregiver.capacity}",
            )


def check_synchronised(x: _Input) -> Iterator[Violation]:
    starts: dict[str, set[float]] = defaultdict(set)
    for _route, stop in x.stops():
        starts[stop.visit_id].add(x.epoch(stop.start))
    for visit_id, moments in starts.items():
        if len(moments) > 1:
            yield Violation(
                "synchronised", f"the caregivers of {visit_id} start at different times"
            )


def check_dependencies(x: _Input) -> Iterator[Violation]:
    first_start: dict[str, float] = {}
    for _route, stop in x.stops():
        t = x.epoch(stop.start)
        first_start[stop.visit_id] = min(t, first_start.get(stop.visit_id, t))
    for visit in x.scenario.visits:
        dep = visit.dependency
        if dep is None or visit.id not in first_start or dep.after not in first_start:
            continue
        lag_min = (first_start[visit.id] - first_start[dep.after]) / 60
        if lag_min < dep.min_lag_min - TOLERANCE_S / 60:
            yield Violation(
                "dependency",
                f"{visit.id} starts {lag_min:.1f} min after "
                f"{dep.after}, needs at least {dep.min_lag_min}",
            )
        if dep.max_lag_min is not None and lag_min > dep.max_lag_min + TOLERANCE_S / 60:
            yield Violation(
                "dependency",
                f"{visit.id} starts {lag_min:.1f} min after "
                f"{dep.after}, at most {dep.max_lag_min} allowed",
            )


def check_different_caregivers(x: _Input) -> Iterator[Violation]:
    servers: dict[str, set[str]] = {}
    for route, stop in x.stops():
        servers.setdefault(stop.visit_id, set()).add(route.caregiver_id)
    for visit in x.scenario.visits:
        dep = visit.dependency
        if dep is None or not dep.different_caregiver:
            continue
        shared = servers.get(visit.id, set()) & servers.get(dep.after, set())
        for caregiver_id in sorted(shared):
            yield Violation(
                "dependency",
                f"{caregiver_id} serves both {dep.after} and {visit.id}, "
                "which need different caregivers",
            )


RULES: tuple[Callable[[_Input], Iterator[Violation]], ...] = (
    check_known_ids,
    check_coverage,
    check_qualification,
    check_exclusions,
    check_visit_windows,
    check_durations,
    check_shifts,
    check_travel,
    check_one_visit_at_a_time,
    check_working_time,
    check_weekly_working_time,
    check_rest,
    check_breaks,
    check_capacity,
    check_synchronised,
    check_dependencies,
    check_different_caregivers,
)


def validate_roster(scenario: Scenario, roster: Roster, travel: TravelModel) -> list[Violation]:
    """Every violated hard rule, in rule order; an empty list means the roster is valid."""
    x = _Input(scenario, roster, travel)
    return [violation for rule in RULES for violation in rule(x)]
