"""Three consecutive weeks of the sample agency (data/samples/bayreuth-week) planned from the
store, each published and delivered before the next: the 14-day RN supervision holds across
the week boundaries and continuity of care carries over, with no manual step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from scheduler import check_roster
from scheduler.domain.model import Role
from scheduler.io.plan_files import load_plan
from scheduler.ops.stored import plan_stored
from scheduler.solve.params import SolveParams
from scheduler.store import schema as t
from scheduler.store.agency import import_plan
from scheduler.store.db import open_store
from scheduler.store.rosters import deliver, publish

PLAN = Path(__file__).parents[2] / "data" / "samples" / "bayreuth-week" / "plan.json"
MONDAY = date(2026, 11, 30)
EVERY = timedelta(days=14)


def test_three_weeks_from_the_store_keep_supervision_and_continuity(sqlite_url: str) -> None:
    plan = load_plan(PLAN)
    shares = []
    left_out: set[str] = set()
    compliance_left_out: set[str] = set()  # clients a compliance visit of a solve left out
    with open_store(sqlite_url) as engine:
        import_plan(engine, plan)
        for week in range(3):
            start = MONDAY + timedelta(weeks=week)
            stored = plan_stored(engine, start, 7, SolveParams(time_limit_s=10, seed=1))
            assert stored.week is not None
            assert check_roster(stored.scenario, stored.roster) == []
            overdue = [f for f in stored.week.week.demand.flags if f.kind == "compliance_overdue"]
            if week:  # the first week has the sample's own overdue visit; later ones follow
                # the delivered history: overdue only where an earlier week left a visit of a
                # compliance rule (supervision or reassessment) out
                assert {f.client_id for f in overdue} <= compliance_left_out
            left_out.update(u.visit_id for u in stored.roster.unassigned)
            origins = stored.week.week.demand.origins
            compliance_left_out.update(
                u.client_id for u in stored.roster.unassigned if origins[u.visit_id].rule
            )
            familiar = [
                c
                for c in stored.week.continuity
                if c.client_id in stored.week.week.history_caregivers
            ]
            shares.append(
                sum(c.from_history * c.visits for c in familiar) / sum(c.visits for c in familiar)
            )
            publish(engine, stored.roster_id)
            end = datetime.combine(start + timedelta(days=7), datetime.min.time(), UTC)
            assert deliver(engine, end) == len(
                {s.visit_id for r in stored.roster.routes for s in r.stops}
            )
        with engine.connect() as db:
            supervision = db.execute(
                sa.select(t.delivered.c.client_id, t.delivered.c.planned_start)
                .where(t.delivered.c.service == "rn_supervision")
                .order_by(t.delivered.c.planned_start)
            ).all()
    zone = plan.agency.zone
    first = datetime.combine(MONDAY, datetime.min.time(), zone)
    last = datetime.combine(MONDAY + timedelta(weeks=3), datetime.min.time(), zone)
    by_client: dict[str, list[datetime]] = {}
    for client_id, moment in supervision:
        by_client.setdefault(client_id, []).append(moment)
    # the rule applies to clients an aide serves (the bundled policy's "aide_served")
    aide_served = {
        cp.client_id
        for cp in plan.care_plans
        for o in cp.orders
        if plan.policy.services[o.service].min_role == Role.AIDE
    }
    late = []
    for client_id, moments in by_client.items():
        for before, after in zip(moments, [*moments[1:], last], strict=True):
            due = before + EVERY
            # an interval already overdue when the first week began is the sample's own gap
            # (flagged when planned); every other must close within 14 days
            if client_id in aide_served and first <= due < last and after.date() > due.date():
                late.append((client_id, before.date(), after.date()))
    # a supervision is late only where the solver left its visit out, with a reason
    assert all(f"{client_id}-supervisory_visit" in left_out for client_id, _, _ in late), late
    assert shares[0] < shares[1] < shares[2]  # each week the carers the client had before
