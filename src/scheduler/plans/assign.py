"""The horizon's first stage: the day of each flexible visit and who serves each client on each
day, chosen for the whole horizon at once, before any route is built (issue 4, item 7).

Routing one model over a week does not work at this size (docs/experiments.md), and days solved
one after another are greedy: Monday takes the best caregivers and the free time without
knowing what Thursday needs. This stage sees the whole horizon in a CP-SAT assignment model
(``solve.schedule.assign_horizon``): tasks (one per caregiver a visit needs) × days × eligible
caregivers, with

- eligibility on the day (skills and credentials on that date, role, exclusions, household),
  a start window that meets one of the caregiver's shifts that day;
- capacity per caregiver and day: service plus a travel estimate (the mean time from the client
  to the nearest quarter of the other clients) against the shift, also inside each window
  span, less the trips from and to home, a break, and the daily limit;
- weekly limits and the overtime threshold per calendar week;
- lags between visits as day pairs that cannot go together (the gap between sessions);
- costs: each task left out (priority), each person a client sees (less for one who served them
  before), workload fairness (each caregiver's distance, in points of their contract, from a
  level common to their role), overtime, the client's own preferences, and the distance from
  the caregiver's home.

The day models then route each day with the chosen days fixed and the chosen caregivers as the
client's preferred ones for that day (plans/days.py); routing may still deviate at that cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from scheduler.domain.eligibility import is_eligible
from scheduler.domain.model import Caregiver, Client, Scenario, Visit
from scheduler.domain.preferences import preference_cost
from scheduler.solve.schedule import HorizonModel, Option, assign_horizon
from scheduler.travel.base import TravelModel, TravelProfile, profile_of

CANDIDATES_PER_TASK = 12  # the nearest eligible caregivers (by home), plus familiar ones ...
CLIENTS_PER_CAREGIVER = 4  # ... plus anyone for whom the client is among their nearest
# Travel estimate per visit: the mean time to the nearest quarter of the other clients (routes
# do not chain nearest neighbours: windows make them zigzag; measured in docs/experiments.md).
NEIGHBOUR_SHARE = 0.5
HOME_TRIPS = 5  # home allowance: mean time from home to this many nearest clients, twice
PROXIMITY_SHARE = 0.5  # of the travel cost from the caregiver's home, per task
FAMILIAR_FACE_SHARE = 0.25  # a caregiver who served the client before costs this share of a new one
DAY_MIN = 24 * 60


@dataclass(frozen=True)
class HorizonPlan:
    """What the first stage chose; visits it left out are left to the day models."""

    day_of_visit: dict[str, date]
    caregivers_of: dict[tuple[str, date], frozenset[str]]  # (client, day) -> who serves them
    tasks: int
    tasks_placed: int


def plan_horizon(
    week: Scenario,
    days: Sequence[date],
    own_clients: Sequence[Client],
    familiar: dict[str, frozenset[str]],
    continuity_weight: int,
    travel: TravelModel,
    *,
    time_limit_s: float,
    seed: int,
    deterministic: bool = False,
    threads: int = 2,
) -> HorizonPlan:
    """Days and caregivers for the horizon ``days`` of the week's scenario (module docstring).
    ``own_clients`` carry the agency's own preferences; ``familiar`` who served each client
    before the horizon; ``threads`` CP-SAT's search workers."""
    compiled = _Compiler(week, list(days), own_clients, familiar, continuity_weight, travel)
    model = compiled.model()
    chosen = assign_horizon(model, time_limit_s, seed, deterministic, threads)
    day_of_visit: dict[str, date] = {}
    caregivers_of: dict[tuple[str, date], set[str]] = {}
    for visit_index, tasks in compiled.tasks_of_visit.items():
        options = [o for o in (chosen[t] for t in tasks) if o is not None]
        if len(options) < len(tasks):
            continue
        visit = week.visits[visit_index]
        day = days[options[0].day]
        day_of_visit[visit.id] = day
        for o in options:
            caregiver = week.caregivers[o.caregiver]
            caregivers_of.setdefault((visit.client_id, day), set()).add(caregiver.id)
    return HorizonPlan(
        day_of_visit=day_of_visit,
        caregivers_of={key: frozenset(ids) for key, ids in caregivers_of.items()},
        tasks=len(model.task_visit),
        tasks_placed=sum(o is not None for o in chosen),
    )


