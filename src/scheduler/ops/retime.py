"""Plan mode: a roster a coordinator edited by hand (each caregiver's visits in order, times
optional), given the earliest times that order allows and every rule it breaks.

The times: each route leaves home at the start of the caregiver's shift that day (the shift
holding the first visit's earliest window, else their first shift that day) and serves its
visits in the given order, each at the earliest moment it can (arrival, else the opening of
the first window not yet closed; a given time is kept where it is later than that). The
copies of a double-handed visit start together and a dependent visit no earlier than its lag
after the visit it follows: starts are raised until every route agrees (a fixed point; the
order never changes). The departure then moves as late as the first start allows. Nothing is
repaired: windows missed, shifts overrun, breaks, working time and the rest are reported by
the independent validator, with our reasons, and visits not in the order are explained as
in any roster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.domain.clock import Clock
from scheduler.domain.model import Caregiver, Scenario, Shift, Visit
from scheduler.errors import Problem, RosterFileError
from scheduler.solution.explain import explain_unassigned
from scheduler.solution.kpis import compute_kpis
from scheduler.solution.roster import Roster, Route, SolveInfo, Stop
from scheduler.solution.validate import Violation, validate_roster
from scheduler.solve.compile import first_day
from scheduler.travel.base import TravelModel, profile_of

_At = tuple[tuple[str, str], int]  # a stop: its leg (caregiver, day) and position in it
MAX_ROUNDS = 50  # raising starts for ties settles in a few rounds; a cycle of lags never does


@dataclass(frozen=True)
class OrderedStop:
    """One row of a hand-edited roster: a caregiver's next visit, with its time if given."""

    visit_id: str
    start: datetime | None = None


@dataclass(frozen=True)
class RetimeResult:
    roster: Roster
    violations: tuple[Violation, ...]


def retime(
    scenario: Scenario,
    orders: Mapping[str, Sequence[OrderedStop]],
    *,
    travel: TravelModel | None = None,
) -> RetimeResult:
    """``orders``: caregiver id -> their visits in order (one route per caregiver and day)."""
    from scheduler.api import travel_model_for

    travel = travel or travel_model_for(scenario)
    _check(scenario, orders)
    clock = first_day(scenario)
    visits = scenario.visits_by_id
    legs = _legs(scenario, orders)
    floor: dict[_At, datetime] = {}  # (leg, position) -> earliest start, from the ties
    for _round in range(MAX_ROUNDS):
        starts = {key: leg.times(scenario, travel, floor, key) for key, leg in legs.items()}
        raised = _raise_for_ties(scenario, legs, starts, floor)
        if not raised:
            break
    routes = [
        leg.route(scenario, travel, starts[key]) for key, leg in sorted(legs.items()) if leg.stops
    ]
    order = {c.id: i for i, c in enumerate(scenario.caregivers)}
    routes.sort(key=lambda r: (order[r.caregiver_id], r.departure))
    served = {s.visit_id for r in routes for s in r.stops}
    missing = [v for v in visits if v not in served]
    unassigned = explain_unassigned(scenario, tuple(routes), missing, clock, travel)
    roster = Roster(
        scenario=scenario.name,
        time_zone=scenario.time_zone,
        routes=tuple(routes),
        unassigned=unassigned,
        solve_info=SolveInfo(
            cost=0,
            status="RETIMED",
            first_solution="GIVEN_ORDER",
            time_limit_s=0,
            seed=0,
            wall_s=0.0,
        ),
    )
    roster = roster.model_copy(update={"kpis": compute_kpis(scenario, roster)})
    return RetimeResult(roster, tuple(validate_roster(scenario, roster, travel)))


def _check(scenario: Scenario, orders: Mapping[str, Sequence[OrderedStop]]) -> None:
    problems = []
    for caregiver_id, stops in orders.items():
        if caregiver_id not in scenario.caregivers_by_id:
            problems.append(
                Problem("the roster", "no such caregiver", None, "caregiver_id", caregiver_id)
            )
        for stop in stops:
            if stop.visit_id not in scenario.visits_by_id:
                problems.append(
                    Problem("the roster", "no such visit", None, "visit_id", stop.visit_id)
                )
    if problems:
        raise RosterFileError(problems)


