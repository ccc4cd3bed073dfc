"""A planning horizon (usually a week) from care plans: demand, shifts, continuity, one solve.

``PlanInput`` is what a coordinator keeps: the agency (caregivers, clients, settings: a normal
scenario whose own visits are ignored), weekly availability and time off, care plans, the
caseload, history, and the compliance policy. ``build_week`` expands it for a horizon into the
engine's ``Scenario``; ``plan_week`` solves that and measures continuity of care.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from time import monotonic
from typing import Self

from pydantic import Field, field_validator, model_validator

from scheduler.api import travel_model_for
from scheduler.domain.model import (
    Caregiver,
    Client,
    Id,
    Scenario,
    Shift,
    _Frozen,
    local_times,
    rested_shifts,
)
from scheduler.domain.validation import find_reference_problems
from scheduler.errors import Problem, ScenarioError
from scheduler.plans.assign import HorizonPlan, plan_horizon
from scheduler.plans.compliance_check import compliance_findings
from scheduler.plans.days import solve_by_day
from scheduler.plans.demand import Demand, Horizon, expand_demand, plan_reference_problems
from scheduler.plans.model import (
    CarePlan,
    CaseloadEntry,
    PastVisit,
    WeekdaySet,
    parse_weekdays,
)
from scheduler.plans.policy import Policy
from scheduler.plans.regions import needs_regions, plan_horizon_by_region
from scheduler.scale.workers import Workers, workers_for
from scheduler.solution.roster import Roster
from scheduler.solve.params import SolveParams
from scheduler.solve.routing import Progress
from scheduler.travel.base import TravelModel

# Of a plan's time limit, the share the first stage (days and caregivers) may take.
FIRST_STAGE_SHARE = 0.2


class Availability(_Frozen):
    """A caregiver is available ``start``-``end`` on each of ``days`` (every week)."""

    caregiver_id: Id
    days: WeekdaySet
    start: time
    end: time

    _day_names = field_validator("days", mode="before")(parse_weekdays)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError("availability ends before or when it starts (same day only)")
        return self


class TimeOff(_Frozen):
    """Not available from ``start`` to ``end`` (both days included): leave, sickness, training."""

    caregiver_id: Id
    start: date
    end: date
    reason: str = "time off"

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("time off ends before it starts")
        return self


class PlanInput(_Frozen):
    agency: Scenario  # caregivers, clients, settings, time zone; its visits are not used
    policy: Policy
    availability: tuple[Availability, ...] = ()
    time_off: tuple[TimeOff, ...] = ()
    care_plans: tuple[CarePlan, ...] = ()
    caseload: tuple[CaseloadEntry, ...] = ()
    history: tuple[PastVisit, ...] = ()
    # Cost when a visit goes to someone who has not served the client before (history), in the
    # scenario's cost units (1 = one second of travel). 0 switches continuity off.
    continuity_weight: int = Field(default=1800, ge=0)

    @model_validator(mode="after")
    def _local_times(self) -> Self:
        """Admissions and past visits as local wall-clock times of the agency's zone (a time
        with a UTC offset converted), so that times with and without one compare."""
        zone = self.agency.zone
        for name in ("caseload", "history"):
            items = getattr(self, name)
            local = tuple(local_times(item, zone) for item in items)
            object.__setattr__(self, name, local)  # frozen: set once, while validating
        return self


@dataclass(frozen=True)
class Week:
    """The expanded horizon: what the engine solves, and where each visit came from."""

    horizon: Horizon
    scenario: Scenario
    demand: Demand
    history_caregivers: dict[str, frozenset[str]]  # client -> who served them before


def shifts_for(
    caregiver: Caregiver,
    availability: Sequence[Availability],
    time_off: Sequence[TimeOff],
    horizon: Horizon,
) -> tuple[Shift, ...]:
    """The caregiver's weekly pattern laid over the horizon, minus time off; a shift on a later
    day starts no earlier than the previous shift's end plus the caregiver's daily rest."""
    off = [t for t in time_off if t.caregiver_id == caregiver.id]
    shifts = []
    for day in horizon.dates():
        if any(t.start <= day <= t.end for t in off):
            continue
        for a in availability:
            if a.caregiver_id == caregiver.id and day.weekday() in a.days:
                shifts.append(
                    Shift(start=datetime.combine(day, a.start), end=datetime.combine(day, a.end))
                )
    return rested_shifts(shifts, caregiver.min_rest_min)


def history_caregivers(history: Sequence[PastVisit], policy: Policy) -> dict[str, frozenset[str]]:
    """Per client, who gave them care before (compliance visits, not billable, do not count)."""
    served: dict[str, set[str]] = defaultdict(set)
    for past in history:
        service = policy.services.get(past.service)
        if service is None or service.billable:
            served[past.client_id].update(past.caregiver_ids)
    return {client: frozenset(ids) for client, ids in served.items()}


def build_week(plan: PlanInput, start: date, days: int) -> Week:
    """The engine's scenario for the horizon. Raises ScenarioError on broken references."""
    _check_plan_references(plan)
    horizon = Horizon(start, days)
    demand = expand_demand(plan.care_plans, plan.caseload, plan.policy, horizon, plan.history)
    agency = plan.agency
    caregivers: list[Caregiver] = [
        c.model_copy(update={"shifts": shifts_for(c, plan.availability, plan.time_off, horizon)})
        for c in agency.caregivers
    ]
    before = history_caregivers(plan.history, plan.policy)
    clients: list[Client] = []
    for client in agency.clients:
        known = (before.get(client.id, frozenset()) & {c.id for c in caregivers}) - (
            client.excluded_caregivers
        )
        if plan.continuity_weight and known and not client.preferred_caregivers:
            client = client.model_copy(update={"preferred_caregivers": known})
        clients.append(client)
    weights = agency.settings.weights.model_copy(
        update={"non_preferred_caregiver": plan.continuity_weight} if plan.continuity_weight else {}
    )
    scenario = agency.model_copy(
        update={
            "name": f"{agency.name} {start.isoformat()} +{days}d",
            "caregivers": tuple(caregivers),
            "clients": tuple(clients),
            "visits": demand.visits,
            "settings": agency.settings.model_copy(update={"weights": weights}),
        }
    )
    findings = find_reference_problems(scenario)
    if findings:
        raise ScenarioError(
            [
                Problem(f"week {f.collection}", f.message, f.index, f.field, f.item_id)
                for f in findings
            ]
        )
    return Week(horizon, scenario, demand, before)


