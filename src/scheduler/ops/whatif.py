"""What-if: a base day and variants of it (changes as data), solved alike and side by side;
and the same table, with the changes, for two rosters of one scenario (``compare``).

Base and variants get the same seed and limit and run at once on the workers of the scale
layer (each solve in its worker's own process, a large one decomposed there on that worker
alone), so a table's differences are the changes', not the search's luck or budget.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import Field

from scheduler.domain.model import (
    Caregiver,
    Client,
    Id,
    Scenario,
    Shift,
    TimeWindow,
    TravelMode,
    Visit,
    _Frozen,
)
from scheduler.plans.model import CarePlan, CaseloadEntry, DayWindow, ServiceOrder
from scheduler.plans.week import Availability, PlanInput, TimeOff, WeekResult, plan_week
from scheduler.scale.workers import InlineWorkers, Workers
from scheduler.solution.roster import Kpis, Roster
from scheduler.solve.params import SolveParams


class ShiftChange(_Frozen):
    """A caregiver's shifts replaced (an empty list: not working)."""

    caregiver_id: Id
    shifts: tuple[Shift, ...]


class Changes(_Frozen):
    """One variant of a scenario, as a planner states it."""

    add_caregivers: tuple[Caregiver, ...] = ()
    remove_caregivers: frozenset[Id] = frozenset()
    shifts: tuple[ShiftChange, ...] = ()
    widen_windows_min: int = Field(default=0, ge=0, le=24 * 60)  # each window, both sides
    scale_windows: float = Field(default=1.0, ge=0.0, le=10.0)  # each window's length, centred
    add_clients: tuple[Client, ...] = ()
    add_visits: tuple[Visit, ...] = ()
    weights: dict[str, int] = Field(default_factory=dict)  # Weights fields to set
    travel_mode: TravelMode | None = None  # every caregiver's
    # A plan's week: weekly availability added (for added caregivers, or more hours), time off
    # added (someone away), and clients taken on with their care plans and episodes.
    add_availability: tuple[Availability, ...] = ()
    add_time_off: tuple[TimeOff, ...] = ()
    add_care_plans: tuple[CarePlan, ...] = ()
    add_caseload: tuple[CaseloadEntry, ...] = ()


DAY_ONLY = ("add_visits",)
PLAN_ONLY = ("add_availability", "add_time_off", "add_care_plans", "add_caseload")


def apply_plan_changes(plan: PlanInput, changes: Changes) -> PlanInput:
    """A plan's variant: the agency changed as ``apply_changes`` changes a day (it has no
    visits), the weekly availability, time off, care plans and caseload extended, a removed
    caregiver's availability dropped, and every order's time-of-day windows widened or scaled
    as a day's windows are (within the day)."""
    gone = changes.remove_caregivers
    agency = apply_changes(plan.agency, changes)
    availability = [
        a for a in (*plan.availability, *changes.add_availability) if a.caregiver_id not in gone
    ]
    time_off = [t for t in (*plan.time_off, *changes.add_time_off) if t.caregiver_id not in gone]
    care_plans = [
        cp.model_copy(
            update={
                "orders": tuple(
                    _reshaped_order(o, changes.widen_windows_min, changes.scale_windows)
                    for o in cp.orders
                )
            }
        )
        for cp in (*plan.care_plans, *changes.add_care_plans)
    ]
    return plan.model_copy(
        update={
            "agency": agency,
            "availability": tuple(availability),
            "time_off": tuple(time_off),
            "care_plans": tuple(care_plans),
            "caseload": (*plan.caseload, *changes.add_caseload),
        }
    )


def plan_variants(
    plans: Sequence[PlanInput], start: date, days: int, params: SolveParams
) -> list[WeekResult]:
    """Each plan's horizon planned with the same seed and limit, one after another (each week
    already spreads its own regions and days over ``params``' workers)."""
    return [plan_week(p, start, days, params=params) for p in plans]


