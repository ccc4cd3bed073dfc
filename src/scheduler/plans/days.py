"""Solving a horizon day by day: one routing model per day, days in order, state carried over.

One routing model over a whole week (774 stops, 86 shifts on the sample week) does not even find
its first solution in a minute (docs/experiments.md), so the week is cut into days:

- each day's model holds that day's shifts, the fixed visits of the day, and the *flexible*
  visits (movable N-times-a-week sessions, compliance visits with a window over several days)
  still open and with a window that day, cut to that day;
- a flexible visit that could also go on a later day weighs less today (priority 1), so it
  yields to fixed care; on its last possible day it keeps its own priority;
- a visit that depends on one served on an earlier day gets its window cut to the lag from that
  start; one whose predecessor is still open waits (so the sessions of an N-times-a-week order
  go on different days, in order), except that two fixed visits of the same day keep their lag
  inside the day's model;
- weekly limits become daily caps: each shift keeps its share of the week's working-time limit
  and overtime threshold (as the one-model split gives it);
- continuity carries over: each client prefers their two most frequent caregivers so far
  (history, then the days already solved).

With a first stage (plans/assign.py), a flexible visit it placed is offered on the day it chose,
with its own priority, and only on the days after that if it is not served there; each client
prefers their team: everyone the first stage chose for them over the horizon (preferring only
that day's choice was measured worse for continuity, docs/experiments.md); a client it gave
nobody prefers their most frequent caregivers, as above.

The time limit (what the first stage left of it) is shared equally among the days; a solution
limit applies to each day's model.
The day rosters are joined into one roster for the horizon, whose reasons, key figures and
validation are computed against the whole horizon's scenario, as for any roster.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from scheduler.api import solve, travel_model_for
from scheduler.domain.model import Caregiver, Client, Dependency, Scenario, TimeWindow, Visit
from scheduler.plans.assign import HorizonPlan
from scheduler.scale.workers import Workers
from scheduler.solution.roster import Roster, Route, SolveInfo
from scheduler.solve.compile import first_day
from scheduler.solve.params import SolveParams
from scheduler.solve.pipeline import finish_roster
from scheduler.solve.routing import Progress
from scheduler.travel.base import TravelModel

DEFERRABLE_PRIORITY = 1
MAIN_CAREGIVERS = 2  # a client's most frequent caregivers, preferred on the days after


def solve_by_day(
    week: Scenario,
    days: list[date],
    own_clients: tuple[Client, ...],
    familiar: dict[str, frozenset[str]],
    continuity_weight: int,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
    *,
    first_stage: HorizonPlan | None = None,
    travel: TravelModel | None = None,
    wall_s: float = 0.0,
    days_time_s: float | None = None,
    workers: Workers | None = None,
) -> Roster:
    """The horizon's roster, built one day at a time (module docstring). ``own_clients`` are the
    clients as the agency gave them (their own preferred caregivers, if any); ``familiar`` who
    served each client before the horizon. With a ``first_stage`` (plans/assign.py), the visits
    it placed go on the day it chose, and each client prefers the caregivers it chose for them.
    ``wall_s`` is time already spent (the first stage), counted into the roster's;
    ``days_time_s`` the part of the time limit left for the days (all of it when None); a large
    day is decomposed on ``workers`` (the ones ``params`` name when None)."""
    travel = travel or travel_model_for(week)
    zone = week.zone
    visit_days = {v.id: sorted({_day(w.start) for w in v.windows}) for v in week.visits}
    due_day: dict[str, date] = {}  # a visit keeps its own priority from this day on
    if first_stage is not None:  # the chosen day first; later days only if it fails there
        for v, chosen in first_stage.day_of_visit.items():
            visit_days[v] = [d for d in visit_days[v] if d >= chosen]
            due_day[v] = chosen
    team: dict[str, frozenset[str]] = {}  # per client: everyone the first stage chose for them
    for (client_id, _), people in (first_stage.caregivers_of if first_stage else {}).items():
        team[client_id] = team.get(client_id, frozenset()) | people
    served_start: dict[str, datetime] = {}
    routes: list[Route] = []
    starts: set[str] = set()  # the constructions the days' searches started from
    cost = 0
    # Visits per (client, caregiver): before the horizon (history) and on the days solved so far.
    seen: dict[str, Counter[str]] = {c: Counter({i: 1 for i in ids}) for c, ids in familiar.items()}
    per_day_s = (days_time_s or params.time_limit_s) / len(days)
    for day in days:
        visits = _visits_of_day(week, day, visit_days, served_start, due_day)
        if not visits:
            continue
        clients = tuple(
            _planned(c, team[c.id], continuity_weight)
            if c.id in team
            else _with_familiar(c, seen, continuity_weight)
            for c in own_clients
        )
        scenario = week.model_copy(
            update={
                "name": f"{week.name} {day.isoformat()}",
                "caregivers": tuple(_caregiver_of_day(c, day) for c in week.caregivers),
                "clients": clients,
                "visits": tuple(visits),
            }
        )
        day_params = dataclasses.replace(params, time_limit_s=per_day_s)
        roster = solve(
            scenario, params=day_params, travel=travel, on_progress=on_progress, workers=workers
        )
        if roster.solve_info is not None:
            wall_s += roster.solve_info.wall_s
            cost += roster.solve_info.cost
            starts.add(roster.solve_info.first_solution)
        for route in roster.routes:
            routes.append(route)
            for stop in route.stops:
                local = stop.start.astimezone(zone).replace(tzinfo=None)
                served_start.setdefault(stop.visit_id, local)
                seen.setdefault(stop.client_id, Counter())[route.caregiver_id] += 1
    return _join(week, tuple(routes), ",".join(sorted(starts)), params, wall_s, cost, travel)


def _visits_of_day(
    week: Scenario,
    day: date,
    visit_days: dict[str, list[date]],
    served_start: dict[str, datetime],
    due_day: dict[str, date] | None = None,
) -> list[Visit]:
    by_id = week.visits_by_id
    today: dict[str, Visit] = {}
    for visit in week.visits:
        if visit.id in served_start or day not in visit_days[visit.id]:
            continue
        windows = tuple(w for w in visit.windows if _day(w.start) == day)
        update: dict[str, object] = {"windows": windows}
        due = (due_day or {}).get(visit.id, visit_days[visit.id][-1])
        if due > day:  # it could still go on a later day
            update["priority"] = DEFERRABLE_PRIORITY
        today[visit.id] = visit.model_copy(update=update)
    # Dependencies: keep those inside today's model; turn one on a visit served earlier into a
    # window cut; hold back a visit whose predecessor is open and not in today's model.
    changed = True
    while changed:
        changed = False
        for visit_id, visit in list(today.items()):
            dep = visit.dependency
            if dep is None or (dep.after in today and len(visit_days[dep.after]) == 1):
                continue  # both fixed on this day: the lag binds if both are served, as usual
            if dep.after in today:  # a flexible predecessor first: this one waits for a later day
                del today[visit_id]
            elif dep.after in served_start:
                windows = _cut(visit.windows, served_start[dep.after], dep)
                if windows:
                    today[visit_id] = visit.model_copy(
                        update={"windows": windows, "dependency": None}
                    )
                else:
                    del today[visit_id]
            elif dep.after in by_id and visit_days[dep.after][-1] >= day:
                del today[visit_id]  # its predecessor may still be served: wait for it
            else:  # the predecessor stayed unassigned: the lag no longer binds
                today[visit_id] = visit.model_copy(update={"dependency": None})
            changed = True
    return list(today.values())


def _cut(
    windows: tuple[TimeWindow, ...], earlier: datetime, dep: Dependency
) -> tuple[TimeWindow, ...]:
    lo = earlier + timedelta(minutes=dep.min_lag_min)
    hi = earlier + timedelta(minutes=dep.max_lag_min) if dep.max_lag_min is not None else None
    out = []
    for w in windows:
        start, end = max(w.start, lo), w.end if hi is None else min(w.end, hi)
        if start <= end:
            out.append(TimeWindow(start=start, end=end))
    return tuple(out)


def _caregiver_of_day(caregiver: Caregiver, day: date) -> Caregiver:
    """The caregiver with only that day's shifts; weekly limits become that day's share."""
    week_shifts = [s for s in caregiver.shifts if _same_week(s.start.date(), day)]
    today = tuple(s for s in caregiver.shifts if s.start.date() == day)
    total_s = sum((s.end - s.start).total_seconds() for s in week_shifts) or 1.0
    share = sum((s.end - s.start).total_seconds() for s in today) / total_s
    update: dict[str, object] = {"shifts": today, "max_work_min_per_week": None}
    if caregiver.max_work_min_per_week is not None:
        cap = int(caregiver.max_work_min_per_week * share)
        daily = caregiver.max_work_min_per_day
        update["max_work_min_per_day"] = max(1, min(cap, daily) if daily else cap)
    if caregiver.overtime_after_min_per_week is not None:
        update["overtime_after_min_per_week"] = max(
            1, int(caregiver.overtime_after_min_per_week * share)
        )
    return caregiver.model_copy(update=update)


def _with_familiar(client: Client, seen: dict[str, Counter[str]], weight: int) -> Client:
    """The client preferring their ``MAIN_CAREGIVERS`` most frequent caregivers so far (history
    and earlier days), unless continuity is off or the client named preferred caregivers."""
    counts = seen.get(client.id)
    if not weight or not counts or client.preferred_caregivers:
        return client
    allowed = [(n, c) for c, n in counts.items() if c not in client.excluded_caregivers]
    main = sorted(allowed, key=lambda nc: (-nc[0], nc[1]))[:MAIN_CAREGIVERS]
    return client.model_copy(update={"preferred_caregivers": frozenset(c for _, c in main)})


def _planned(client: Client, team: frozenset[str], weight: int) -> Client:
    """The client preferring their team from the first stage, unless continuity is off or the
    client named preferred caregivers."""
    if not weight or client.preferred_caregivers:
        return client
    return client.model_copy(update={"preferred_caregivers": team})


def _join(
    week: Scenario,
    routes: tuple[Route, ...],
    first_solutions: str,
    params: SolveParams,
    wall_s: float,
    cost: int,
    travel: TravelModel,
) -> Roster:
    info = SolveInfo(
        cost=cost,  # the days' own costs, summed
        status="DAY_BY_DAY",
        first_solution=first_solutions,  # the days' constructions, comma-separated
        time_limit_s=params.time_limit_s,
        seed=params.seed,
        wall_s=round(wall_s, 3),
    )
    return finish_roster(week, routes, info, first_day(week), travel)


def _day(moment: datetime) -> date:
    return moment.date()


def _same_week(a: date, b: date) -> bool:
    return a.isocalendar()[:2] == b.isocalendar()[:2]
