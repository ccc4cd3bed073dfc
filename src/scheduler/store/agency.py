"""The agency's records in the store: imported from a scenario or a plan (already validated by
the file readers) in one transaction, and read back as the same models.

A plan read from the store carries as its history both the history its file had and every
visit the store recorded as delivered before the horizon, so continuity and the compliance
clocks follow the published rosters with no manual step.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import tomli_w
from sqlalchemy.engine import Connection, Engine

from scheduler.atomic import write_atomic
from scheduler.domain.model import Caregiver, Client, Scenario, Settings, Visit
from scheduler.errors import StoreError
from scheduler.plans.model import CarePlan, CaseloadEntry, PastVisit, ServiceOrder, Weekday
from scheduler.plans.policy import Policy, load_policy
from scheduler.plans.week import Availability, PlanInput, TimeOff
from scheduler.store import schema as t


def import_scenario(engine: Engine, scenario: Scenario) -> None:
    """The store's agency replaced by the scenario's (its visits kept as one-off visits)."""
    with engine.begin() as db:
        _replace_agency(db, scenario, policy=None, continuity_weight=None)
        _insert(db, t.visits, [_visit_row(v, scenario.zone) for v in scenario.visits])


def import_plan(engine: Engine, plan: PlanInput) -> None:
    """The store's agency replaced by the plan's: agency, policy, availability, time off, care
    plans, caseload and the plan file's history; delivered visits and rosters stay."""
    with engine.begin() as db:
        _replace_agency(
            db,
            plan.agency,
            policy=plan.policy.model_dump(mode="json"),
            continuity_weight=plan.continuity_weight,
        )
        _insert(
            db,
            t.availability,
            [
                {
                    "caregiver_id": a.caregiver_id,
                    "days": ";".join(Weekday(d).name for d in sorted(a.days)),
                    "start_time": a.start,
                    "end_time": a.end,
                }
                for a in plan.availability
            ],
        )
        _insert(
            db,
            t.time_off,
            [
                {
                    "caregiver_id": o.caregiver_id,
                    "start_date": o.start,
                    "end_date": o.end,
                    "reason": o.reason,
                }
                for o in plan.time_off
            ],
        )
        _insert(db, t.care_plans, [{"client_id": cp.client_id} for cp in plan.care_plans])
        _insert(
            db,
            t.orders,
            [
                {
                    "id": o.id,
                    "client_id": cp.client_id,
                    "position": i,
                    "service": o.service,
                    "record": o.model_dump(mode="json"),
                }
                for cp in plan.care_plans
                for i, o in enumerate(cp.orders)
            ],
        )
        zone = plan.agency.zone
        _insert(
            db,
            t.caseload,
            [
                {
                    "client_id": e.client_id,
                    "admitted": _aware(e.admitted, zone),
                    "discharged": e.discharged,
                    "record": e.model_dump(mode="json"),
                }
                for e in plan.caseload
            ],
        )
        _insert(
            db,
            t.delivered,
            [
                {
                    "client_id": p.client_id,
                    "service": p.service,
                    "order_id": p.order_id,
                    "caregiver_ids": ";".join(p.caregiver_ids),
                    "planned_start": _aware(p.start, zone),
                    "planned_end": (
                        _aware(p.start, zone) + timedelta(minutes=p.duration_min)
                        if p.duration_min is not None
                        else None
                    ),
                }
                for p in plan.history
            ],
        )


def _replace_agency(
    db: Connection,
    scenario: Scenario,
    *,
    policy: dict[str, Any] | None,
    continuity_weight: int | None,
) -> None:
    for table in t.AGENCY_TABLES:
        db.execute(table.delete())
    # history that came from a plan file is replaced; what the store delivered stays
    db.execute(t.delivered.delete().where(t.delivered.c.visit_id.is_(None)))
    db.execute(t.agency.delete())
    db.execute(
        t.agency.insert().values(
            id=1,
            name=scenario.name,
            time_zone=scenario.time_zone,
            settings=scenario.settings.model_dump(mode="json"),
            policy=policy,
            continuity_weight=continuity_weight,
            imported_at=datetime.now(UTC),
        )
    )
    _insert(
        db,
        t.caregivers,
        [
            {"id": c.id, "role": c.role.value, "record": c.model_dump(mode="json")}
            for c in scenario.caregivers
        ],
    )
    _insert(
        db, t.clients, [{"id": c.id, "record": c.model_dump(mode="json")} for c in scenario.clients]
    )


