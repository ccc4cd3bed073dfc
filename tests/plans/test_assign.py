"""The first stage over a horizon (plans/assign.py) on tests/data/tiny_plan (its README says
what each record is for), Monday 2026-11-30 and the two days after."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler import check_roster
from scheduler.api import travel_model_for
from scheduler.domain.eligibility import is_eligible
from scheduler.io.plan_files import load_plan
from scheduler.plans.assign import HorizonPlan, plan_horizon
from scheduler.plans.week import build_week, plan_week
from scheduler.solve.params import SolveParams

PLAN = Path(__file__).parents[1] / "data" / "tiny_plan" / "plan.json"
MONDAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def staged():
    plan = load_plan(PLAN)
    week = build_week(plan, MONDAY, 3)
    chosen = plan_horizon(
        week.scenario,
        week.horizon.dates(),
        plan.agency.clients,
        week.history_caregivers,
        plan.continuity_weight,
        travel_model_for(week.scenario),
        time_limit_s=5,
        seed=1,
        deterministic=True,
    )
    return week, chosen


def test_chosen_days_lie_in_the_visits_windows_and_keep_the_gap(staged) -> None:
    week, chosen = staged
    visits = week.scenario.visits_by_id
    for visit_id, day in chosen.day_of_visit.items():
        assert day in {w.start.date() for w in visits[visit_id].windows}
    first = chosen.day_of_visit["c3-walk-2026W49-1"]
    second = chosen.day_of_visit["c3-walk-2026W49-2"]
    assert (second - first).days >= 1  # 24 h apart: never the same day


def test_chosen_caregivers_may_serve_the_client_on_that_day(staged) -> None:
    week, chosen = staged
    scenario = week.scenario
    caregivers, clients = scenario.caregivers_by_id, scenario.clients_by_id
    for visit_id, day in chosen.day_of_visit.items():
        visit = scenario.visits_by_id[visit_id]
        people = chosen.caregivers_of[visit.client_id, day]
        assert any(is_eligible(caregivers[c], clients[visit.client_id], visit, day) for c in people)
    # Wednesday's wound care: rita's credential has lapsed and nobody else has it.
    assert "c2-wound-20261202" not in chosen.day_of_visit
    # The double-handed visit gets two people that day.
    assert len(chosen.caregivers_of["c2", MONDAY]) >= 2


def test_continuity_keeps_the_familiar_caregiver(staged) -> None:
    _, chosen = staged
    # bob served c1 before the horizon and works all three days: he is there every day, and
    # c1 sees nobody else but rita, the only RN, who must come for the supervisory visit.
    days = _days(chosen, "c1")
    assert len(days) == 3 and all("bob" in chosen.caregivers_of["c1", day] for day in days)
    assert set().union(*(chosen.caregivers_of["c1", day] for day in days)) == {"bob", "rita"}


@pytest.mark.parametrize("first_stage", [True, False])
def test_the_week_validates_with_and_without_the_first_stage(first_stage: bool) -> None:
    params = SolveParams(time_limit_s=10, seed=1, solution_limit=3000)
    result = plan_week(load_plan(PLAN), MONDAY, 3, params=params, first_stage=first_stage)
    assert check_roster(result.week.scenario, result.roster) == []
    kpis = result.roster.kpis
    assert kpis is not None and kpis.visits_assigned == kpis.visits_total - 1  # all but the
    # wound care nobody qualified can give (rita's credential lapsed)


def _days(chosen: HorizonPlan, client: str) -> list[date]:
    return sorted(day for c, day in chosen.caregivers_of if c == client)


def test_the_same_seed_and_budget_give_the_same_week() -> None:
    # Deterministic budgets: a solution limit for the days, CP-SAT's own time units for the
    # first stage; the week's roster must then repeat exactly.
    params = SolveParams(time_limit_s=30, seed=7, solution_limit=500)
    runs = [plan_week(load_plan(PLAN), MONDAY, 3, params=params) for _ in range(2)]
    first, second = (r.roster.model_copy(update={"solve_info": None}) for r in runs)
    assert first == second
    assert runs[0].first_stage == runs[1].first_stage
