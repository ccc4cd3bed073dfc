"""Same-day repair: a published roster, what has happened since (events) and the moment ``at``
in; a roster that keeps the rules, covers what it can and changes as little as it must out.

1. **The day as it now is** (``apply_events``): cancelled visits go, added ones come, changed
   ones change; an unavailable caregiver's shifts are cut around the absence (the part before
   it still holds what they have started), an unavailable client's visits lose the starts that
   would overlap the absence (a visit with none left goes).
2. **Frozen** (``frozen_starts``): every stop started by ``at``, and each caregiver's current
   trip (the stop they are travelling or waiting to), when its caregivers are still available
   for it, stays with them at its start. A late caregiver's current trip starts that much
   later, a visit they have under way runs that much longer, and a route not yet begun leaves
   that much later.
3. **The search** starts from the published routes (a large day: from its parts, like any
   solve), and every visit the roster had carries where it was (``Visit.published``). The
   objective is the day's own plus churn: each caregiver a visit did not have
   (``Weights.changed_caregiver``), each start moved beyond ``Settings.churn_tolerance_min``
   (``Weights.moved_start``), each caregiver new to the client
   (``Weights.new_caregiver_for_client``). All three are below one visit left out, so coverage
   by priority comes first and change second; weights, not a lexicographic solve: a repair
   may move several visits to cover one more.
4. **What changed** (``changes``): per visit, old and new caregivers and start and the kind of
   change; and who must be told (``notifications``): each caregiver whose day changed, each
   client whose visit did, by id only.

The roster returned is validated against the day as it now is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.domain.clock import Clock
from scheduler.domain.events import (
    CaregiverLate,
    CaregiverUnavailable,
    ClientUnavailable,
    Event,
    LocatedEvent,
    VisitAdded,
    VisitCancelled,
    VisitChanged,
)
from scheduler.domain.model import (
    Caregiver,
    Dependency,
    Location,
    Published,
    Scenario,
    Shift,
    TimeWindow,
    Visit,
)
from scheduler.errors import EventsError, Problem
from scheduler.solution.roster import Roster, Route, Stop, check_belongs
from scheduler.solve.compile import first_day
from scheduler.solve.params import SolveParams
from scheduler.solve.pipeline import finish_roster, solve_scenario
from scheduler.travel.base import TravelModel, profile_of

HELD = ":held:"  # a held double-handed visit's copy for one caregiver, while solving


@dataclass(frozen=True)
class Change:
    """One visit that is not where the published roster had it."""

    visit_id: str
    client_id: str
    kind: str  # cancelled, unassigned, added, assigned, reassigned, moved, reassigned+moved
    old_caregivers: tuple[str, ...]
    old_start: datetime | None
    new_caregivers: tuple[str, ...]
    new_start: datetime | None
    new_to_client: bool  # a caregiver the client has not had before
    note: str = ""


@dataclass(frozen=True)
class Notification:
    """Someone to tell: a caregiver (``whom="caregiver"``) or a client or family (``client``)."""

    whom: str
    id: str
    message: str


@dataclass(frozen=True)
class RepairResult:
    day: Scenario  # the day as it now is: what ``roster`` is valid for
    roster: Roster
    frozen: tuple[str, ...]  # visits held where they were
    changes: tuple[Change, ...]
    notifications: tuple[Notification, ...]

    @property
    def visits_changed(self) -> int:
        """Published visits now elsewhere, later, cancelled or left out."""
        return sum(c.kind not in ("added", "assigned") for c in self.changes)

    @property
    def clients_affected(self) -> int:
        return len({c.client_id for c in self.changes if c.kind not in ("added", "assigned")})


def repair(
    scenario: Scenario,
    roster: Roster,
    events: Sequence[LocatedEvent],
    at: datetime,
    params: SolveParams,
    *,
    travel: TravelModel | None = None,
) -> RepairResult:
    """Repair ``roster`` of ``scenario`` after ``events`` as of ``at`` (module docstring).
    Raises EventsError naming the event's file and row when an event names what is not there
    or changes a visit that has already started."""
    from scheduler.api import travel_model_for
    from scheduler.scale import decompose

    travel = travel or travel_model_for(scenario)
    clock = first_day(scenario)
    at = clock.aware(at)
    _check_references(scenario, roster, events, at)
    published = published_stops(roster)
    plain = [e.event for e in events]
    frozen = frozen_starts(roster, plain, at)
    day = apply_events(scenario, plain, roster, frozen, at, travel)
    if decompose.applies(day, params):  # re-solve the events' neighbourhoods only
        inside = neighbourhood(day, roster, plain, params.part_routes)
    else:
        inside = {c.id for c in day.caregivers}
    sub = _sub_day(day, published, frozen, inside, clock)
    initial = _initial_routes(roster, sub, frozen)
    solved = _restored(solve_scenario(sub, travel, params, initial=initial, refit=True))
    outside = [r for r in roster.routes if r.caregiver_id not in inside]
    order = {c.id: i for i, c in enumerate(day.caregivers)}
    routes = sorted([*outside, *solved.routes], key=lambda r: (order[r.caregiver_id], r.departure))
    info = solved.solve_info
    assert info is not None
    status = f"REPAIR ({len(inside)} of {len(day.caregivers)} caregivers; {info.status})"
    info = info.model_copy(update={"status": status})
    result = finish_roster(day, tuple(routes), info, clock, travel)
    found = changes(scenario, day, roster, result, day.settings.churn_tolerance_min)
    return RepairResult(
        day=day,
        roster=result,
        frozen=tuple(sorted(frozen)),
        changes=found,
        notifications=notifications(found, clock),
    )


# --- the published roster and what stays of it ---------------------------------------------------


@dataclass(frozen=True)
class Served:
    """Where a roster has a visit: its caregivers, and its start and end."""

    caregivers: tuple[str, ...]
    start: datetime
    end: datetime


def published_stops(roster: Roster) -> dict[str, Served]:
    by_visit: dict[str, list[tuple[str, Stop]]] = defaultdict(list)
    for route in roster.routes:
        for stop in route.stops:
            by_visit[stop.visit_id].append((route.caregiver_id, stop))
    return {
        vid: Served(tuple(c for c, _ in served), served[0][1].start, served[0][1].end)
        for vid, served in by_visit.items()
    }


def frozen_starts(roster: Roster, events: Sequence[Event], at: datetime) -> dict[str, datetime]:
    """Visit -> its start as frozen: every visit started by ``at``; and the visit each of its
    caregivers is on their way to (later by a ``CaregiverLate``), unless one of them is
    unavailable at its start."""
    late = {e.caregiver_id: e.minutes for e in events if isinstance(e, CaregiverLate)}
    away = [e for e in events if isinstance(e, CaregiverUnavailable)]
    frozen: dict[str, datetime] = {}
    on_way: dict[str, set[str]] = defaultdict(set)
    trip_start: dict[str, datetime] = {}
    for route in roster.routes:
        left = route.departure  # when the caregiver was last free to go on
        for stop in route.stops:
            if stop.start <= at:
                frozen[stop.visit_id] = stop.start
            elif left <= at:
                on_way[stop.visit_id].add(route.caregiver_id)
                delayed = stop.start + timedelta(minutes=late.get(route.caregiver_id, 0))
                trip_start[stop.visit_id] = max(trip_start.get(stop.visit_id, delayed), delayed)
            left = stop.end
    servers = published_stops(roster)
    for vid, start in trip_start.items():
        caregivers = set(servers[vid].caregivers)
        if on_way[vid] == caregivers and not any(_away(away, c, start) for c in caregivers):
            frozen[vid] = start
    return frozen


def _away(away: Sequence[CaregiverUnavailable], caregiver_id: str, moment: datetime) -> bool:
    def aware(value: datetime) -> datetime:
        return value.replace(tzinfo=moment.tzinfo) if value.tzinfo is None else value

    return any(
        e.caregiver_id == caregiver_id
        and aware(e.start) <= moment
        and (e.end is None or moment < aware(e.end))
        for e in away
    )


# --- events --------------------------------------------------------------------------------------


def _check_references(
    scenario: Scenario, roster: Roster, events: Sequence[LocatedEvent], at: datetime
) -> None:
    check_belongs(scenario, roster)
    problems: list[Problem] = []
    caregivers, clients = scenario.caregivers_by_id, scenario.clients_by_id
    visits = {v.id for v in scenario.visits}
    started = {s.visit_id for r in roster.routes for s in r.stops if s.start <= at}
    for located in events:
        event = located.event
        if isinstance(event, (CaregiverUnavailable, CaregiverLate)):
            if event.caregiver_id not in caregivers:
                problems.append(located.problem("no such caregiver", "caregiver_id"))
        elif isinstance(event, ClientUnavailable):
            if event.client_id not in clients:
                problems.append(located.problem("no such client", "client_id"))
        elif isinstance(event, (VisitCancelled, VisitChanged)):
            if event.visit_id not in visits:
                problems.append(located.problem("no such visit", "visit_id"))
            elif event.visit_id in started:
                problems.append(located.problem("the visit has already started", "visit_id"))
        elif isinstance(event, VisitAdded):
            if event.visit.id in visits or HELD in event.visit.id:
                problems.append(located.problem("a visit with this id exists", "visit_id"))
            if event.visit.client_id not in clients:
                problems.append(located.problem("no such client", "client_id"))
            visits.add(event.visit.id)
    if problems:
        raise EventsError(problems)


def apply_events(
    scenario: Scenario,
    events: Sequence[Event],
    roster: Roster,
    frozen: dict[str, datetime],
    at: datetime,
    travel: TravelModel,
) -> Scenario:
    """The day after ``events``; frozen visits keep their windows (their start stays)."""
    clock = first_day(scenario)
    visits = {v.id: v for v in scenario.visits}
    caregivers = {c.id: c for c in scenario.caregivers}
    published = published_stops(roster)
    gone: set[str] = set()
    for event in events:
        if isinstance(event, VisitCancelled):
            gone.add(event.visit_id)
        elif isinstance(event, VisitAdded):
            visits[event.visit.id] = event.visit
        elif isinstance(event, VisitChanged):
            fields = ("duration_min", "windows", "required_skills", "roles")
            changed = {f: getattr(event, f) for f in fields if getattr(event, f) is not None}
            visits[event.visit_id] = Visit.model_validate(
                {**visits[event.visit_id].model_dump(), **changed}
            )
        elif isinstance(event, ClientUnavailable):
            for vid, visit in list(visits.items()):
                if visit.client_id == event.client_id and vid not in frozen:
                    windows = _windows_outside(visit, event.start, event.end, clock)
                    if windows:
                        visits[vid] = visit.model_copy(update={"windows": windows})
                    else:
                        gone.add(vid)
        elif isinstance(event, CaregiverUnavailable):
            c = caregivers[event.caregiver_id]
            home_by = _home_by(scenario, c, frozen, published, travel)
            shifts = _shifts_outside(c.shifts, event.start, event.end, home_by, clock)
            caregivers[c.id] = c.model_copy(update={"shifts": shifts})
        elif isinstance(event, CaregiverLate):
            c = caregivers[event.caregiver_id]
            delay = timedelta(minutes=event.minutes)
            caregivers[c.id] = c.model_copy(
                update={"shifts": _later_shifts(c, roster, at, delay, clock)}
            )
            for vid, served in published.items():  # a visit under way runs longer
                if c.id in served.caregivers and served.start <= at < served.end:
                    visit = visits[vid]
                    visits[vid] = visit.model_copy(
                        update={"duration_min": visit.duration_min + event.minutes}
                    )
    kept = {vid: v for vid, v in visits.items() if vid not in gone}
    for vid, visit in kept.items():  # a dependency on a visit that went goes with it
        if visit.dependency is not None and visit.dependency.after not in kept:
            kept[vid] = visit.model_copy(update={"dependency": None})
    return scenario.model_copy(
        update={
            "name": f"{scenario.name}-repaired",
            "caregivers": tuple(caregivers[c.id] for c in scenario.caregivers),
            "visits": tuple(kept.values()),
        }
    )


def _windows_outside(
    visit: Visit, start: datetime, end: datetime | None, clock: Clock
) -> tuple[TimeWindow, ...]:
    """The visit's windows less the starts whose service would overlap [start, end)."""
    duration = timedelta(minutes=visit.duration_min)
    away_from, away_to = clock.aware(start), None if end is None else clock.aware(end)
    out = []
    for w in visit.windows:
        lo, hi = clock.aware(w.start), clock.aware(w.end)
        if lo <= min(hi, away_from - duration):
            out.append((lo, min(hi, away_from - duration)))
        if away_to is not None and max(lo, away_to) <= hi:
            out.append((max(lo, away_to), hi))
    like = visit.windows[0].start
    return tuple(TimeWindow(start=_as(a, like, clock), end=_as(b, like, clock)) for a, b in out)