class _Compiler:
    """The week's scenario as a HorizonModel: integer minutes, indices into the scenario."""

    def __init__(
        self,
        week: Scenario,
        days: list[date],
        own_clients: Sequence[Client],
        familiar: dict[str, frozenset[str]],
        continuity_weight: int,
        travel: TravelModel,
    ) -> None:
        self.week = week
        self.days = days
        self.day_index = {d: i for i, d in enumerate(days)}
        self.own = {c.id: c for c in own_clients}
        self.familiar = familiar
        self.continuity_weight = continuity_weight
        self.weights = week.settings.weights
        clients = week.clients
        self.client_index = {c.id: i for i, c in enumerate(clients)}
        self.profiles = [profile_of(c, week.settings) for c in week.caregivers]
        self.travel_s = self._travel(travel)
        self.tasks_of_visit: dict[int, list[int]] = {}

    def _travel(self, travel: TravelModel) -> dict[TravelProfile, np.ndarray]:
        """Per travel profile: seconds between the clients, then the caregivers' homes."""
        locations = [c.location for c in self.week.clients]
        locations += [c.home for c in self.week.caregivers]
        return {p: travel.durations_s(locations, p) for p in sorted(set(self.profiles))}

    def _home_s(self, caregiver: int, client: int) -> int:
        matrix = self.travel_s[self.profiles[caregiver]]
        return int(matrix[len(self.week.clients) + caregiver, client])

    def model(self) -> HorizonModel:
        week = self.week
        served_clients = sorted({self.client_index[v.client_id] for v in week.visits})
        estimate_min = {
            p: _neighbour_estimates_min(matrix, served_clients)
            for p, matrix in self.travel_s.items()
        }
        shifts = self._shifts_by_day()
        task_visit: list[int] = []
        task_client: list[int] = []
        unserved: list[int] = []
        options: list[Option] = []
        eligible = {  # visit -> day -> eligible caregivers, nearest first
            v: {
                day: self._eligible(visit, day, spans, shifts)
                for day, spans in self._windows_by_day(visit).items()
            }
            for v, visit in enumerate(week.visits)
        }
        nearby = self._nearby_clients(eligible)
        for v, visit in enumerate(week.visits):
            client = self.client_index[visit.client_id]
            tasks = list(range(len(task_visit), len(task_visit) + visit.caregivers_required))
            self.tasks_of_visit[v] = tasks
            for _ in tasks:
                task_visit.append(v)
                task_client.append(client)
                unserved.append(self.weights.unassigned_per_priority * visit.priority)
            known = self.familiar.get(visit.client_id, frozenset())
            for day, found in eligible[v].items():
                for rank, (c, earliest, latest) in enumerate(found):
                    wanted = (
                        rank < CANDIDATES_PER_TASK
                        or week.caregivers[c].id in known
                        or client in nearby[c]
                    )
                    if not wanted:
                        continue
                    work = visit.duration_min + estimate_min[self.profiles[c]].get(client, 0)
                    cost = self._option_cost(c, visit, client)
                    options += [Option(t, day, c, work, earliest, latest, cost) for t in tasks]
        return HorizonModel(
            task_visit=tuple(task_visit),
            task_client=tuple(task_client),
            task_unserved_cost=tuple(unserved),
            options=tuple(options),
            day_capacity_min=self._capacities(shifts, served_clients),
            week_of_day=self._weeks_of_days(),
            week_max_min=self._weekly("max_work_min_per_week"),
            overtime_after_min=self._weekly("overtime_after_min_per_week"),
            overtime_cost_per_min=self.weights.overtime_per_s * 60,
            fairness_groups=self._fairness_groups(options),
            deviation_cost_per_pct=self.weights.workload_deviation_per_pct,
            face_cost=self._face_costs(),
            exclusive_days=self._exclusive_days(),
        )

    # -- pieces -------------------------------------------------------------------------------

    def _minute(self, moment: datetime) -> tuple[int, int] | None:
        """(day index, minutes after its midnight) of a moment in the horizon, else None."""
        local = moment if moment.tzinfo is None else moment.astimezone(self.week.zone)
        local = local.replace(tzinfo=None)
        day = self.day_index.get(local.date())
        if day is None:
            return None
        return day, local.hour * 60 + local.minute + math.ceil(local.second / 60)

    def _shifts_by_day(self) -> dict[tuple[int, int], list[tuple[int, int]]]:
        """(caregiver, day) -> the shifts that start that day, in minutes of that day."""
        out: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for c, caregiver in enumerate(self.week.caregivers):
            for shift in caregiver.shifts:
                start = self._minute(shift.start)
                if start is None:
                    continue
                length = int((shift.end - shift.start).total_seconds() // 60)
                out.setdefault((c, start[0]), []).append((start[1], start[1] + length))
        return out

    def _windows_by_day(self, visit: Visit) -> dict[int, list[tuple[int, int]]]:
        out: dict[int, list[tuple[int, int]]] = {}
        for w in visit.windows:
            start, end = self._minute(w.start), self._minute(w.end)
            if start is None:
                continue
            end_min = end[1] + DAY_MIN * (end[0] - start[0]) if end is not None else DAY_MIN
            out.setdefault(start[0], []).append((start[1], end_min))
        return out

    def _eligible(
        self,
        visit: Visit,
        day: int,
        spans: list[tuple[int, int]],
        shifts: dict[tuple[int, int], list[tuple[int, int]]],
    ) -> list[tuple[int, int, int]]:
        """(caregiver, earliest, latest start) of every eligible caregiver whose shift that day
        meets the visit's window, the nearest (by home) first."""
        client = self.client_index[visit.client_id]
        client_model = self.week.clients[client]
        found = []
        for c, caregiver in enumerate(self.week.caregivers):
            fits = _start_range(spans, shifts.get((c, day), []), visit.duration_min)
            if fits is None or not is_eligible(caregiver, client_model, visit, self.days[day]):
                continue
            found.append((self._home_s(c, client), c, fits[0], fits[1]))
        found.sort()
        return [(c, earliest, latest) for _, c, earliest, latest in found]

    def _nearby_clients(
        self, eligible: dict[int, dict[int, list[tuple[int, int, int]]]]
    ) -> dict[int, set[int]]:
        """Per caregiver, the ``CLIENTS_PER_CAREGIVER`` nearest clients with a visit they may
        serve: offered to them even when nearer caregivers fill the visit's candidates, so that
        nobody is out of reach of the first stage (workload fairness needs everyone)."""
        reachable: dict[int, set[int]] = {}
        for v, by_day in eligible.items():
            client = self.client_index[self.week.visits[v].client_id]
            for found in by_day.values():
                for c, _, _ in found:
                    reachable.setdefault(c, set()).add(client)
        return {
            c: set(
                sorted(reachable.get(c, ()), key=lambda k: self._home_s(c, k))[
                    :CLIENTS_PER_CAREGIVER
                ]
            )
            for c in range(len(self.week.caregivers))
        }

    def _option_cost(self, c: int, visit: Visit, client: int) -> int:
        caregiver = self.week.caregivers[c]
        own = self.own.get(self.week.clients[client].id, self.week.clients[client])
        proximity = PROXIMITY_SHARE * self.weights.travel_per_s * self._home_s(c, client)
        return round(proximity) + preference_cost(caregiver, own, self.weights)

    def _capacities(
        self, shifts: dict[tuple[int, int], list[tuple[int, int]]], served_clients: list[int]
    ) -> dict[tuple[int, int], int]:
        out = {}
        for (c, day), spans in shifts.items():
            caregiver: Caregiver = self.week.caregivers[c]
            total = sum(end - start for start, end in spans)
            homes = sorted(self._home_s(c, k) for k in served_clients)[:HOME_TRIPS]
            allowance = 2 * math.ceil(sum(homes) / max(1, len(homes)) / 60)
            if caregiver.break_after_min is not None and total > caregiver.break_after_min:
                allowance += caregiver.break_min
            capacity = total - allowance
            if caregiver.max_work_min_per_day is not None:
                capacity = min(capacity, caregiver.max_work_min_per_day - allowance)
            out[c, day] = max(0, capacity)
        return out

    def _weeks_of_days(self) -> tuple[int, ...]:
        weeks = sorted({d.isocalendar()[:2] for d in self.days})
        return tuple(weeks.index(d.isocalendar()[:2]) for d in self.days)

    def _weekly(self, field: str) -> dict[tuple[int, int], int]:
        out = {}
        for c, caregiver in enumerate(self.week.caregivers):
            limit = getattr(caregiver, field)
            if limit is not None:
                out.update({(c, w): limit for w in set(self._weeks_of_days())})
        return out

    def _fairness_groups(self, options: list[Option]) -> tuple[dict[int, float], ...]:
        """Caregivers with a contract, by role (a physiotherapist's week is not an aide's), who
        may serve anything at all in the horizon (no plan can give the others work)."""
        horizon_days = self.week.horizon_days()
        offered = {o.caregiver for o in options}
        groups: dict[str, dict[int, float]] = {}
        for c, caregiver in enumerate(self.week.caregivers):
            target = caregiver.contract_target_min(horizon_days)
            if target and c in offered:
                groups.setdefault(caregiver.role.value, {})[c] = target
        return tuple(groups[role] for role in sorted(groups))

    def _face_costs(self) -> dict[tuple[int, int], int]:
        weight = self.continuity_weight
        if not weight:
            return {}
        familiar_cost = round(weight * FAMILIAR_FACE_SHARE)
        out = {}
        for k, client in enumerate(self.week.clients):
            known = self.familiar.get(client.id, frozenset())
            for c, caregiver in enumerate(self.week.caregivers):
                out[k, c] = familiar_cost if caregiver.id in known else weight
        return out

    def _exclusive_days(self) -> tuple[tuple[int, int, int, int], ...]:
        """Day pairs on which a visit and the one it depends on cannot keep their lag."""
        index = {v.id: i for i, v in enumerate(self.week.visits)}
        out = []
        for v, visit in enumerate(self.week.visits):
            dep = visit.dependency
            if dep is None or dep.after not in index:
                continue
            u = index[dep.after]
            for du, earlier in self._windows_by_day(self.week.visits[u]).items():
                for dv, later in self._windows_by_day(visit).items():
                    first_u = du * DAY_MIN + min(s for s, _ in earlier)
                    last_u = du * DAY_MIN + max(e for _, e in earlier)
                    first_v = dv * DAY_MIN + min(s for s, _ in later)
                    last_v = dv * DAY_MIN + max(e for _, e in later)
                    too_soon = last_v - first_u < dep.min_lag_min
                    too_late = dep.max_lag_min is not None and first_v - last_u > dep.max_lag_min
                    if too_soon or too_late:
                        out.append((u, du, v, dv))
        return tuple(out)


def _start_range(
    windows: list[tuple[int, int]], shifts: list[tuple[int, int]], duration_min: int
) -> tuple[int, int] | None:
    """The earliest and latest start in a window that leaves the visit inside a shift."""
    starts = []
    for w_start, w_end in windows:
        for s_start, s_end in shifts:
            lo, hi = max(w_start, s_start), min(w_end, s_end - duration_min)
            if lo <= hi:
                starts.append((lo, hi))
    if not starts:
        return None
    return min(lo for lo, _ in starts), max(hi for _, hi in starts)


def _neighbour_estimates_min(matrix: np.ndarray, clients: list[int]) -> dict[int, int]:
    """Per client: the mean travel minutes to its nearest ``NEIGHBOUR_SHARE`` of the others."""
    if len(clients) < 2:
        return dict.fromkeys(clients, 0)
    sub = matrix[np.ix_(clients, clients)].astype(np.float64)
    np.fill_diagonal(sub, np.inf)
    k = max(1, round(NEIGHBOUR_SHARE * (len(clients) - 1)))
    nearest = np.sort(sub, axis=1)[:, :k]
    return {c: math.ceil(float(nearest[i].mean()) / 60) for i, c in enumerate(clients)}
