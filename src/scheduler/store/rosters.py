"""Roster versions in the store, and what was delivered.

Lifecycle: a solve saves a **draft** (the roster, the horizon's scenario it is valid for, the
solve's parameters, who and when) in one transaction. Publishing a draft makes it the
**published** roster of its days, and a published roster whose days overlap becomes
**superseded**, in one transaction. A published roster's visits become **delivered** (history)
once their day has passed (``deliver``), and actual start and end times from an EVV export
replace the planned ones where given (``record_actuals``).
"""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.engine import Connection, Engine

from scheduler.domain.events import Event
from scheduler.domain.model import Scenario
from scheduler.errors import Problem, StoreError
from scheduler.solution.roster import Roster
from scheduler.solve.params import SolveParams
from scheduler.store import schema as t

_EVENT: TypeAdapter[Event] = TypeAdapter(Event)


@dataclass(frozen=True)
class StopOrigin:
    """Where a stop's visit comes from, for the history: its service and care-plan order."""

    service: str
    order_id: str | None = None


@dataclass(frozen=True)
class RepairRecord:
    """What a repair's draft came from: the roster it repaired, the events, and its "now"."""

    roster_id: int
    events: Sequence[Event]
    as_of: datetime


@dataclass(frozen=True)
class RosterVersion:
    id: int
    status: str
    first_day: date
    last_day: date
    created_at: datetime
    created_by: str
    seed: int
    visits_assigned: int
    visits_unassigned: int
    repaired_from: int | None = None