def _shifts_outside(
    shifts: Sequence[Shift],
    start: datetime,
    end: datetime | None,
    home_by: datetime | None,
    clock: Clock,
) -> tuple[Shift, ...]:
    """The shifts less [start, end), the part before it lasting until ``home_by`` at least
    (the caregiver home from what they have started)."""
    away_from, away_to = clock.aware(start), None if end is None else clock.aware(end)
    out = []
    for shift in shifts:
        lo, hi = clock.aware(shift.start), clock.aware(shift.end)
        cut = away_from if home_by is None or not lo < home_by <= hi else max(away_from, home_by)
        if lo < min(hi, cut):
            out.append((lo, min(hi, cut)))
        if away_to is not None and max(lo, away_to, cut) < hi:
            out.append((max(lo, away_to, cut), hi))
    return tuple(
        Shift(start=_as(a, shifts[0].start, clock), end=_as(b, shifts[0].start, clock))
        for a, b in out
    )


def _later_shifts(
    caregiver: Caregiver, roster: Roster, at: datetime, delay: timedelta, clock: Clock
) -> tuple[Shift, ...]:
    """The caregiver's shifts, one whose route has not begun by ``at`` starting ``delay``
    after its published departure."""
    departures = [
        r.departure for r in roster.routes if r.caregiver_id == caregiver.id and r.departure > at
    ]
    out = []
    for shift in caregiver.shifts:
        lo, hi = clock.aware(shift.start), clock.aware(shift.end)
        leaves = next((d for d in departures if lo <= d <= hi), None)
        if leaves is not None and leaves + delay < hi:
            shift = Shift(start=_as(max(lo, leaves + delay), shift.start, clock), end=shift.end)
        out.append(shift)
    return tuple(out)


