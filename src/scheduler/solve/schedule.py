"""CP-SAT models: exact start times for fixed routes, and the first stage of a horizon (days and
caregivers, ``assign_horizon``, further down). (``solve/resequence.py`` holds the other one:
one route's order with the day's times.)

Routing decides who goes where and in what order; this model then picks the start times. With the
order fixed, every rule is a difference constraint (travel, windows, synchronised starts, lags,
working time; breaks add one boolean per gap), so the model is small and solves to optimality
in well under a second for a day.
Objective: with soft windows, least lateness cost first (seconds late, and the latest start, at
their weights), together with the published starts kept (a repair: each visit moved beyond the
tolerance costs Weights.moved_start); then least total working time (leave home as late and
return as early as the rules allow), with that first cost held at its optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.errors import SolverError
from scheduler.solve.compile import Problem, with_lateness
from scheduler.stop import stopping


@dataclass(frozen=True)
class Timing:
    node_start_s: dict[int, int]
    vehicle_departure_s: dict[int, int]
    vehicle_return_s: dict[int, int]
    vehicle_breaks_s: dict[int, tuple[tuple[int, int], ...]]  # (start, end) of each break


def schedule_routes(problem: Problem, routes: tuple[tuple[int, ...], ...], seed: int = 0) -> Timing:
    model = cp_model.CpModel()
    start: dict[int, cp_model.IntVar] = {}
    departure: dict[int, cp_model.IntVar] = {}
    arrival_home: dict[int, cp_model.IntVar] = {}

    pauses: dict[int, list[tuple[cp_model.IntVar, cp_model.IntVar, int]]] = {}
    for v, nodes in enumerate(routes):
        if not nodes:
            continue
        profile = int(problem.vehicle_profile[v])
        travel = problem.travel_s[profile]
        home = int(problem.vehicle_location[v])
        lo, hi = int(problem.vehicle_start_s[v]), int(problem.vehicle_end_s[v])
        departure[v] = model.new_int_var(lo, hi, f"departure[{v}]")
        arrival_home[v] = model.new_int_var(lo, hi, f"return[{v}]")
        # Gaps of the route: after leaving home, after each stop; a gap holds the travel to the
        # next stop (or home) and, where the caregiver takes one, a break.
        gap_end: list[cp_model.LinearExpr] = [departure[v]]
        gap_travel: list[int] = []
        gap_next: list[cp_model.IntVar] = []
        previous_loc = home
        for node in nodes:
            windows = with_lateness(problem.node_windows_s[node], problem.late_start_max_s)
            domain = cp_model.Domain.from_intervals([[a, b] for a, b in windows])
            start[node] = model.new_int_var_from_domain(domain, f"start[{node}]")
            loc = int(problem.node_location[node])
            gap_travel.append(int(travel[previous_loc, loc]))
            gap_next.append(start[node])
            gap_end.append(start[node] + int(problem.node_service_s[node]))
            previous_loc = loc
        gap_travel.append(int(travel[previous_loc, home]))
        gap_next.append(arrival_home[v])
        pause_s, stretch_s = int(problem.vehicle_break_s[v]), int(problem.vehicle_break_after_s[v])
        gaps = _breaks(
            model, v, departure[v], arrival_home[v], gap_end, gap_next, stretch_s, pause_s
        )
        pauses[v] = [(g[0], g[1], pause_s) for g in gaps if g is not None]
        for k, (end, trip, nxt) in enumerate(zip(gap_end, gap_travel, gap_next, strict=True)):
            gap = gaps[k]
            model.add(nxt >= end + trip + (gap[0] * pause_s if gap is not None else 0))

    for group in problem.sync_groups:
        if group[0] in start:
            for node in group[1:]:
                model.add(start[node] == start[group[0]])
    for arc in problem.dependencies:
        if arc.earlier in start and arc.later in start:
            model.add(start[arc.later] - start[arc.earlier] >= arc.min_lag_s)
            if arc.max_lag_s is not None:
                model.add(start[arc.later] - start[arc.earlier] <= arc.max_lag_s)
    for limit in problem.work_limits:
        used = [v for v in limit.vehicles if v in departure]
        if used:
            model.add(sum(arrival_home[v] - departure[v] for v in used) <= limit.max_work_s)

    solver = cp_model.CpSolver()

    solver.parameters.catch_sigint_signal = False  # Ctrl-C is scheduler.stop's
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = 60.0
    lateness = _lateness_cost(model, problem, start)
    moved = _moved_start_cost(model, problem, start)
    if moved is not None:
        lateness = moved if lateness is None else lateness + moved
    if lateness is not None:
        model.minimize(lateness)
        _solve(solver, model)
        model.add(lateness <= int(solver.objective_value))
        model.clear_objective()
    model.minimize(sum(arrival_home[v] - departure[v] for v in departure))
    _solve(solver, model)
    return Timing(
        node_start_s={n: int(solver.value(var)) for n, var in start.items()},
        vehicle_departure_s={v: int(solver.value(var)) for v, var in departure.items()},
        vehicle_return_s={v: int(solver.value(var)) for v, var in arrival_home.items()},
        vehicle_breaks_s={
            v: tuple(
                (int(solver.value(at)), int(solver.value(at)) + length)
                for taken, at, length in items
                if solver.value(taken)
            )
            for v, items in pauses.items()
        },
    )


def _breaks(
    model: cp_model.CpModel,
    v: int,
    departure: cp_model.IntVar,
    arrival_home: cp_model.IntVar,
    gap_end: list[cp_model.LinearExpr],
    gap_next: list[cp_model.IntVar],
    stretch_s: int,
    pause_s: int,
) -> list[tuple[cp_model.IntVar, cp_model.IntVar] | None]:
    """Per gap of route ``v`` (after the departure, after each stop): whether a break is taken
    there and when it starts (None: no break rule).

    A break lies anywhere in its gap (the gap then holds the travel and the break); every
    stretch of work between departure, breaks and return is at most ``stretch_s``.
    """
    if stretch_s <= 0:
        return [None] * len(gap_end)
    out: list[tuple[cp_model.IntVar, cp_model.IntVar] | None] = []
    since: cp_model.LinearExpr = departure  # when the current stretch of work began
    for k, (end, nxt) in enumerate(zip(gap_end, gap_next, strict=True)):
        taken = model.new_bool_var(f"break[{v},{k}]")
        at = model.new_int_var(0, 10**9, f"break_at[{v},{k}]")
        model.add(at >= end).only_enforce_if(taken)
        model.add(at + pause_s <= nxt).only_enforce_if(taken)
        model.add(at - since <= stretch_s).only_enforce_if(taken)
        model.add(at == end).only_enforce_if(taken.negated())
        model.add(end - since <= stretch_s)
        restart = model.new_int_var(0, 10**9, f"restart[{v},{k}]")
        model.add(restart == at + pause_s).only_enforce_if(taken)
        model.add(restart == since).only_enforce_if(taken.negated())
        since = restart
        out.append((taken, at))
    model.add(arrival_home - since <= stretch_s)
    return out


def _solve(solver: cp_model.CpSolver, model: cp_model.CpModel) -> None:
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverError(
            f"no start times fit the routes the optimiser returned ({solver.status_name(status)})"
        )


def _lateness_cost(
    model: cp_model.CpModel, problem: Problem, start: dict[int, cp_model.IntVar]
) -> cp_model.LinearExpr | None:
    """Weighted seconds late over the visits (first copy each) plus the weighted latest start."""
    if not problem.late_start_max_s or not start:
        return None
    copies = problem.later_copies
    late = []
    for node, var in start.items():
        if node in copies:
            continue
        due = problem.node_windows_s[node][-1][1]
        seconds = model.new_int_var(0, problem.late_start_max_s, f"late[{node}]")
        model.add(seconds >= var - due)
        late.append(seconds)
    latest = model.new_int_var(0, problem.late_start_max_s, "latest")
    for seconds in late:
        model.add(latest >= seconds)
    return problem.lateness_weight * sum(late) + problem.max_lateness_weight * latest


def _moved_start_cost(
    model: cp_model.CpModel, problem: Problem, start: dict[int, cp_model.IntVar]
) -> cp_model.LinearExpr | None:
    """Weights.moved_start for each published visit (first copy) whose start moves more than
    the tolerance from its published start: one boolean per such visit, exact."""
    published = problem.node_published_s
    if not problem.moved_start_weight or not len(published):
        return None
    copies = problem.later_copies
    moved = []
    for node, var in start.items():
        at = int(published[node])
        if at < 0 or node in copies:
            continue
        kept = model.new_bool_var(f"kept[{node}]")
        model.add(var >= at - problem.churn_tolerance_s).only_enforce_if(kept)
        model.add(var <= at + problem.churn_tolerance_s).only_enforce_if(kept)
        moved.append(kept.Not())
    if not moved:
        return None
    return problem.moved_start_weight * cp_model.LinearExpr.sum(moved)


# --- The horizon's first stage: days and caregivers, before any route is built -----------------


@dataclass(frozen=True)
class Option:
    """One way to serve a task: on ``day`` by ``caregiver``, starting in [``earliest_min``,
    ``latest_min``] (minutes after that day's midnight, inside the caregiver's shifts)."""

    task: int
    day: int
    caregiver: int
    work_min: int  # service plus an estimate of the travel to it
    earliest_min: int
    latest_min: int
    cost: int  # preferences and distance from the caregiver's home


@dataclass(frozen=True)
class HorizonModel:
    """Compiled first stage (plans/assign.py builds it). A task is one caregiver's share of a
    visit: a double-handed visit has two, served on the same day by two people."""

    task_visit: tuple[int, ...]
    task_client: tuple[int, ...]
    task_unserved_cost: tuple[int, ...]
    options: tuple[Option, ...]
    day_capacity_min: dict[tuple[int, int], int]  # (caregiver, day) -> work it can hold
    week_of_day: tuple[int, ...]
    week_max_min: dict[tuple[int, int], int]  # (caregiver, week) -> limit
    overtime_after_min: dict[tuple[int, int], int]  # (caregiver, week) -> threshold
    overtime_cost_per_min: int
    # Caregivers compared for workload fairness (one group per role): caregiver -> fair share of
    # work over the horizon (minutes, from the contract).
    fairness_groups: tuple[dict[int, float], ...]
    deviation_cost_per_pct: int
    face_cost: dict[tuple[int, int], int]  # (client, caregiver) -> cost of that person at all
    # Day pairs two visits may not take together (a lag between them that cannot hold).
    exclusive_days: tuple[tuple[int, int, int, int], ...]  # (visit, day, visit, day)


def assign_horizon(
    model_in: HorizonModel,
    time_limit_s: float,
    seed: int,
    deterministic: bool = False,
    threads: int = 2,
) -> tuple[Option | None, ...]:
    """The chosen option of each task (None: left for the day models to try).

    Capacity is checked per caregiver and day as work (service + travel estimate) against the
    shift time, and, for each distinct window span of that day, against the span's length (the
    visits that must start inside it fit there). Weekly limits hold per calendar week; work over
    the overtime threshold, new faces per client, and each caregiver's distance from their
    fairness group's common share of contract are costs, next to each option's own cost and the
    cost of a task left out.
    """
    m = model_in
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x[{o.task},{o.day},{o.caregiver}]") for o in m.options]
    by_task: dict[int, list[int]] = {}
    by_task_day: dict[tuple[int, int], list[int]] = {}
    by_caregiver_day: dict[tuple[int, int], list[int]] = {}
    for i, o in enumerate(m.options):
        by_task.setdefault(o.task, []).append(i)
        by_task_day.setdefault((o.task, o.day), []).append(i)
        by_caregiver_day.setdefault((o.caregiver, o.day), []).append(i)
    visit_days = sorted({(m.task_visit[t], d) for t, d in by_task_day})

    # A visit goes on at most one day; each of its tasks is served that day or not at all.
    tasks_of_visit: dict[int, list[int]] = {}
    for t, v in enumerate(m.task_visit):
        tasks_of_visit.setdefault(v, []).append(t)
    on_day: dict[tuple[int, int], cp_model.IntVar] = {}
    days_of_visit: dict[int, list[cp_model.IntVar]] = {}
    for v, d in visit_days:
        on_day[v, d] = model.new_bool_var(f"day[{v},{d}]")
        days_of_visit.setdefault(v, []).append(on_day[v, d])
        for t in tasks_of_visit[v]:
            model.add(sum(x[i] for i in by_task_day.get((t, d), [])) == on_day[v, d])
    for days in days_of_visit.values():
        model.add_at_most_one(days)
    for v, d, w, e in m.exclusive_days:
        if (v, d) in on_day and (w, e) in on_day:
            model.add_bool_or([on_day[v, d].negated(), on_day[w, e].negated()])
    # The two tasks of a double-handed visit: two different people.
    by_visit_caregiver: dict[tuple[int, int, int], list[int]] = {}
    for i, o in enumerate(m.options):
        by_visit_caregiver.setdefault((m.task_visit[o.task], o.day, o.caregiver), []).append(i)
    for items in by_visit_caregiver.values():
        if len(items) > 1:
            model.add_at_most_one(x[i] for i in items)

    # Capacity per caregiver and day: in all, and inside each window span.
    limits: list[tuple[list[int], int]] = []  # (options, work they can hold together)
    for (c, d), items in by_caregiver_day.items():
        limits.append((items, m.day_capacity_min[c, d]))
        spans = _window_spans([m.options[i] for i in items])
        limits += [([items[k] for k in inside], room) for inside, room in spans]
    for items, room in limits:
        model.add(sum(m.options[i].work_min * x[i] for i in items) <= room)

    # Weekly limits, overtime, and work per caregiver.
    work_in_week: dict[tuple[int, int], list[int]] = {}
    for i, o in enumerate(m.options):
        work_in_week.setdefault((o.caregiver, m.week_of_day[o.day]), []).append(i)
    costs: list[cp_model.LinearExpr] = []
    for key, items in work_in_week.items():
        work = sum(m.options[i].work_min * x[i] for i in items)
        if key in m.week_max_min:
            model.add(work <= m.week_max_min[key])
        if key in m.overtime_after_min and m.overtime_cost_per_min:
            over = model.new_int_var(0, 7 * 24 * 60, f"overtime[{key}]")
            model.add(over >= work - m.overtime_after_min[key])
            costs.append(m.overtime_cost_per_min * over)

    # Workload fairness: per group, each caregiver's distance (in points) between their share of
    # contract and a level common to the group (the level is free: the solver sets it).
    of_caregiver: dict[int, list[int]] = {}
    for i, o in enumerate(m.options):
        of_caregiver.setdefault(o.caregiver, []).append(i)
    for g, group in enumerate(m.fairness_groups):
        if not m.deviation_cost_per_pct or len(group) < 2:
            continue
        level = model.new_int_var(0, 1000, f"level[{g}]")
        for c, target_min in group.items():
            work = sum(m.options[i].work_min * x[i] for i in of_caregiver.get(c, []))
            target = max(1, round(target_min))
            apart = model.new_int_var(0, 1000, f"apart[{c}]")
            model.add(apart * target >= 100 * work - level * target)
            model.add(apart * target >= level * target - 100 * work)
            costs.append(m.deviation_cost_per_pct * apart)

    # Continuity: each person a client sees at all costs once.
    faces: dict[tuple[int, int], cp_model.IntVar] = {}
    for i, o in enumerate(m.options):
        key = (m.task_client[o.task], o.caregiver)
        if key not in faces:
            faces[key] = model.new_bool_var(f"face[{key}]")
            costs.append(m.face_cost.get(key, 0) * faces[key])
        model.add_implication(x[i], faces[key])

    served = {t: cp_model.LinearExpr.sum([x[i] for i in items]) for t, items in by_task.items()}
    costs += [m.task_unserved_cost[t] * (1 - served[t]) for t in served]
    costs += [o.cost * x[i] for i, o in enumerate(m.options) if o.cost]
    model.minimize(sum(costs))
    hint = _greedy_assignment(m, limits, tasks_of_visit)
    for i, var in enumerate(x):
        model.add_hint(var, i in hint)

    solver = cp_model.CpSolver()

    solver.parameters.catch_sigint_signal = False  # Ctrl-C is scheduler.stop's
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = threads
    if deterministic:  # the same answer on any machine: a budget in CP-SAT's own time units
        solver.parameters.interleave_search = True
        solver.parameters.max_deterministic_time = time_limit_s
    else:
        solver.parameters.max_time_in_seconds = time_limit_s
    with stopping(solver):  # a requested stop keeps the best found
        status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        taken = {i for i in range(len(x)) if solver.value(x[i])}
    else:  # no answer in the time: the greedy one holds every rule too
        taken = hint
    chosen: list[Option | None] = [None] * len(m.task_visit)
    for i in taken:
        chosen[m.options[i].task] = m.options[i]
    return tuple(chosen)


def _greedy_assignment(
    m: HorizonModel, limits: list[tuple[list[int], int]], tasks_of_visit: dict[int, list[int]]
) -> set[int]:
    """A first answer to start CP-SAT from: visits by priority, the most constrained first; each
    to the cheapest day and people that still fit every limit (capacity, spans, weekly limits,
    day pairs), a person the client already sees costing no new face."""
    limits_of: dict[int, list[int]] = {}
    for k, (items, _) in enumerate(limits):
        for i in items:
            limits_of.setdefault(i, []).append(k)
    room = [r for _, r in limits]
    week_left = dict(m.week_max_min)
    by_visit_day: dict[tuple[int, int], dict[int, list[int]]] = {}
    for i, o in enumerate(m.options):
        by_visit_day.setdefault((m.task_visit[o.task], o.day), {}).setdefault(o.task, []).append(i)
    forbidden: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for v, d, w, e in m.exclusive_days:
        forbidden.setdefault((v, d), set()).add((w, e))
        forbidden.setdefault((w, e), set()).add((v, d))
    day_of: dict[int, int] = {}
    faces: set[tuple[int, int]] = set()
    chosen: set[int] = set()

    def fits(i: int) -> bool:
        o = m.options[i]
        week = (o.caregiver, m.week_of_day[o.day])
        return all(room[k] >= o.work_min for k in limits_of.get(i, ())) and (
            week not in week_left or week_left[week] >= o.work_min
        )

    def take(i: int) -> None:
        o = m.options[i]
        for k in limits_of.get(i, ()):
            room[k] -= o.work_min
        week = (o.caregiver, m.week_of_day[o.day])
        if week in week_left:
            week_left[week] -= o.work_min
        faces.add((m.task_client[o.task], o.caregiver))
        chosen.add(i)

    def price(i: int) -> int:
        o = m.options[i]
        face = (m.task_client[o.task], o.caregiver)
        return o.cost + (0 if face in faces else m.face_cost.get(face, 0))

    days_of_visit: dict[int, list[int]] = {}
    choices = dict.fromkeys(tasks_of_visit, 0)
    for (v, d), of_task in by_visit_day.items():
        days_of_visit.setdefault(v, []).append(d)
        choices[v] += sum(len(items) for items in of_task.values())
    visits = sorted(
        tasks_of_visit, key=lambda v: (-m.task_unserved_cost[tasks_of_visit[v][0]], choices[v])
    )
    for v in visits:
        best: tuple[int, list[int]] | None = None
        for d in sorted(days_of_visit.get(v, [])):
            if any(day_of.get(w) == e for w, e in forbidden.get((v, d), ())):
                continue
            picks: list[int] = []
            people: set[int] = set()
            for t in tasks_of_visit[v]:
                options = by_visit_day[v, d].get(t, [])
                usable = [i for i in options if m.options[i].caregiver not in people and fits(i)]
                if not usable:
                    break
                pick = min(usable, key=price)
                picks.append(pick)
                people.add(m.options[pick].caregiver)
            if len(picks) == len(tasks_of_visit[v]):
                total = sum(price(i) for i in picks)
                if best is None or total < best[0]:
                    best = (total, picks)
        if best is not None:
            for i in best[1]:
                take(i)
            day_of[v] = m.options[best[1][0]].day
    return chosen


def _window_spans(options: list[Option]) -> list[tuple[list[int], int]]:
    """Energetic bounds for one caregiver's day: for each span [a, b] between an earliest and a
    latest start, the options that must start inside it and the work they can hold together
    (b - a plus the longest of them: all but the last one end before b). Only spans whose
    options could exceed that are returned; the others cannot bind."""
    out = []
    earliest = sorted({o.earliest_min for o in options})
    latest = sorted({o.latest_min for o in options})
    for a in earliest:
        for b in latest:
            if b < a:
                continue
            inside = [k for k, o in enumerate(options) if a <= o.earliest_min and o.latest_min <= b]
            if len(inside) < 2:
                continue
            room = b - a + max(options[k].work_min for k in inside)
            if sum(options[k].work_min for k in inside) > room:
                out.append((inside, room))
    return out