def _insert(db: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.execute(table.insert(), rows)


def _visit_row(visit: Visit, zone: Any) -> dict[str, Any]:
    return {
        "id": visit.id,
        "client_id": visit.client_id,
        "first_start": min(_aware(w.start, zone) for w in visit.windows),
        "record": visit.model_dump(mode="json"),
    }


def _aware(moment: datetime, zone: Any) -> datetime:
    """Naive times in the agency's records are local: made aware in its zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


# --- reading back -------------------------------------------------------------------------------


def read_agency(db: Connection) -> Scenario:
    """The agency as a scenario with no visits (StoreError when nothing was imported)."""
    row = db.execute(sa.select(t.agency)).one_or_none()
    if row is None:
        raise StoreError("the store holds no agency: run `scheduler db import` first")
    caregivers = [
        Caregiver.model_validate(r.record)
        for r in db.execute(sa.select(t.caregivers).order_by(t.caregivers.c.id))
    ]
    clients = [
        Client.model_validate(r.record)
        for r in db.execute(sa.select(t.clients).order_by(t.clients.c.id))
    ]
    return Scenario(
        name=row.name,
        time_zone=row.time_zone,
        caregivers=tuple(caregivers),
        clients=tuple(clients),
        settings=Settings.model_validate(row.settings),
    )


def has_plan(db: Connection) -> bool:
    row = db.execute(sa.select(t.agency.c.policy)).one_or_none()
    return row is not None and row.policy is not None


def read_scenario(db: Connection, day: date | None = None) -> Scenario:
    """The agency with its one-off visits (those whose first window opens on ``day``, in the
    agency's zone, or all of them)."""
    agency = read_agency(db)
    query = sa.select(t.visits).order_by(t.visits.c.id)
    if day is not None:
        start = datetime.combine(day, datetime.min.time(), agency.zone)
        query = query.where(
            t.visits.c.first_start >= start, t.visits.c.first_start < start + timedelta(days=1)
        )
    found = tuple(Visit.model_validate(r.record) for r in db.execute(query))
    return agency.model_copy(update={"visits": found})


def read_plan(db: Connection, before: date | None = None) -> PlanInput:
    """The agency's plan; its history is every delivered visit (before ``before``, a horizon's
    first day, when given), in local time."""
    agency = read_agency(db)
    row = db.execute(sa.select(t.agency.c.policy, t.agency.c.continuity_weight)).one()
    if row.policy is None:
        raise StoreError("the store holds a day's scenario, not a plan: import a plan file")
    policy: Policy = Policy.model_validate(row.policy) if row.policy else load_policy(None)
    availability = [
        Availability(caregiver_id=r.caregiver_id, days=r.days, start=r.start_time, end=r.end_time)
        for r in db.execute(sa.select(t.availability).order_by(t.availability.c.id))
    ]
    time_off = [
        TimeOff(caregiver_id=r.caregiver_id, start=r.start_date, end=r.end_date, reason=r.reason)
        for r in db.execute(sa.select(t.time_off).order_by(t.time_off.c.id))
    ]
    orders: dict[str, list[ServiceOrder]] = {}
    for r in db.execute(sa.select(t.orders).order_by(t.orders.c.client_id, t.orders.c.position)):
        orders.setdefault(r.client_id, []).append(ServiceOrder.model_validate(r.record))
    care_plans = [
        CarePlan(client_id=r.client_id, orders=tuple(orders.get(r.client_id, ())))
        for r in db.execute(sa.select(t.care_plans).order_by(t.care_plans.c.client_id))
    ]
    caseload = [
        CaseloadEntry.model_validate(r.record)
        for r in db.execute(sa.select(t.caseload).order_by(t.caseload.c.id))
    ]
    history = _history(db, agency, before)
    record: dict[str, Any] = {
        "agency": agency,
        "policy": policy,
        "availability": tuple(availability),
        "time_off": tuple(time_off),
        "care_plans": tuple(care_plans),
        "caseload": tuple(caseload),
        "history": tuple(history),
    }
    if row.continuity_weight is not None:
        record["continuity_weight"] = row.continuity_weight
    return PlanInput(**record)


def _history(db: Connection, agency: Scenario, before: date | None) -> list[PastVisit]:
    query = sa.select(t.delivered).order_by(t.delivered.c.planned_start, t.delivered.c.id)
    if before is not None:
        cut = datetime.combine(before, datetime.min.time(), agency.zone)
        query = query.where(
            sa.func.coalesce(t.delivered.c.actual_start, t.delivered.c.planned_start) < cut
        )
    past = []
    for r in db.execute(query):
        began = r.actual_start or r.planned_start
        end = r.actual_end or r.planned_end
        duration = None
        if end is not None:
            duration = max(1, round((end - began).total_seconds() / 60))
        start = began.astimezone(agency.zone).replace(tzinfo=None)  # local, as in a plan file
        past.append(
            PastVisit(
                client_id=r.client_id,
                service=r.service,
                start=start,
                caregiver_ids=tuple(c for c in r.caregiver_ids.split(";") if c),
                order_id=r.order_id,
                duration_min=duration,
            )
        )
    return past


# --- export -------------------------------------------------------------------------------------


def export_files(engine: Engine, out_dir: str | Path) -> list[Path]:
    """The store's agency back as files the readers take: ``scenario.json`` for a day's
    scenario, or ``plan.json`` with ``agency.json`` and ``policy.toml`` for a plan (history:
    every delivered visit)."""
    out = Path(out_dir)
    with engine.connect() as db:
        if not has_plan(db):
            scenario = read_scenario(db)
            return [_write(out / "scenario.json", _scenario_json(scenario))]
        plan = read_plan(db)
    policy = plan.policy.model_dump(mode="json", exclude_none=True)
    record = plan.model_dump(mode="json", exclude={"agency", "policy"})
    record = {"agency": "agency.json", "policy": "policy.toml", **record}
    return [
        _write(out / "agency.json", _scenario_json(plan.agency)),
        _write(out / "policy.toml", tomli_w.dumps(policy)),
        _write(out / "plan.json", json.dumps(record, indent=1) + "\n"),
    ]


def _scenario_json(scenario: Scenario) -> str:
    return scenario.model_dump_json(indent=2, exclude_defaults=True) + "\n"


def _write(path: Path, text: str) -> Path:
    write_atomic(path, text)
    return path