def _home_by(
    scenario: Scenario,
    caregiver: Caregiver,
    frozen: dict[str, datetime],
    published: dict[str, Served],
    travel: TravelModel,
) -> datetime | None:
    """When the caregiver is home again from the frozen stops they serve (None: there are none)."""
    profile = profile_of(caregiver, scenario.settings)
    latest = None
    for vid, start in frozen.items():
        served = published.get(vid)
        if served is None or caregiver.id not in served.caregivers:
            continue
        place = scenario.clients_by_id[served_client(scenario, vid)].location
        back_s = travel.duration_s(place, caregiver.home, profile)
        home = start + (served.end - served.start) + timedelta(seconds=int(back_s) + 1)
        latest = home if latest is None else max(latest, home)
    return latest


def served_client(scenario: Scenario, visit_id: str) -> str:
    return scenario.visits_by_id[visit_id].client_id


def _as(moment: datetime, like: datetime, clock: Clock) -> datetime:
    """``moment`` (aware) as the kind of datetime ``like`` is: naive local or aware."""
    local = moment.astimezone(clock.zone)
    return local.replace(tzinfo=None) if like.tzinfo is None else local


# --- the model the search solves -----------------------------------------------------------------


def neighbourhood(day: Scenario, roster: Roster, events: Sequence[Event], size: int) -> set[str]:
    """The caregivers a repair re-solves on a large day: those the events touch (absent or
    late, serving a visit that changed, went or belongs to an absent client, nearest to an
    added visit) and, around each, the ``size - 1`` caregivers living nearest."""
    published = published_stops(roster)
    touched: set[str] = set()
    for event in events:
        if isinstance(event, (CaregiverUnavailable, CaregiverLate)):
            touched.add(event.caregiver_id)
        elif isinstance(event, (VisitCancelled, VisitChanged)):
            touched.update(
                published[event.visit_id].caregivers if event.visit_id in published else ()
            )
        elif isinstance(event, ClientUnavailable):
            for vid, served in published.items():
                if (
                    day.visits_by_id.get(vid, None) is None
                    or day.visits_by_id[vid].client_id == event.client_id
                ):
                    touched.update(served.caregivers)
        elif isinstance(event, VisitAdded):
            place = day.clients_by_id[event.visit.client_id].location
            touched.update(_nearest(day.caregivers, place, 1))
    inside = set(touched)
    for caregiver_id in touched:
        home = day.caregivers_by_id[caregiver_id].home
        inside.update(_nearest(day.caregivers, home, size))
    return inside


