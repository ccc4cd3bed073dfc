"""The roster: read-only result objects, also the schema of roster.json."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from scheduler.domain.model import Scenario
from scheduler.errors import Problem, RosterFileError


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Stop(_Frozen):
    """One caregiver serving one visit."""

    visit_id: str
    client_id: str
    start: AwareDatetime
    end: AwareDatetime
    travel_before_min: float = Field(ge=0)


class Break(_Frozen):
    """A pause in a route: no service and no travel in it."""

    start: AwareDatetime
    end: AwareDatetime


class Route(_Frozen):
    """One caregiver's shift: leave home, serve the stops in order, return home."""

    caregiver_id: str
    departure: AwareDatetime
    return_home: AwareDatetime = Field(alias="return")
    travel_home_min: float = Field(ge=0)
    stops: tuple[Stop, ...]
    breaks: tuple[Break, ...] = ()


class Unassigned(_Frozen):
    visit_id: str
    client_id: str
    reason_code: str
    reason: str


class CaregiverUse(_Frozen):
    caregiver_id: str
    visits: int
    service_min: float
    travel_min: float
    working_min: float
    available_min: float
    utilisation: float  # service minutes / available shift minutes
    contract_share: float | None = None  # working minutes / Caregiver.contract_target_min


class Kpis(_Frozen):
    visits_total: int
    visits_assigned: int
    visits_unassigned: int
    service_min: float
    travel_min: float
    working_min: float
    preferred_visits: int  # assigned visits whose client named preferred caregivers ...
    preferred_met: int  # ... served by one of them (every caregiver of the visit)
    late_visits: int = 0  # soft windows: visits starting after their last window closed ...
    lateness_min: float = 0.0  # ... by this much in all ...
    max_lateness_min: float = 0.0  # ... and at most
    overtime_min: float = 0.0  # working time beyond caregivers' weekly overtime thresholds
    # Workload fairness: max - min contract_share among caregivers of the same role who have a
    # contract, in points; the largest such spread over the roles.
    workload_spread_pct: float | None = None
    caregivers: tuple[CaregiverUse, ...]


class SolveInfo(_Frozen):
    cost: int
    status: str
    first_solution: str
    time_limit_s: float
    seed: int
    wall_s: float
    interrupted: bool = False  # stopped early (Ctrl-C, SIGTERM, scheduler.stop): its best so far


class Roster(_Frozen):
    scenario: str
    time_zone: str
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    kpis: Kpis | None = None
    solve_info: SolveInfo | None = None

    def stops_of(self, visit_id: str) -> list[tuple[Route, Stop]]:
        return [(r, s) for r in self.routes for s in r.stops if s.visit_id == visit_id]


def minutes(first: datetime, second: datetime) -> float:
    return (second - first).total_seconds() / 60.0


def check_belongs(scenario: Scenario, roster: Roster) -> None:
    """RosterFileError (source "the roster") unless the roster is one of this scenario's: every
    caregiver and visit it names is there."""
    problems = []
    visits = scenario.visits_by_id
    for route in roster.routes:
        if route.caregiver_id not in scenario.caregivers_by_id:
            message = "no such caregiver in the scenario"
            problems.append(
                Problem("the roster", message, None, "caregiver_id", route.caregiver_id)
            )
        for stop in route.stops:
            if stop.visit_id not in visits:
                message = "no such visit in the scenario"
                problems.append(Problem("the roster", message, None, "visit_id", stop.visit_id))
    for item in roster.unassigned:
        if item.visit_id not in visits:
            message = "no such visit in the scenario"
            problems.append(Problem("the roster", message, None, "visit_id", item.visit_id))
    if problems:
        raise RosterFileError(problems)