@dataclass
class _Leg:
    """One caregiver's visits on one day, in order, and the shift they are served in."""

    caregiver: Caregiver
    shift: Shift | None
    stops: list[OrderedStop]

    def times(
        self,
        scenario: Scenario,
        travel: TravelModel,
        floor: Mapping[_At, datetime],
        key: tuple[str, str],
    ) -> list[datetime]:
        clock = first_day(scenario)
        profile = profile_of(self.caregiver, scenario.settings)
        place = self.caregiver.home
        now = clock.aware(self.shift.start) if self.shift else None
        out = []
        for k, stop in enumerate(self.stops):
            visit = scenario.visits_by_id[stop.visit_id]
            where = scenario.clients_by_id[visit.client_id].location
            arrive = (
                None if now is None else now + _seconds(travel.duration_s(place, where, profile))
            )
            start = _earliest(visit, arrive, clock)
            for given in (stop.start, floor.get((key, k))):
                if given is not None and clock.aware(given) > start:
                    start = clock.aware(given)
            out.append(start)
            now, place = start + timedelta(minutes=visit.duration_min), where
        return out

    def route(self, scenario: Scenario, travel: TravelModel, starts: list[datetime]) -> Route:
        profile = profile_of(self.caregiver, scenario.settings)
        clock = first_day(scenario)
        place = self.caregiver.home
        stops = []
        end = None
        for stop, start in zip(self.stops, starts, strict=True):
            visit = scenario.visits_by_id[stop.visit_id]
            where = scenario.clients_by_id[visit.client_id].location
            leg_s = travel.duration_s(place, where, profile)
            end = start + timedelta(minutes=visit.duration_min)
            stops.append(
                Stop(
                    visit_id=visit.id,
                    client_id=visit.client_id,
                    start=start,
                    end=end,
                    travel_before_min=round(leg_s / 60, 2),
                )
            )
            place = where
        first = scenario.clients_by_id[scenario.visits_by_id[self.stops[0].visit_id].client_id]
        out_s = travel.duration_s(self.caregiver.home, first.location, profile)
        home_s = travel.duration_s(place, self.caregiver.home, profile)
        departure = starts[0] - _seconds(out_s)
        if self.shift is not None:  # leave as late as the first start allows, not before
            departure = max(departure, clock.aware(self.shift.start))
        assert end is not None
        return Route.model_validate(
            {
                "caregiver_id": self.caregiver.id,
                "departure": departure,
                "return": end + _seconds(home_s),
                "travel_home_min": round(home_s / 60, 2),
                "stops": stops,
            }
        )


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=int(-(-value // 1)))  # whole seconds, rounded up


def _earliest(visit: Visit, arrive: datetime | None, clock: Clock) -> datetime:
    """The earliest start at or after ``arrive``: in the first window not yet closed, else
    (too late for all) at the arrival, which the validator then reports."""
    windows = [(clock.aware(w.start), clock.aware(w.end)) for w in visit.windows]
    if arrive is None:
        return windows[0][0]
    for lo, hi in windows:
        if arrive <= hi:
            return max(arrive, lo)
    return arrive


def _legs(
    scenario: Scenario, orders: Mapping[str, Sequence[OrderedStop]]
) -> dict[tuple[str, str], _Leg]:
    """Per caregiver and local day (of each visit's first window): their visits in order and
    the shift they fall in."""
    local_date = first_day(scenario).local_date
    legs: dict[tuple[str, str], _Leg] = {}
    by_day: dict[tuple[str, str], list[OrderedStop]] = defaultdict(list)
    for caregiver_id, stops in orders.items():
        for stop in stops:
            visit = scenario.visits_by_id[stop.visit_id]
            when = stop.start or visit.windows[0].start
            by_day[(caregiver_id, local_date(when).isoformat())].append(stop)
    for (caregiver_id, day), stops in by_day.items():
        caregiver = scenario.caregivers_by_id[caregiver_id]
        shifts = [s for s in caregiver.shifts if local_date(s.start).isoformat() == day]
        first = scenario.visits_by_id[stops[0].visit_id].windows[0]
        aware = first_day(scenario).aware
        holding = [s for s in shifts if aware(s.start) <= aware(first.end)]
        shift = holding[-1] if holding else (shifts[0] if shifts else None)
        legs[(caregiver_id, day)] = _Leg(caregiver, shift, list(stops))
    return legs


def _raise_for_ties(
    scenario: Scenario,
    legs: Mapping[tuple[str, str], _Leg],
    starts: Mapping[tuple[str, str], list[datetime]],
    floor: dict[_At, datetime],
) -> bool:
    """Raise starts so that a double-handed visit's copies start together and a dependent
    visit starts no earlier than its least lag after the one it follows. Whether any rose."""
    where: dict[str, list[tuple[tuple[str, str], int, datetime]]] = defaultdict(list)
    for key, leg in legs.items():
        for k, (stop, start) in enumerate(zip(leg.stops, starts[key], strict=True)):
            where[stop.visit_id].append((key, k, start))
    wanted: dict[_At, datetime] = {}
    for visit_id, copies in where.items():
        latest = max(start for _, _, start in copies)
        visit = scenario.visits_by_id[visit_id]
        dep = visit.dependency
        if dep is not None and dep.after in where:
            after = min(start for _, _, start in where[dep.after])
            latest = max(latest, after + timedelta(minutes=dep.min_lag_min))
        for leg_key, k, start in copies:
            if start < latest:
                wanted[(leg_key, k)] = latest
    raised = False
    for stop_at, moment in wanted.items():
        if stop_at not in floor or floor[stop_at] < moment:
            floor[stop_at] = moment
            raised = True
    return raised