def apply_changes(scenario: Scenario, changes: Changes) -> Scenario:
    """The variant's scenario, validated as any scenario (a ValidationError names the field)."""
    gone = changes.remove_caregivers
    shifts = {c.caregiver_id: c.shifts for c in changes.shifts}
    caregivers = []
    for c in (*scenario.caregivers, *changes.add_caregivers):
        if c.id in gone:
            continue
        update: dict[str, object] = {}
        if c.id in shifts:
            update["shifts"] = shifts[c.id]
        if changes.travel_mode is not None:
            update["travel_mode"] = changes.travel_mode
        caregivers.append(c.model_copy(update=update) if update else c)
    visits = [
        _reshaped(v, changes.widen_windows_min, changes.scale_windows)
        for v in (*scenario.visits, *changes.add_visits)
    ]
    visits = [
        v.model_copy(update={"pinned_caregiver": None}) if v.pinned_caregiver in gone else v
        for v in visits
    ]
    weights = scenario.settings.weights.model_copy(update=changes.weights)
    settings = scenario.settings.model_copy(update={"weights": weights})
    raw = scenario.model_copy(
        update={
            "caregivers": tuple(caregivers),
            "clients": (*scenario.clients, *changes.add_clients),
            "visits": tuple(visits),
            "settings": settings,
        }
    )
    # validated again: ids unique, references known, weights of the right kind
    return Scenario.model_validate(raw.model_dump())


def _reshaped(visit: Visit, widen_min: int, scale: float) -> Visit:
    if not widen_min and scale == 1.0:
        return visit
    spans = _reshaped_spans([(w.start, w.end) for w in visit.windows], widen_min, scale)
    return visit.model_copy(update={"windows": tuple(TimeWindow(start=a, end=b) for a, b in spans)})


def _reshaped_order(order: ServiceOrder, widen_min: int, scale: float) -> ServiceOrder:
    """The order's time-of-day windows reshaped as a visit's are, kept within the day."""
    if not widen_min and scale == 1.0:
        return order
    day = date(2000, 1, 1)  # any day: the windows are times of one day
    spans = _reshaped_spans(
        [(datetime.combine(day, w.start), datetime.combine(day, w.end)) for w in order.windows],
        widen_min,
        scale,
    )
    first, last = datetime.combine(day, time(0, 0)), datetime.combine(day, time(23, 59))
    windows = []
    for a, b in spans:
        a, b = max(first, a), min(last, b)
        windows.append(DayWindow(start=a.time(), end=max(a, b).time()))
    return order.model_copy(update={"windows": tuple(windows)})


def _reshaped_spans(
    spans: Sequence[tuple[datetime, datetime]], widen_min: int, scale: float
) -> list[tuple[datetime, datetime]]:
    """Each span scaled about its centre and padded on both sides; spans that come to meet are
    merged."""
    pad = timedelta(minutes=widen_min)
    reshaped = []
    for start, end in spans:
        half = (end - start) * scale / 2
        centre = start + (end - start) / 2
        reshaped.append((centre - half - pad, centre + half + pad))
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(reshaped):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


# --- solving the variants ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    scenario: Scenario
    params: SolveParams


def _solve(task: _Task) -> Roster:
    from scheduler.api import solve

    return solve(task.scenario, params=task.params, workers=InlineWorkers())


def solve_variants(
    scenarios: Sequence[Scenario], params: SolveParams, workers: Workers
) -> list[Roster | None]:
    """Each scenario solved with the same seed and limit, at once on ``workers`` (None where
    a worker failed twice)."""
    plain = dataclasses.replace(params, workers=None, cluster=None)
    return workers.run(_solve, [_Task(s, plain) for s in scenarios])


# --- the table ---------------------------------------------------------------------------------