def _nearest(caregivers: Sequence[Caregiver], place: Location, count: int) -> list[str]:
    """The ``count`` caregivers whose homes are nearest ``place`` (a local plane: ranking only)."""

    def xy(loc: Location) -> tuple[float, float]:
        if loc.is_planar:
            return (loc.x_km or 0.0, loc.y_km or 0.0)
        lat, lon = loc.lat or 0.0, loc.lon or 0.0
        return (lon * math.cos(math.radians(lat)), lat)

    px, py = xy(place)
    ranked = sorted(
        caregivers, key=lambda c: ((xy(c.home)[0] - px) ** 2 + (xy(c.home)[1] - py) ** 2, c.id)
    )
    return [c.id for c in ranked[:count]]


def _sub_day(
    day: Scenario,
    published: dict[str, Served],
    frozen: dict[str, datetime],
    inside: set[str],
    clock: Clock,
) -> Scenario:
    """What the search re-solves: the caregivers ``inside``; the visits they serve, each held
    where it is when it has started or is on its way (``frozen``), or when a caregiver or a lag
    partner of it is outside (a double-handed one as one held copy per caregiver inside), else
    carrying where it was (``Published``); and the visits nobody serves whose nearest caregiver
    is inside. Each client's caregivers on the roster are known to them."""
    everyone = len(inside) == len(day.caregivers)
    servers_of = {vid: set(served.caregivers) for vid, served in published.items()}
    lag_partners: dict[str, set[str]] = defaultdict(set)
    for visit in day.visits:
        if visit.dependency is not None:
            lag_partners[visit.id].add(visit.dependency.after)
            lag_partners[visit.dependency.after].add(visit.id)
    held_first: dict[str, str] = {}
    held: set[str] = set()  # visits held at their start (single copies keep their id)
    kept: set[str] = set()
    visits: list[Visit] = []
    for visit in day.visits:
        served = published.get(visit.id)
        if served is None:
            place = day.clients_by_id[visit.client_id].location
            if everyone or _nearest(day.caregivers, place, 1)[0] in inside:
                visits.append(visit)
                kept.add(visit.id)
            continue
        here = [c for c in served.caregivers if c in inside]
        if not here:
            continue
        kept.add(visit.id)
        outside_tie = len(here) < len(served.caregivers) or any(
            not servers_of.get(p, set()) <= inside for p in lag_partners[visit.id]
        )
        if visit.id not in frozen and not outside_tie:
            where = Published(caregiver_ids=served.caregivers, start=served.start)
            visits.append(visit.model_copy(update={"published": where}))
            continue
        held.add(visit.id)
        start = _as(clock.aware(frozen.get(visit.id, served.start)), visit.windows[0].start, clock)
        # held: at its one start, and what has started cannot be left out (the top priority)
        pin = {"windows": (TimeWindow(start=start, end=start),), "dependency": None, "priority": 5}
        if len(here) == 1 and visit.caregivers_required == 1:
            visits.append(visit.model_copy(update={**pin, "pinned_caregiver": here[0]}))
            continue
        for k, caregiver_id in enumerate(served.caregivers):
            if caregiver_id not in inside:
                continue
            held_id = f"{visit.id}{HELD}{k}"
            held_first.setdefault(visit.id, held_id)
            visits.append(
                visit.model_copy(
                    update={
                        **pin,
                        "id": held_id,
                        "caregivers_required": 1,
                        "pinned_caregiver": caregiver_id,
                    }
                )
            )
    # A lag runs from a held visit's first copy; one with a partner outside that is served
    # becomes a window around the partner's start; one with a partner nobody serves goes.
    outside_lags: dict[str, list[tuple[datetime, int | None, int | None]]] = defaultdict(list)
    for visit in day.visits:
        dep = visit.dependency
        if dep is None:
            continue
        if visit.id in kept and dep.after not in kept and dep.after in published:
            after = published[dep.after].start
            outside_lags[visit.id].append((after, dep.min_lag_min, dep.max_lag_min))
        elif dep.after in kept and visit.id not in kept and visit.id in published:
            later = published[visit.id].start  # the partner starts within its lag after this
            lo = None if dep.max_lag_min is None else -dep.max_lag_min
            outside_lags[dep.after].append((later, lo, -dep.min_lag_min))
    for i, visit in enumerate(visits):
        dep = visit.dependency
        if dep is not None and dep.after in held_first:
            moved = Dependency.model_validate({**dep.model_dump(), "after": held_first[dep.after]})
            visits[i] = visit.model_copy(update={"dependency": moved})
        elif dep is not None and dep.after not in kept:
            visits[i] = visit.model_copy(update={"dependency": None})
    out_of_reach = set()
    for i, visit in enumerate(visits):
        if visit.id in outside_lags and visit.id not in held:
            windows = _within_lags(visit, outside_lags[visit.id], clock)
            if windows:
                visits[i] = visit.model_copy(update={"windows": windows})
            else:
                out_of_reach.add(visit.id)
    visits = [v for v in visits if v.id not in out_of_reach]
    known: dict[str, set[str]] = defaultdict(set)
    for vid, served in published.items():
        if vid in day.visits_by_id:
            known[day.visits_by_id[vid].client_id].update(served.caregivers)
    client_ids = {v.client_id for v in visits}
    clients = tuple(
        c.model_copy(update={"known_caregivers": c.known_caregivers | known[c.id]})
        for c in day.clients
        if c.id in client_ids
    )
    caregivers = tuple(c for c in day.caregivers if c.id in inside)
    return day.model_copy(
        update={"visits": tuple(visits), "clients": clients, "caregivers": caregivers}
    )