def _check_plan_references(plan: PlanInput) -> None:
    problems = plan_problems(plan)
    if problems:
        raise ScenarioError(problems)


def plan_problems(plan: PlanInput) -> list[Problem]:
    """Every broken reference of the plan; ``source`` names the collection, ``row`` the index."""
    clients = {c.id for c in plan.agency.clients}
    caregivers = {c.id for c in plan.agency.caregivers}
    problems = [
        Problem("caseload", "client is not in the agency's clients", i, "client_id", e.client_id)
        for i, e in enumerate(plan.caseload)
        if e.client_id not in clients
    ]
    named: tuple[tuple[str, Sequence[Availability | TimeOff]], ...] = (
        ("availability", plan.availability),
        ("time_off", plan.time_off),
    )
    for name, rows in named:
        problems += [
            Problem(name, "caregiver is not in the agency", i, "caregiver_id", r.caregiver_id)
            for i, r in enumerate(rows)
            if r.caregiver_id not in caregivers
        ]
    problems += _overlapping_availability(plan.availability)
    return problems + plan_reference_problems(plan.care_plans, plan.caseload, plan.policy)


def _overlapping_availability(rows: Sequence[Availability]) -> list[Problem]:
    """A caregiver's availability rows that overlap on a day they share (one shift each)."""
    problems = []
    for i, row in enumerate(rows):
        for j in range(i):
            other = rows[j]
            if (
                other.caregiver_id == row.caregiver_id
                and other.days & row.days
                and row.start < other.end
                and other.start < row.end
            ):
                shared = ", ".join(d.name for d in sorted(other.days & row.days))
                message = f"overlaps another availability of the caregiver on {shared}"
                problems.append(Problem("availability", message, i, "start", row.caregiver_id))
                break
    return problems


