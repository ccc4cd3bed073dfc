"""A plan over a horizon: shifts from availability, continuity, one validated solve.

Instance: tests/data/tiny_plan (its README says what each record is for), horizon Monday
2026-11-30 and the two days after.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler import check_roster
from scheduler.errors import ScenarioError
from scheduler.io.plan_files import load_plan, week_files
from scheduler.plans.week import build_week, plan_week
from scheduler.solve.params import SolveParams

PLAN = Path(__file__).parents[1] / "data" / "tiny_plan" / "plan.json"
MONDAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def result():
    plan = load_plan(PLAN)
    return plan_week(
        plan, MONDAY, 3, params=SolveParams(time_limit_s=10, seed=1, solution_limit=3000)
    )


def test_shifts_follow_the_weekly_pattern_minus_time_off() -> None:
    week = build_week(load_plan(PLAN), MONDAY, 3)
    shifts = {
        c.id: [s.start.strftime("%a %H:%M") for s in c.shifts] for c in week.scenario.caregivers
    }
    assert shifts == {
        "ann": ["Mon 07:00", "Tue 07:00"],  # on leave Wednesday
        "bob": ["Mon 07:00", "Tue 07:00", "Wed 07:00"],
        "rita": ["Mon 08:00", "Tue 08:00", "Wed 08:00"],
    }


def test_history_makes_the_past_caregiver_preferred_but_not_compliance_visits() -> None:
    week = build_week(load_plan(PLAN), MONDAY, 3)
    clients = week.scenario.clients_by_id
    assert clients["c1"].preferred_caregivers == {"bob"}  # rita only did compliance visits
    assert clients["c3"].preferred_caregivers == frozenset()  # new client, no history


def test_the_week_solves_validated_with_compliance_and_movable_visits(result) -> None:
    week, roster = result.week, result.roster
    assert check_roster(week.scenario, roster) == []
    served = {stop.visit_id: route.caregiver_id for route in roster.routes for stop in route.stops}
    # the initial assessment of the new client, by the RN, within 48 h of admission
    assert served.get("c3-initial_assessment") == "rita"
    assert served.get("c1-supervisory_visit") == "rita"
    # both companionship sessions placed, on different days at least 24 h apart
    starts = {stop.visit_id: stop.start for route in roster.routes for stop in route.stops}
    first, second = starts["c3-walk-2026W49-1"], starts["c3-walk-2026W49-2"]
    assert (second - first).total_seconds() >= 24 * 3600
    # the lapsed credential: Wednesday's wound care has nobody qualified
    unassigned = {u.visit_id: u.reason_code for u in roster.unassigned}
    assert "c2-wound-20261202" in unassigned and served.get("c2-wound-20261130") == "rita"


def test_continuity_is_measured_per_client(result) -> None:
    by_client = {c.client_id: c for c in result.continuity}
    c1 = by_client["c1"]
    visits_c1 = sum(1 for r in result.roster.routes for s in r.stops if s.client_id == "c1")
    assert c1.visits == visits_c1
    assert 1 <= c1.distinct_caregivers <= 3 and 0 < c1.main_share <= 1
    files = week_files(result)
    assert files["continuity.csv"].splitlines()[0].startswith("client_id,visits,distinct")
    assert "c3-initial_assessment" in files["demand.csv"]


def test_a_plan_with_broken_references_names_file_record_and_field(tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8").replace(
        '"service": "homemaking"', '"service": "baking"'
    )
    text = text.replace(
        '"caregiver_id": "ann", "start": "2026-12-02"',
        '"caregiver_id": "zed", "start": "2026-12-02"',
    )
    (tmp_path / "agency.json").write_text((PLAN.parent / "agency.json").read_text(encoding="utf-8"))
    bad = tmp_path / "plan.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_plan(bad)
    message = str(err.value)
    assert "plan.json, row care_plans[0] (id c1-meal), field 'service'" in message
    assert "baking" in message
    assert "row time_off[0]" in message and "caregiver_id" in message


def test_a_malformed_order_names_its_path(tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8").replace('"kind": "weekdays"', '"kind": "fortnightly"')
    (tmp_path / "agency.json").write_text((PLAN.parent / "agency.json").read_text(encoding="utf-8"))
    bad = tmp_path / "plan.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_plan(bad)
    assert "row care_plans[0]" in str(err.value) and "orders.1.recurrence.kind" in str(err.value)


def test_a_synthetic_week_plan_expands_and_solves_validated() -> None:
    from benchmarks.week import synthetic_plan

    plan = synthetic_plan(visits_per_day=16, caregivers=4, seed=3)
    result = plan_week(
        plan, MONDAY, 7, params=SolveParams(time_limit_s=6, seed=1, solution_limit=300)
    )
    assert check_roster(result.week.scenario, result.roster) == []
    demand = result.week.demand
    assert len(demand.visits) > 16 * 4  # about a week of the day's visits, plus compliance
    assert any(o.rule == "supervisory_visit" for o in demand.origins.values())
    # every caregiver works the week's pattern with its labour rules
    assert all(c.shifts and c.min_rest_min == 660 for c in result.week.scenario.caregivers)


def test_a_day_model_defers_flexible_visits_and_orders_sessions() -> None:
    from datetime import datetime

    from scheduler.plans.days import DEFERRABLE_PRIORITY, _visits_of_day

    week = build_week(load_plan(PLAN), MONDAY, 3)
    scenario = week.scenario
    visit_days = {v.id: sorted({w.start.date() for w in v.windows}) for v in scenario.visits}
    tuesday, wednesday = date(2026, 12, 1), date(2026, 12, 2)
    today = {v.id: v for v in _visits_of_day(scenario, tuesday, visit_days, {})}
    # The first session could also go on Wednesday: it yields today; the second waits for it.
    assert today["c3-walk-2026W49-1"].priority == DEFERRABLE_PRIORITY
    assert "c3-walk-2026W49-2" not in today
    assert all(w.start.date() == tuesday for v in today.values() for w in v.windows)
    # Served on Tuesday at 10:00: on Wednesday the second starts 24 h later at the earliest.
    served = {"c3-walk-2026W49-1": datetime(2026, 12, 1, 10, 0)}
    later = {v.id: v for v in _visits_of_day(scenario, wednesday, visit_days, served)}
    second = later["c3-walk-2026W49-2"]
    assert second.windows[0].start == datetime(2026, 12, 2, 10, 0) and second.dependency is None
    assert second.priority != DEFERRABLE_PRIORITY  # its last possible day
    # Fixed same-day visits keep their own priority.
    assert later["c1-am-20261202"].priority == 3


def test_the_compliance_check_finds_a_missing_supervision(result) -> None:
    from scheduler.plans.compliance_check import compliance_findings

    plan = load_plan(PLAN)
    services = {v: o.service for v, o in result.week.demand.origins.items()}
    # c1's supervision (last 2026-11-18, due by 2026-12-02) is served by rita in the roster.
    assert not any(f.startswith("c1: supervisory_visit") for f in result.compliance_findings)
    # Without that stop the interval breaks inside the horizon.
    routes = tuple(
        r.model_copy(
            update={"stops": tuple(s for s in r.stops if s.visit_id != "c1-supervisory_visit")}
        )
        for r in result.roster.routes
    )
    cut = result.roster.model_copy(update={"routes": routes})
    findings = compliance_findings(plan, cut, services, MONDAY, 3)
    assert "c1: supervisory_visit: none from 2026-11-18 to 2026-12-02" in findings
    # c3 (admitted Tue 09:00) needs its initial assessment by Thu 09:00, after this horizon.
    assert not any(f.startswith("c3: initial_assessment") for f in findings)