def _within_lags(
    visit: Visit, lags: list[tuple[datetime, int | None, int | None]], clock: Clock
) -> tuple[TimeWindow, ...]:
    """The visit's windows cut to start between ``lo`` and ``hi`` minutes after each partner's
    start (``None``: no bound on that side)."""
    spans = [(clock.aware(w.start), clock.aware(w.end)) for w in visit.windows]
    for partner, lo, hi in lags:
        earliest = None if lo is None else partner + timedelta(minutes=lo)
        latest = None if hi is None else partner + timedelta(minutes=hi)
        spans = [
            (a if earliest is None else max(a, earliest), b if latest is None else min(b, latest))
            for a, b in spans
        ]
        spans = [(a, b) for a, b in spans if a <= b]
    like = visit.windows[0].start
    return tuple(TimeWindow(start=_as(a, like, clock), end=_as(b, like, clock)) for a, b in spans)


def _initial_routes(roster: Roster, model: Scenario, frozen: dict[str, datetime]) -> list[Route]:
    """The published routes as far as the model still has them: stops of visits it has (a held
    copy for a frozen double-handed one), each route within one of its caregiver's shifts."""
    ids = {v.id for v in model.visits}
    clock = first_day(model)
    out = []
    for route in roster.routes:
        caregiver = model.caregivers_by_id.get(route.caregiver_id)
        if caregiver is None:  # not re-solved
            continue
        shift = next(
            (
                s
                for s in caregiver.shifts
                if clock.aware(s.start) <= route.return_home
                and route.departure <= clock.aware(s.end)
            ),
            None,
        )
        if shift is None:
            continue
        opens, closes = clock.aware(shift.start), clock.aware(shift.end)
        stops = []
        for stop in route.stops:
            vid = stop.visit_id
            if vid not in ids:
                vid = next(
                    (h for h in _held_ids(vid, ids) if _pinned_to(model, h, route.caregiver_id)),
                    "",
                )
            if vid and (vid in frozen or (opens <= stop.start and stop.end <= closes)):
                stops.append(stop.model_copy(update={"visit_id": vid}))
        if stops:
            departure = min(max(route.departure, opens), closes)
            out.append(route.model_copy(update={"stops": tuple(stops), "departure": departure}))
    return out