@dataclass(frozen=True)
class ClientContinuity:
    client_id: str
    visits: int  # caregiver-visits served in the horizon
    distinct_caregivers: int
    main_caregiver: str | None
    main_share: float  # share of the client's caregiver-visits by the main caregiver
    from_history: float  # share by someone who served the client before the horizon


def continuity(roster: Roster, before: dict[str, frozenset[str]]) -> list[ClientContinuity]:
    """Per client: distinct caregivers, the main caregiver's share, the share of familiar faces."""
    by_client: dict[str, Counter[str]] = defaultdict(Counter)
    for route in roster.routes:
        for stop in route.stops:
            by_client[stop.client_id][route.caregiver_id] += 1
    out = []
    for client_id, counts in sorted(by_client.items()):
        total = sum(counts.values())
        main, main_count = counts.most_common(1)[0]
        familiar = sum(n for c, n in counts.items() if c in before.get(client_id, frozenset()))
        out.append(
            ClientContinuity(
                client_id=client_id,
                visits=total,
                distinct_caregivers=len(counts),
                main_caregiver=main,
                main_share=main_count / total,
                from_history=familiar / total,
            )
        )
    return out


@dataclass(frozen=True)
class WeekResult:
    week: Week
    roster: Roster
    continuity: list[ClientContinuity]
    compliance_findings: list[str]  # intervals that do not hold (plans/compliance_check.py)
    first_stage: HorizonPlan | None = None  # what the first stage chose (None: not run)


def _plan_whole(
    week: Scenario,
    days: list[date],
    own_clients: tuple[Client, ...],
    familiar: dict[str, frozenset[str]],
    continuity_weight: int,
    travel: TravelModel,
    _workers: Workers,
    *,
    time_limit_s: float,
    seed: int,
    deterministic: bool,
) -> HorizonPlan:
    """The first stage as one model (small horizons), in this process."""
    return plan_horizon(
        week,
        days,
        own_clients,
        familiar,
        continuity_weight,
        travel,
        time_limit_s=time_limit_s,
        seed=seed,
        deterministic=deterministic,
    )


def plan_week(
    plan: PlanInput,
    start: date,
    days: int,
    *,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
    first_stage: bool = True,
) -> WeekResult:
    """Expand the horizon; choose days and caregivers over all of it (plans/assign.py, a share
    of the time limit) unless ``first_stage`` is off; then route it day by day (plans/days.py).
    The roster of the whole horizon is explained, measured and validated as any roster."""
    week = build_week(plan, start, days)
    with workers_for(params.workers, params.cluster) as workers:
        return _plan_built(plan, week, params, on_progress, workers, first_stage=first_stage)


def _plan_built(
    plan: PlanInput,
    week: Week,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None,
    workers: Workers,
    *,
    first_stage: bool,
) -> WeekResult:
    dates = week.horizon.dates()
    travel = travel_model_for(week.scenario)
    chosen = None
    stage_s = 0.0
    if first_stage and week.scenario.visits:
        started = monotonic()
        stage = plan_horizon_by_region if needs_regions(week.scenario) else _plan_whole
        chosen = stage(
            week.scenario,
            dates,
            plan.agency.clients,
            week.history_caregivers,
            plan.continuity_weight,
            travel,
            workers,
            time_limit_s=params.time_limit_s * FIRST_STAGE_SHARE,
            seed=params.seed,
            deterministic=params.solution_limit is not None,
        )
        stage_s = monotonic() - started
    roster = solve_by_day(
        week.scenario,
        dates,
        plan.agency.clients,
        week.history_caregivers,
        plan.continuity_weight,
        params,
        on_progress,
        first_stage=chosen,
        travel=travel,
        wall_s=stage_s,
        days_time_s=params.time_limit_s * (1 - FIRST_STAGE_SHARE) if chosen else None,
        workers=workers,
    )
    services = {visit_id: origin.service for visit_id, origin in week.demand.origins.items()}
    findings = compliance_findings(plan, roster, services, week.horizon.start, len(dates))
    return WeekResult(week, roster, continuity(roster, week.history_caregivers), findings, chosen)
