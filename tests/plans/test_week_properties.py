"""Property: over random caseloads and random staff, the week's roster passes the validator
over the horizon, with and without the first stage.

Staff are drawn too: roles on the nursing ladder, skills, a credential that may lapse inside the
horizon, weekly availability with hours and days, time off, weekly limits, an overtime threshold,
a contract, daily rest and breaks. Caseloads (tests/plans/test_demand_properties.py) bring
double-handed orders, movable sessions, holds, discharges and compliance visits.
"""

from __future__ import annotations

from datetime import time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import Caregiver, Client, Location, Scenario, check_roster
from scheduler.domain.model import Credential
from scheduler.plans.policy import load_policy
from scheduler.plans.week import Availability, PlanInput, TimeOff, plan_week
from scheduler.solve.params import SolveParams
from tests.plans.test_demand_properties import BASE, caseloads

SKILLS = ("personal_care", "meal_prep", "physiotherapy", "assessment")
ROLES = ("aide", "hha", "cna", "lpn", "rn", "pt")


@st.composite
def staff(draw):
    """Two to five caregivers, with the records a plan gives them (availability, time off)."""
    caregivers, availability, time_off = [], [], []
    for i in range(draw(st.integers(2, 5))):
        cid = f"g{i}"
        credentials = ()
        if draw(st.booleans()):
            lapses = BASE + timedelta(days=draw(st.integers(-3, 25)))
            credentials = (Credential(name=draw(st.sampled_from(SKILLS)), valid_until=lapses),)
        caregivers.append(
            Caregiver(
                id=cid,
                role=draw(st.sampled_from(ROLES)),
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), min_size=1))),
                home=Location(lat=50.0 + 0.002 * i, lon=11.55),
                credentials=credentials,
                max_work_min_per_week=draw(st.one_of(st.none(), st.integers(120, 2400))),
                overtime_after_min_per_week=draw(st.one_of(st.none(), st.integers(60, 2400))),
                contracted_min_per_week=draw(st.one_of(st.none(), st.integers(300, 2400))),
                min_rest_min=draw(st.one_of(st.none(), st.integers(480, 720))),
                break_after_min=draw(st.one_of(st.none(), st.integers(180, 360))),
            )
        )
        start = draw(st.integers(6, 11))
        availability.append(
            Availability(
                caregiver_id=cid,
                days=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
                start=time(start),
                end=time(start + draw(st.integers(3, 10))),
            )
        )
        if draw(st.booleans()):
            first = BASE + timedelta(days=draw(st.integers(0, 20)))
            time_off.append(
                TimeOff(
                    caregiver_id=cid, start=first, end=first + timedelta(draw(st.integers(0, 3)))
                )
            )
    return caregivers, availability, time_off


def agency(caregivers: list[Caregiver], n_clients: int) -> Scenario:
    clients = [
        Client(id=f"c{i}", location=Location(lat=50.0 + 0.004 * i, lon=11.56 + 0.003 * i))
        for i in range(n_clients)
    ]
    return Scenario(
        name="prop", time_zone="Europe/Berlin", caregivers=tuple(caregivers), clients=tuple(clients)
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(caseloads(), staff(), st.booleans())
def test_every_week_roster_is_valid(case, people, first_stage: bool) -> None:
    plans, entries, horizon = case
    caregivers, availability, time_off = people
    plan = PlanInput(
        agency=agency(caregivers, len(entries)),
        policy=load_policy(),
        availability=tuple(availability),
        time_off=tuple(time_off),
        care_plans=tuple(plans),
        caseload=tuple(entries),
    )
    params = SolveParams(time_limit_s=10, seed=1, solution_limit=150)
    result = plan_week(plan, horizon.start, horizon.days, params=params, first_stage=first_stage)
    roster = result.roster
    assert check_roster(result.week.scenario, roster) == []
    served = {s.visit_id for r in roster.routes for s in r.stops}
    assert served | {u.visit_id for u in roster.unassigned} == {
        v.id for v in result.week.scenario.visits
    }
    if result.first_stage is not None:  # the days it chose lie in the visits' windows
        visits = result.week.scenario.visits_by_id
        for visit_id, day in result.first_stage.day_of_visit.items():
            assert day in {w.start.date() for w in visits[visit_id].windows}