def _held_ids(visit_id: str, ids: set[str]) -> list[str]:
    return [f"{visit_id}{HELD}{k}" for k in range(2) if f"{visit_id}{HELD}{k}" in ids]


def _pinned_to(model: Scenario, visit_id: str, caregiver_id: str) -> bool:
    return model.visits_by_id[visit_id].pinned_caregiver == caregiver_id


def _restored(roster: Roster) -> Roster:
    """The solved roster with each held copy under its visit's own id again."""
    routes = tuple(
        route.model_copy(
            update={
                "stops": tuple(
                    s.model_copy(update={"visit_id": s.visit_id.split(HELD)[0]})
                    for s in route.stops
                )
            }
        )
        for route in roster.routes
    )
    unassigned = []
    seen: set[str] = set()
    for u in roster.unassigned:
        vid = u.visit_id.split(HELD)[0]
        if vid not in seen:
            seen.add(vid)
            unassigned.append(u.model_copy(update={"visit_id": vid}))
    served = {s.visit_id for r in routes for s in r.stops}
    return roster.model_copy(
        update={
            "routes": routes,
            "unassigned": tuple(u for u in unassigned if u.visit_id not in served),
        }
    )


# --- what changed, and whom to tell --------------------------------------------------------------


def changes(
    before: Scenario,
    day: Scenario,
    old: Roster,
    new: Roster,
    tolerance_min: int,
) -> tuple[Change, ...]:
    """Every visit not where ``old`` had it, in the order of ``before``'s visits then the
    added ones."""
    was, now = published_stops(old), published_stops(new)
    why_out = {u.visit_id: u.reason for u in new.unassigned}
    had: dict[str, set[str]] = defaultdict(set)
    for vid, served in was.items():
        if vid in before.visits_by_id:
            had[before.visits_by_id[vid].client_id].update(served.caregivers)
    tolerance = timedelta(minutes=tolerance_min)
    out = []
    order = [v.id for v in before.visits] + [
        v.id for v in day.visits if v.id not in before.visits_by_id
    ]
    for vid in order:
        visit = day.visits_by_id.get(vid) or before.visits_by_id[vid]
        old_s, new_s = was.get(vid), now.get(vid)
        if old_s is None and new_s is None:
            continue
        elif vid not in day.visits_by_id:
            kind, note = "cancelled", ""
        elif new_s is None:
            kind, note = "unassigned", why_out.get(vid, "")
        elif old_s is None:
            kind, note = ("added" if vid not in before.visits_by_id else "assigned"), ""
        else:
            moved_caregiver = set(old_s.caregivers) != set(new_s.caregivers)
            moved_start = abs(new_s.start - old_s.start) > tolerance
            if not (moved_caregiver or moved_start):
                continue
            kind = "+".join(
                k for k, on in (("reassigned", moved_caregiver), ("moved", moved_start)) if on
            )
            note = ""
        new_faces = new_s is not None and not set(new_s.caregivers) <= had[visit.client_id]
        out.append(
            Change(
                visit_id=vid,
                client_id=visit.client_id,
                kind=kind,
                old_caregivers=old_s.caregivers if old_s else (),
                old_start=old_s.start if old_s else None,
                new_caregivers=new_s.caregivers if new_s else (),
                new_start=new_s.start if new_s else None,
                new_to_client=new_faces,
                note=note,
            )
        )
    return tuple(out)