def save_draft(
    engine: Engine,
    scenario: Scenario,
    roster: Roster,
    params: SolveParams,
    *,
    first_day: date,
    last_day: date,
    origins: Mapping[str, StopOrigin] | None = None,
    created_by: str | None = None,
    repair: RepairRecord | None = None,
) -> int:
    """The roster saved as a new draft version with its stops and unassigned visits (and, for
    a repair, the events it took in), all in one transaction; returns its id."""
    origins = origins or {}
    settings = {
        k: v for k, v in dataclasses.asdict(params).items() if k not in ("cluster", "workers")
    }
    with engine.begin() as db:
        roster_id = db.execute(
            t.rosters.insert()
            .values(
                status="draft",
                first_day=first_day,
                last_day=last_day,
                created_at=datetime.now(UTC),
                created_by=created_by or _user(),
                seed=params.seed,
                settings=settings,
                scenario=scenario.model_dump(mode="json", exclude_defaults=True),
                roster=roster.model_dump(mode="json"),
                repaired_from=repair.roster_id if repair else None,
            )
            .returning(t.rosters.c.id)
        ).scalar_one()
        if repair and repair.events:
            recorded_at = datetime.now(UTC)
            db.execute(
                t.events.insert(),
                [
                    {
                        "roster_id": roster_id,
                        "recorded_at": recorded_at,
                        "as_of": repair.as_of,
                        "kind": e.kind,
                        "record": e.model_dump(mode="json"),
                    }
                    for e in repair.events
                ],
            )
        stops = [
            {
                "roster_id": roster_id,
                "visit_id": s.visit_id,
                "caregiver_id": route.caregiver_id,
                "client_id": s.client_id,
                "service": origins[s.visit_id].service if s.visit_id in origins else None,
                "order_id": origins[s.visit_id].order_id if s.visit_id in origins else None,
                "start": s.start,
                "end": s.end,
            }
            for route in roster.routes
            for s in route.stops
        ]
        if stops:
            db.execute(t.roster_stops.insert(), stops)
        left = [
            {
                "roster_id": roster_id,
                "visit_id": u.visit_id,
                "reason_code": u.reason_code,
                "reason": u.reason,
            }
            for u in roster.unassigned
        ]
        if left:
            db.execute(t.roster_unassigned.insert(), left)
        return int(roster_id)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def publish(engine: Engine, roster_id: int) -> list[int]:
    """The draft published; returns the published rosters it supersedes (days overlapping)."""
    with engine.begin() as db:
        row = db.execute(
            sa.select(t.rosters).where(t.rosters.c.id == roster_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise StoreError(f"no roster {roster_id} in the store")
        if row.status != "draft":
            raise StoreError(f"roster {roster_id} is {row.status}: only a draft can be published")
        overlapping = [
            r.id
            for r in db.execute(
                sa.select(t.rosters.c.id).where(
                    t.rosters.c.status == "published",
                    t.rosters.c.first_day <= row.last_day,
                    t.rosters.c.last_day >= row.first_day,
                )
            )
        ]
        if overlapping:
            db.execute(
                t.rosters.update()
                .where(t.rosters.c.id.in_(overlapping))
                .values(status="superseded", superseded_by=roster_id)
            )
        db.execute(
            t.rosters.update()
            .where(t.rosters.c.id == roster_id)
            .values(status="published", published_at=datetime.now(UTC))
        )
        return overlapping


def deliver(engine: Engine, until: datetime | None = None) -> int:
    """Every visit of a published roster that ended before ``until`` (default: now) recorded
    as delivered, once: a visit already delivered from a roster of the same days (one it
    superseded) is not recorded again, and a double-handed visit is one delivered visit with
    both caregivers. Returns how many were added."""
    cut = until or datetime.now(UTC)
    with engine.begin() as db:
        done: dict[str, set[date]] = {}
        for visit_id, day in _delivered_by_day(db)[1]:
            done.setdefault(visit_id, set()).add(day)
        rows = db.execute(
            sa.select(t.roster_stops, t.rosters.c.first_day, t.rosters.c.last_day)
            .join(t.rosters, t.rosters.c.id == t.roster_stops.c.roster_id)
            .where(t.rosters.c.status == "published", t.roster_stops.c.end <= cut)
            .order_by(t.roster_stops.c.visit_id, t.roster_stops.c.caregiver_id)
        ).all()
        by_visit: dict[tuple[int, str], list[Any]] = {}
        for r in rows:
            if not any(r.first_day <= d <= r.last_day for d in done.get(r.visit_id, ())):
                by_visit.setdefault((r.roster_id, r.visit_id), []).append(r)
        added = [
            {
                "visit_id": visit_id,
                "roster_id": roster_id,
                "client_id": stops[0].client_id,
                "service": stops[0].service or "visit",
                "order_id": stops[0].order_id,
                "caregiver_ids": ";".join(s.caregiver_id for s in stops),
                "planned_start": stops[0].start,
                "planned_end": stops[0].end,
            }
            for (roster_id, visit_id), stops in by_visit.items()
        ]
        if added:
            db.execute(t.delivered.insert(), added)
        return len(added)


@dataclass(frozen=True)
class Actual:
    visit_id: str
    start: datetime
    end: datetime


def record_actuals(engine: Engine, actuals: Sequence[Actual], source: str) -> int:
    """Actual start and end per delivered visit (an EVV export), matched by visit id and the
    day of its planned start; every visit not delivered is named and nothing is changed
    (StoreError). Returns how many were recorded."""
    with engine.begin() as db:
        zone, known = _delivered_by_day(db)
        keyed = [(a, known.get((a.visit_id, a.start.astimezone(zone).date()))) for a in actuals]
        problems = [
            Problem(
                source,
                "no visit with this id was delivered that day",
                row=i + 2,
                field="visit_id",
                item_id=a.visit_id,
            )
            for i, (a, found) in enumerate(keyed)
            if found is None
        ]
        if problems:
            raise StoreError(problems)
        for a, found in keyed:
            db.execute(
                t.delivered.update()
                .where(t.delivered.c.id == found)
                .values(actual_start=a.start, actual_end=a.end)
            )
        return len(actuals)


def _delivered_by_day(db: Connection) -> tuple[ZoneInfo, dict[tuple[str, date], int]]:
    """The agency's zone, and each delivered visit's row id by its visit id and the local day
    of its planned start (a visit id names a visit within its horizon)."""
    zone = ZoneInfo(db.execute(sa.select(t.agency.c.time_zone)).scalar_one_or_none() or "UTC")
    rows = db.execute(
        sa.select(t.delivered.c.id, t.delivered.c.visit_id, t.delivered.c.planned_start).where(
            t.delivered.c.visit_id.is_not(None)
        )
    )
    return zone, {(r.visit_id, r.planned_start.astimezone(zone).date()): r.id for r in rows}


def planned_vs_actual(engine: Engine) -> list[dict[str, Any]]:
    """Per delivered visit with actuals: planned and actual start, minutes late, and planned and
    actual duration."""
    with engine.connect() as db:
        rows = db.execute(
            sa.select(t.delivered)
            .where(t.delivered.c.actual_start.is_not(None))
            .order_by(t.delivered.c.planned_start, t.delivered.c.visit_id)
        ).all()
    report = []
    for r in rows:
        planned_min = (
            (r.planned_end - r.planned_start).total_seconds() / 60 if r.planned_end else None
        )
        report.append(
            {
                "visit_id": r.visit_id,
                "client_id": r.client_id,
                "caregiver_ids": r.caregiver_ids,
                "planned_start": r.planned_start.isoformat(),
                "actual_start": r.actual_start.isoformat(),
                "late_min": round((r.actual_start - r.planned_start).total_seconds() / 60),
                "planned_min": round(planned_min) if planned_min is not None else None,
                "actual_min": round((r.actual_end - r.actual_start).total_seconds() / 60),
            }
        )
    return report


def read_version(engine: Engine, roster_id: int) -> tuple[Scenario, Roster, str]:
    """A saved roster with the scenario it is valid for, and its status."""
    with engine.connect() as db:
        row = db.execute(sa.select(t.rosters).where(t.rosters.c.id == roster_id)).one_or_none()
    if row is None:
        raise StoreError(f"no roster {roster_id} in the store")
    return Scenario.model_validate(row.scenario), Roster.model_validate(row.roster), row.status


def roster_days(engine: Engine, roster_id: int) -> tuple[date, date]:
    """The first and last day a saved roster covers."""
    with engine.connect() as db:
        row = db.execute(
            sa.select(t.rosters.c.first_day, t.rosters.c.last_day).where(
                t.rosters.c.id == roster_id
            )
        ).one_or_none()
    if row is None:
        raise StoreError(f"no roster {roster_id} in the store")
    return row.first_day, row.last_day


def list_versions(engine: Engine) -> list[RosterVersion]:
    with engine.connect() as db:
        rows = db.execute(sa.select(t.rosters).order_by(t.rosters.c.id)).all()
        counts = {
            r.roster_id: r.n
            for r in db.execute(
                sa.select(t.roster_unassigned.c.roster_id, sa.func.count().label("n")).group_by(
                    t.roster_unassigned.c.roster_id
                )
            )
        }
        assigned = {
            r.roster_id: r.n
            for r in db.execute(
                sa.select(
                    t.roster_stops.c.roster_id,
                    sa.func.count(sa.distinct(t.roster_stops.c.visit_id)).label("n"),
                ).group_by(t.roster_stops.c.roster_id)
            )
        }
    return [
        RosterVersion(
            id=r.id,
            status=r.status,
            first_day=r.first_day,
            last_day=r.last_day,
            created_at=r.created_at,
            created_by=r.created_by,
            seed=r.seed,
            visits_assigned=assigned.get(r.id, 0),
            visits_unassigned=counts.get(r.id, 0),
            repaired_from=r.repaired_from,
        )
        for r in rows
    ]


def repair_events(engine: Engine, roster_id: int) -> list[Event]:
    """The events a repair's draft took in, in the order they were given."""
    with engine.connect() as db:
        rows = db.execute(
            sa.select(t.events.c.record)
            .where(t.events.c.roster_id == roster_id)
            .order_by(t.events.c.id)
        ).all()
    return [_EVENT.validate_python(r.record) for r in rows]


def stop_origins(engine: Engine, roster_id: int) -> dict[str, StopOrigin]:
    """The service and care-plan order of each of a saved roster's stops, by visit id."""
    with engine.connect() as db:
        rows = db.execute(
            sa.select(
                t.roster_stops.c.visit_id, t.roster_stops.c.service, t.roster_stops.c.order_id
            ).where(t.roster_stops.c.roster_id == roster_id, t.roster_stops.c.service.isnot(None))
        ).all()
    return {r.visit_id: StopOrigin(r.service, r.order_id) for r in rows}