def compare_rows(named: Sequence[tuple[str, Roster]]) -> list[tuple[str, list[str]]]:
    """Metric name -> one cell per roster: visits assigned and left out (all, then by
    reason), travel, working and overtime hours, utilisation, continuity and cost."""
    reasons = sorted({u.reason_code for _, r in named for u in r.unassigned})
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, cells: list[str]) -> None:
        rows.append((label, cells))

    kpis = [r.kpis for _, r in named]
    row("visits assigned", [str(k.visits_assigned) if k else "" for k in kpis])
    row("visits unassigned", [str(k.visits_unassigned) if k else "" for k in kpis])
    for code in reasons:
        row(
            f"  unassigned: {code}",
            [str(sum(u.reason_code == code for u in r.unassigned)) for _, r in named],
        )
    row("travel h", [f"{k.travel_min / 60:.1f}" if k else "" for k in kpis])
    row("working h", [f"{k.working_min / 60:.1f}" if k else "" for k in kpis])
    row("overtime h", [f"{k.overtime_min / 60:.1f}" if k else "" for k in kpis])
    row("utilisation %", [_utilisation(k) for k in kpis])
    working = [str(sum(1 for u in k.caregivers if u.visits)) if k else "" for k in kpis]
    row("caregivers working", working)
    row("distinct caregivers / client", [f"{_continuity(r):.2f}" for _, r in named])
    row("cost", [str(r.solve_info.cost) if r.solve_info else "" for _, r in named])
    return rows


def _utilisation(kpis: Kpis | None) -> str:
    if kpis is None:
        return ""
    service = sum(u.service_min for u in kpis.caregivers)
    available = sum(u.available_min for u in kpis.caregivers)
    return f"{100 * service / available:.0f}" if available else ""


def _continuity(roster: Roster) -> float:
    """Mean over served clients of the distinct caregivers who visit them."""
    faces: dict[str, set[str]] = {}
    for route in roster.routes:
        for stop in route.stops:
            faces.setdefault(stop.client_id, set()).add(route.caregiver_id)
    return sum(len(f) for f in faces.values()) / len(faces) if faces else 0.0


def table_markdown(names: Sequence[str], rows: Sequence[tuple[str, list[str]]]) -> str:
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return "\n".join(lines) + "\n"


def roster_changes(a: Roster, b: Roster, tolerance_min: int = 15) -> list[dict[str, str]]:
    """Per visit not alike in ``a`` and ``b``: its caregivers and start in each, and how it
    changed (from the rosters alone: stops and unassigned lists carry the clients)."""

    def where(roster: Roster) -> dict[str, tuple[str, tuple[str, ...], str]]:
        out: dict[str, tuple[str, list[str], str]] = {}
        for route in roster.routes:
            for stop in route.stops:
                entry = out.setdefault(stop.visit_id, (stop.client_id, [], stop.start.isoformat()))
                entry[1].append(route.caregiver_id)
        return {k: (c, tuple(sorted(g)), s) for k, (c, g, s) in out.items()}

    was, now = where(a), where(b)
    client_of = {u.visit_id: u.client_id for r in (a, b) for u in r.unassigned}
    client_of.update({k: v[0] for k, v in (*was.items(), *now.items())})
    tolerance = timedelta(minutes=tolerance_min)
    out = []
    for vid in sorted(set(was) | set(now)):
        old, new = was.get(vid), now.get(vid)
        if old is None:
            kind = "assigned"
        elif new is None:
            kind = "unassigned"
        else:
            moved = abs(datetime.fromisoformat(new[2]) - datetime.fromisoformat(old[2])) > tolerance
            parts = [k for k, on in (("reassigned", old[1] != new[1]), ("moved", moved)) if on]
            if not parts:
                continue
            kind = "+".join(parts)
        out.append(
            {
                "visit_id": vid,
                "client_id": client_of.get(vid, ""),
                "kind": kind,
                "a_caregivers": ";".join(old[1]) if old else "",
                "a_start": old[2] if old else "",
                "b_caregivers": ";".join(new[1]) if new else "",
                "b_start": new[2] if new else "",
            }
        )
    return out