def notifications(found: Sequence[Change], clock: Clock) -> tuple[Notification, ...]:
    """Each caregiver whose day changed and each client whose visit did: what changed, by
    visit id and local time only."""

    def hhmm(moment: datetime | None) -> str:
        return "-" if moment is None else moment.astimezone(clock.zone).strftime("%H:%M")

    for_caregiver: dict[str, list[str]] = defaultdict(list)
    for_client: dict[str, list[str]] = defaultdict(list)
    for c in found:
        for cid in c.old_caregivers:
            if cid not in c.new_caregivers:
                for_caregiver[cid].append(f"{c.visit_id} at {hhmm(c.old_start)} is no longer yours")
        for cid in c.new_caregivers:
            if cid not in c.old_caregivers:
                for_caregiver[cid].append(f"{c.visit_id} at {hhmm(c.new_start)} is now yours")
            elif c.new_start != c.old_start:
                for_caregiver[cid].append(
                    f"{c.visit_id} now at {hhmm(c.new_start)} (was {hhmm(c.old_start)})"
                )
        if c.kind in ("added", "assigned"):
            for_client[c.client_id].append(
                f"visit {c.visit_id} at {hhmm(c.new_start)} by {', '.join(c.new_caregivers)}"
            )
        elif c.kind in ("cancelled", "unassigned"):
            for_client[c.client_id].append(
                f"visit {c.visit_id} at {hhmm(c.old_start)} will not take place"
                if c.kind == "unassigned"
                else f"visit {c.visit_id} is cancelled"
            )
        else:
            for_client[c.client_id].append(
                f"visit {c.visit_id} at {hhmm(c.new_start)} by {', '.join(c.new_caregivers)} "
                f"(was {hhmm(c.old_start)} by {', '.join(c.old_caregivers)})"
            )
    return tuple(
        [Notification("caregiver", k, "; ".join(v)) for k, v in sorted(for_caregiver.items())]
        + [Notification("client", k, "; ".join(v)) for k, v in sorted(for_client.items())]
    )
