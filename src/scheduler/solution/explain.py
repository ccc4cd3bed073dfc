"""Why a visit is unassigned: a reason a coordinator can act on, checked against the data.

The checks run from the most fundamental to the most circumstantial, and the first that holds is
the reason: nobody qualified -> nobody qualified works that day -> the eligible people are
excluded -> too few for a double-handed visit -> the window cannot be reached -> the dependency
cannot be met -> everyone who could do it is fully booked (no free gap in the final roster) ->
otherwise it would fit a gap and the optimiser left it out within its time limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from scheduler.domain.clock import Clock
from scheduler.domain.eligibility import is_eligible, is_qualified
from scheduler.domain.model import Caregiver, Client, Location, Scenario, Shift, Visit
from scheduler.solution.roster import Route, Unassigned
from scheduler.travel.base import TravelModel, TravelProfile, profile_of


@dataclass(frozen=True)
class _Place:
    """A stretch of a caregiver's roster: a stop, or home at the shift's edges."""

    lat: float
    lon: float
    end_s: int  # when the caregiver is free to leave it


def explain_unassigned(
    scenario: Scenario,
    roster_routes: tuple[Route, ...],
    visit_ids: list[str],
    clock: Clock,
    travel: TravelModel,
) -> tuple[Unassigned, ...]:
    explainer = _Explainer(scenario, roster_routes, clock, travel)
    return tuple(explainer.explain(scenario.visits_by_id[v]) for v in visit_ids)


class _Explainer:
    def __init__(
        self, scenario: Scenario, routes: tuple[Route, ...], clock: Clock, travel: TravelModel
    ):
        self.scenario = scenario
        self.routes = routes
        self.clock = clock
        self.travel = travel
        self.starts: dict[str, int] = {}
        # Travel seconds between the day's places (homes and clients), one table per profile,
        # built on first use: a large day asks millions of pairs, one at a time far too slow.
        places = [c.home for c in scenario.caregivers] + [c.location for c in scenario.clients]
        self._places = list({p.key: p for p in places}.values())
        self._place_index = {p.key: i for i, p in enumerate(self._places)}
        self._tables: dict[TravelProfile, np.ndarray] = {}
        self._profiles = {c.id: profile_of(c, scenario.settings) for c in scenario.caregivers}
        self._routes_of: dict[str, list[Route]] = {}
        self._servers: dict[str, set[str]] = {}
        for route in routes:
            self._routes_of.setdefault(route.caregiver_id, []).append(route)
            for stop in route.stops:
                self._servers.setdefault(stop.visit_id, set()).add(route.caregiver_id)
                self.starts[stop.visit_id] = self.clock.to_s(stop.start)
        # Visits that must not share a caregiver (a dependency's different_caregiver), both ways.
        self._apart: dict[str, set[str]] = {}
        for v in scenario.visits:
            if v.dependency is not None and v.dependency.different_caregiver:
                self._apart.setdefault(v.id, set()).add(v.dependency.after)
                self._apart.setdefault(v.dependency.after, set()).add(v.id)

    # -- helpers -----------------------------------------------------------------------------
    def _travel_s(self, caregiver: Caregiver, a: Location, b: Location) -> int:
        profile = self._profiles[caregiver.id]
        i, j = self._place_index.get(a.key), self._place_index.get(b.key)
        if i is None or j is None:
            return math.ceil(self.travel.duration_s(a, b, profile) - 1e-6)
        table = self._tables.get(profile)
        if table is None:
            table = self.travel.durations_s(self._places, profile).astype(np.int32)
            self._tables[profile] = table
        return int(table[i, j])

    def _days(self, visit: Visit) -> list[date]:
        return sorted({self.clock.local_date(w.start) for w in visit.windows})

    def _shifts_on(self, caregiver: Caregiver, days: list[date]) -> list[Shift]:
        return [s for s in caregiver.shifts if self.clock.local_date(s.start) in days]

    def _hhmm(self, seconds: int) -> str:
        return self.clock.to_local(seconds).strftime("%H:%M")

    def _windows_text(self, visit: Visit) -> str:
        return ", ".join(f"{w.start:%H:%M}–{w.end:%H:%M}" for w in visit.windows)

    def _start_ranges(self, visit: Visit) -> list[tuple[int, int]]:
        """Window starts, narrowed by a dependency on an assigned visit."""
        ranges = [(self.clock.to_s(w.start), self.clock.to_s(w.end)) for w in visit.windows]
        dep = visit.dependency
        if dep is not None and dep.after in self.starts:
            lo = self.starts[dep.after] + dep.min_lag_min * 60
            hi = (
                self.starts[dep.after] + dep.max_lag_min * 60
                if dep.max_lag_min is not None
                else math.inf
            )
            ranges = [(max(a, lo), int(min(b, hi))) for a, b in ranges if max(a, lo) <= min(b, hi)]
        return ranges

    # -- the chain of reasons ------------------------------------------------------------------
    def explain(self, visit: Visit) -> Unassigned:
        code, text = self._reason(visit)
        return Unassigned(
            visit_id=visit.id, client_id=visit.client_id, reason_code=code, reason=text
        )

    def _reason(self, visit: Visit) -> tuple[str, str]:
        client = self.scenario.clients_by_id[visit.client_id]
        caregivers = self.scenario.caregivers
        days = self._days(visit)
        day_text = ", ".join(d.isoformat() for d in days)
        need = self._need_text(visit)

        qualified = [c for c in caregivers if is_qualified(c, visit)]
        if not qualified:
            return "no_qualified_caregiver", f"no caregiver in the caseload has {need}"
        working = [c for c in qualified if self._shifts_on(c, days)]
        if not working:
            return "no_qualified_caregiver_working", f"no caregiver with {need} works on {day_text}"

        current = [c for c in working if self._qualified_days(c, visit, days)]
        if not current:
            lapsed = "; ".join(f"{c.id}: {self._lapsed_text(c, visit)}" for c in working)
            return "credential_lapsed", (
                f"every caregiver with {need} working on {day_text} has let a credential for it "
                f"lapse by then ({lapsed})"
            )
        eligible = [c for c in current if is_eligible(c, client, visit)]
        if visit.pinned_caregiver is not None and not eligible:
            pinned = visit.pinned_caregiver
            return "pinned_caregiver_unavailable", (
                f"pinned caregiver {pinned} is not qualified or does not work on {day_text}"
            )
        if not eligible:
            names = ", ".join(c.id for c in working)
            return "excluded", (
                f"every caregiver with {need} working on {day_text} ({names}) is excluded by the "
                "client or by the household (pets, smoking)"
            )
        if len(eligible) < visit.caregivers_required:
            return "too_few_caregivers", (
                f"needs {visit.caregivers_required} caregivers at once; only {len(eligible)} "
                f"eligible caregiver works on {day_text}"
            )

        ranges = self._start_ranges(visit)
        if not ranges:
            dep = visit.dependency
            assert dep is not None
            lag = f"{dep.min_lag_min}" + (
                f"–{dep.max_lag_min}" if dep.max_lag_min is not None else "+"
            )
            at = self._hhmm(self.starts[dep.after])
            return "dependency", (
                f"must start {lag} min after visit {dep.after} (which starts {at}), "
                f"and its window(s) {self._windows_text(visit)} do not allow that"
            )

        reachable: dict[str, list[tuple[int, int]]] = {}
        earliest_arrival: int | None = None
        for caregiver in eligible:
            for shift in self._shifts_on(caregiver, self._qualified_days(caregiver, visit, days)):
                intervals, arrival = self._reachable_starts(caregiver, shift, client, visit, ranges)
                if intervals:
                    reachable.setdefault(caregiver.id, []).extend(intervals)
                if arrival is not None and (earliest_arrival is None or arrival < earliest_arrival):
                    earliest_arrival = arrival
        if len(reachable) < visit.caregivers_required:
            extra = (
                f" (earliest possible arrival {self._hhmm(earliest_arrival)})"
                if earliest_arrival is not None
                else ""
            )
            return "window_unreachable", (
                f"window {self._windows_text(visit)} unreachable by "
                f"{'any' if not reachable else 'enough'} eligible caregiver(s) within their shifts "
                f"and working-time limits{extra}"
            )

        gaps: dict[str, list[tuple[int, int]]] = {}
        taken = {c for other in self._apart.get(visit.id, ()) for c in self._servers.get(other, ())}
        for caregiver in eligible:
            if caregiver.id in taken:  # serves a visit this one must not share a caregiver with
                continue
            for shift in self._shifts_on(caregiver, self._qualified_days(caregiver, visit, days)):
                found = self._free_gaps(caregiver, shift, client, visit, ranges)
                if found:
                    gaps.setdefault(caregiver.id, []).extend(found)
        common = _common_start(gaps, visit.caregivers_required)
        if common is None:
            return "fully_booked", (
                f"all {len(reachable)} eligible caregivers who can reach it are fully booked in "
                f"its window(s) {self._windows_text(visit)}"
            )
        who = ", ".join(sorted(common[1]))
        return "not_placed", (
            f"fits a free gap of {who} at {self._hhmm(common[0])}, but the optimiser left it out "
            "within its time limit; a longer time limit may place it"
        )

    def _qualified_days(self, caregiver: Caregiver, visit: Visit, days: list[date]) -> list[date]:
        """The visit's days on which the caregiver holds every credential it needs."""
        return [d for d in days if is_qualified(caregiver, visit, d)]

    def _lapsed_text(self, caregiver: Caregiver, visit: Visit) -> str:
        lapsed = [
            f"{c.name} valid until {c.valid_until.isoformat()}"
            for c in caregiver.credentials
            if c.name in visit.required_skills and c.valid_until is not None
        ]
        return ", ".join(lapsed) or "no longer held"

    def _need_text(self, visit: Visit) -> str:
        parts = []
        if visit.required_skills:
            parts.append("skill " + ", ".join(sorted(visit.required_skills)))
        if visit.roles:
            parts.append("role " + " or ".join(sorted(r.value for r in visit.roles)))
        return " and ".join(parts) if parts else "no particular skill"

    def _reachable_starts(
        self,
        caregiver: Caregiver,
        shift: Shift,
        client: Client,
        visit: Visit,
        ranges: list[tuple[int, int]],
    ) -> tuple[list[tuple[int, int]], int | None]:
        """Start intervals possible in an otherwise empty shift, and the earliest arrival."""
        home = caregiver.home
        there = client.location
        out_s, back_s = (
            self._travel_s(caregiver, home, there),
            self._travel_s(caregiver, there, home),
        )
        service_s = visit.duration_min * 60
        if caregiver.max_work_min_per_day is not None and (
            out_s + service_s + back_s > caregiver.max_work_min_per_day * 60
        ):
            return [], None
        earliest = self.clock.to_s(shift.start) + out_s
        latest = self.clock.to_s(shift.end) - service_s - back_s
        intervals = [
            (max(a, earliest), min(b, latest))
            for a, b in ranges
            if max(a, earliest) <= min(b, latest)
        ]
        return intervals, earliest

    def _work_left_s(self, caregiver: Caregiver, route: Route) -> int | None:
        """The daily working-time limit less this caregiver's other routes that day."""
        if caregiver.max_work_min_per_day is None:
            return None
        day = self.clock.local_date(route.departure)
        others = sum(
            self.clock.to_s(r.return_home) - self.clock.to_s(r.departure)
            for r in self._routes_of.get(caregiver.id, ())
            if r is not route and self.clock.local_date(r.departure) == day
        )
        return caregiver.max_work_min_per_day * 60 - others

    def _free_gaps(
        self,
        caregiver: Caregiver,
        shift: Shift,
        client: Client,
        visit: Visit,
        ranges: list[tuple[int, int]],
    ) -> list[tuple[int, int]]:
        """Start intervals where the visit fits the final roster without moving anything else."""
        shift_start, shift_end = self.clock.to_s(shift.start), self.clock.to_s(shift.end)
        route = next(
            (
                r
                for r in self._routes_of.get(caregiver.id, ())
                if shift_start <= self.clock.to_s(r.departure) <= shift_end
            ),
            None,
        )
        if route is None:  # an unused shift: reachability already answered
            return self._reachable_starts(caregiver, shift, client, visit, ranges)[0]
        home = caregiver.home
        there = client.location
        service_s = visit.duration_min * 60
        stops = [(self.scenario.clients_by_id[s.client_id].location, s) for s in route.stops]
        # Places in order: home (free from shift start) | stops | home (needed by shift end).
        befores = [(home, shift_start)] + [(loc, self.clock.to_s(s.end)) for loc, s in stops]
        afters = [(loc, self.clock.to_s(s.start)) for loc, s in stops]
        afters.append((home, shift_end))
        departure, arrival = self.clock.to_s(route.departure), self.clock.to_s(route.return_home)
        max_work = self._work_left_s(caregiver, route)
        gaps = []
        for position, ((prev, free_at), (nxt, needed_at)) in enumerate(
            zip(befores, afters, strict=True)
        ):
            lo = free_at + self._travel_s(caregiver, prev, there)
            hi = needed_at - service_s - self._travel_s(caregiver, there, nxt)
            # At the ends the working day grows; keep it within the daily limit.
            if max_work is not None and position == 0:
                lo = max(lo, arrival - max_work + self._travel_s(caregiver, home, there))
            if max_work is not None and position == len(stops):
                hi = min(
                    hi, departure + max_work - service_s - self._travel_s(caregiver, there, home)
                )
            for a, b in ranges:
                if max(a, lo) <= min(b, hi):
                    gaps.append((max(a, lo), min(b, hi)))
        return gaps


def _common_start(
    gaps: dict[str, list[tuple[int, int]]], needed: int
) -> tuple[int, set[str]] | None:
    """A start time at which ``needed`` different caregivers all have a free gap."""
    for candidate in sorted({a for intervals in gaps.values() for a, _ in intervals}):
        free = {
            cid for cid, intervals in gaps.items() if any(a <= candidate <= b for a, b in intervals)
        }
        if len(free) >= needed:
            return candidate, set(sorted(free)[:needed])
    return None
