"""Roster versions and history: drafts saved whole, publishing supersedes, delivered visits
become the next horizon's history (tests/data/tiny_plan, from Monday 2026-11-30)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from scheduler import check_roster
from scheduler.domain.events import CaregiverUnavailable, LocatedEvent
from scheduler.errors import StoreError
from scheduler.io.plan_files import load_plan
from scheduler.ops.stored import plan_stored, repair_stored
from scheduler.solve.params import SolveParams
from scheduler.store import schema as t
from scheduler.store.agency import import_plan, read_plan
from scheduler.store.db import open_store
from scheduler.store.rosters import (
    Actual,
    deliver,
    list_versions,
    planned_vs_actual,
    publish,
    read_version,
    record_actuals,
    repair_events,
    stop_origins,
)

PLAN = Path(__file__).parents[1] / "data" / "tiny_plan" / "plan.json"
MONDAY = date(2026, 11, 30)
PARAMS = SolveParams(time_limit_s=5, seed=1, solution_limit=1500)


def test_a_draft_is_saved_whole_and_published_over_the_one_before(store_url: str) -> None:
    with open_store(store_url) as engine:
        import_plan(engine, load_plan(PLAN))
        first = plan_stored(engine, MONDAY, 3, PARAMS)
        scenario, roster, status = read_version(engine, first.roster_id)
        assert status == "draft" and roster == first.roster and scenario == first.scenario
        assert check_roster(scenario, roster) == []
        with engine.connect() as db:
            stops = db.execute(
                sa.select(sa.func.count()).where(t.roster_stops.c.roster_id == first.roster_id)
            ).scalar_one()
        assert stops == sum(len(r.stops) for r in roster.routes)
        assert publish(engine, first.roster_id) == []
        with pytest.raises(StoreError, match="only a draft"):
            publish(engine, first.roster_id)
        second = plan_stored(engine, MONDAY + timedelta(days=1), 2, PARAMS)
        assert publish(engine, second.roster_id) == [first.roster_id]
        statuses = {v.id: v.status for v in list_versions(engine)}
        assert statuses == {first.roster_id: "superseded", second.roster_id: "published"}
        with pytest.raises(StoreError, match="no roster 99"):
            publish(engine, 99)


def test_a_repair_is_a_new_draft_that_keeps_its_events_and_supersedes_when_published(
    store_url: str,
) -> None:
    with open_store(store_url) as engine:
        import_plan(engine, load_plan(PLAN))
        day = plan_stored(engine, MONDAY, 1, PARAMS)
        publish(engine, day.roster_id)
        sick = next(r.caregiver_id for r in day.roster.routes if r.stops)
        event = CaregiverUnavailable(caregiver_id=sick, start=datetime(2026, 11, 30, 6, 0))
        repaired = repair_stored(
            engine,
            day.roster_id,
            [LocatedEvent(event, "events.json", "events[0]")],
            datetime(2026, 11, 30, 6, 0),
            PARAMS,
        )
        scenario, roster, status = read_version(engine, repaired.roster_id)
        assert status == "draft" and roster == repaired.result.roster
        assert check_roster(scenario, roster) == []
        assert all(not r.stops for r in roster.routes if r.caregiver_id == sick)
        assert repair_events(engine, repaired.roster_id) == [event]
        assert repair_events(engine, day.roster_id) == []
        versions = {v.id: v for v in list_versions(engine)}
        assert versions[repaired.roster_id].repaired_from == day.roster_id
        # the history keeps each stop's service: the repair's stops carry it over
        origins = stop_origins(engine, repaired.roster_id)
        kept = {s.visit_id for r in roster.routes for s in r.stops}
        assert kept and set(origins) == kept & set(stop_origins(engine, day.roster_id))
        assert publish(engine, repaired.roster_id) == [day.roster_id]


def test_delivered_visits_are_the_next_weeks_history(store_url: str) -> None:
    with open_store(store_url) as engine:
        import_plan(engine, load_plan(PLAN))
        week = plan_stored(engine, MONDAY, 3, PARAMS)
        assert deliver(engine, datetime(2026, 12, 3, tzinfo=UTC)) == 0  # nothing published
        publish(engine, week.roster_id)
        served = {s.visit_id for r in week.roster.routes for s in r.stops}
        assert deliver(engine, datetime(2026, 12, 3, tzinfo=UTC)) == len(served)
        assert deliver(engine, datetime(2026, 12, 3, tzinfo=UTC)) == 0  # once
        with engine.connect() as db:
            history = read_plan(db, before=MONDAY + timedelta(days=3)).history
        supervision = [p for p in history if p.service == "rn_supervision" and p.client_id == "c1"]
        done = next(
            s.start
            for r in week.roster.routes
            for s in r.stops
            if s.visit_id == "c1-supervisory_visit"
        )
        assert done.astimezone(week.scenario.zone).replace(tzinfo=None) in {
            p.start for p in supervision
        }


def test_actual_times_replace_the_planned_and_unknown_visits_change_nothing(
    store_url: str,
) -> None:
    with open_store(store_url) as engine:
        import_plan(engine, load_plan(PLAN))
        week = plan_stored(engine, MONDAY, 1, PARAMS)
        publish(engine, week.roster_id)
        deliver(engine, datetime(2026, 12, 1, tzinfo=UTC))
        stop = week.roster.routes[0].stops[0]
        late = Actual(
            stop.visit_id, stop.start + timedelta(minutes=20), stop.end + timedelta(minutes=25)
        )
        with pytest.raises(StoreError, match="no visit with this id was delivered"):
            record_actuals(engine, [late, Actual("nope", stop.start, stop.end)], "evv.csv")
        assert planned_vs_actual(engine) == []
        assert record_actuals(engine, [late], "evv.csv") == 1
        (row,) = planned_vs_actual(engine)
        assert row["visit_id"] == stop.visit_id and row["late_min"] == 20
        assert row["actual_min"] - row["planned_min"] == 5
