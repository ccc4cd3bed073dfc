"""Solving from the store: the horizon read from the agency's records (its history: what was
delivered), solved as any horizon, and saved as a new draft version in one transaction; a saved
roster repaired after the day's events, saved as a new draft that names the roster it repaired
and keeps the events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from scheduler.api import solve
from scheduler.domain.events import LocatedEvent
from scheduler.domain.model import Scenario
from scheduler.ops.repair import RepairResult, repair
from scheduler.plans.week import WeekResult, plan_week
from scheduler.solution.roster import Roster
from scheduler.solve.compile import first_day
from scheduler.solve.params import SolveParams
from scheduler.solve.routing import Progress
from scheduler.store.agency import has_plan, read_plan, read_scenario
from scheduler.store.rosters import (
    RepairRecord,
    StopOrigin,
    read_version,
    roster_days,
    save_draft,
    stop_origins,
)


@dataclass(frozen=True)
class StoredRoster:
    roster_id: int
    scenario: Scenario  # the horizon's, which the roster is valid for
    roster: Roster
    week: WeekResult | None = None  # when planned from care plans


def plan_stored(
    engine: Engine,
    start: date,
    days: int,
    params: SolveParams,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    first_stage: bool = True,
) -> StoredRoster:
    """The store's plan over ``days`` days from ``start``, its history every visit delivered
    before ``start``; saved as a draft."""
    with engine.connect() as db:
        plan = read_plan(db, before=start)
    result = plan_week(
        plan, start, days, params=params, on_progress=on_progress, first_stage=first_stage
    )
    origins = {
        visit_id: StopOrigin(o.service, o.order_id)
        for visit_id, o in result.week.demand.origins.items()
    }
    roster_id = save_draft(
        engine,
        result.week.scenario,
        result.roster,
        params,
        first_day=start,
        last_day=start + timedelta(days=days - 1),
        origins=origins,
    )
    return StoredRoster(roster_id, result.week.scenario, result.roster, result)


def solve_stored(
    engine: Engine,
    day: date,
    params: SolveParams,
    *,
    on_progress: Callable[[Progress], None] | None = None,
) -> StoredRoster:
    """One day from the store: planned from its care plans when it holds a plan, else its
    one-off visits of ``day`` with the caregivers' shifts; saved as a draft."""
    with engine.connect() as db:
        planned = has_plan(db)
        scenario = None if planned else read_scenario(db, day)
    if planned:
        return plan_stored(engine, day, 1, params, on_progress=on_progress)
    assert scenario is not None
    roster = solve(scenario, params=params, on_progress=on_progress)
    roster_id = save_draft(engine, scenario, roster, params, first_day=day, last_day=day)
    return StoredRoster(roster_id, scenario, roster)


@dataclass(frozen=True)
class StoredRepair:
    roster_id: int  # the new draft's
    repaired_from: int
    result: RepairResult


def repair_stored(
    engine: Engine,
    roster_id: int,
    events: Sequence[LocatedEvent],
    at: datetime,
    params: SolveParams,
) -> StoredRepair:
    """Saved roster ``roster_id`` repaired after ``events`` as of ``at`` (``ops.repair``); the
    repaired roster saved as a new draft with the events, in one transaction. The roster
    repaired is left as it was: publishing the draft supersedes it."""
    scenario, roster, _status = read_version(engine, roster_id)
    result = repair(scenario, roster, events, at, params)
    clock = first_day(scenario)
    record = RepairRecord(roster_id, [e.event for e in events], clock.aware(at))
    first, last = roster_days(engine, roster_id)
    new_id = save_draft(
        engine,
        result.day,
        result.roster,
        params,
        first_day=first,
        last_day=last,
        origins=stop_origins(engine, roster_id),
        repair=record,
    )
    return StoredRepair(new_id, roster_id, result)
