"""Property: over random caseloads, the week's roster passes the validator over the horizon."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from scheduler import Caregiver, Client, Location, Scenario, check_roster
from scheduler.plans.policy import load_policy
from scheduler.plans.week import Availability, PlanInput, plan_week
from scheduler.solve.params import SolveParams
from tests.plans.test_demand_properties import caseloads

SKILLS = {"personal_care", "meal_prep", "physiotherapy", "assessment"}


def agency(n_clients: int) -> Scenario:
    home = Location(lat=50.0, lon=11.55)
    caregivers = [
        Caregiver(id="aide", role="aide", skills=frozenset(SKILLS - {"assessment"}), home=home),
        Caregiver(
            id="aide2", role="hha", skills=frozenset({"personal_care", "meal_prep"}), home=home
        ),
        Caregiver(id="pt", role="pt", skills=frozenset({"physiotherapy"}), home=home),
        Caregiver(
            id="rn",
            role="rn",
            skills=frozenset(SKILLS),
            home=home,
            break_after_min=300,
            min_rest_min=600,
        ),
    ]
    clients = [
        Client(id=f"c{i}", location=Location(lat=50.0 + 0.004 * i, lon=11.56 + 0.003 * i))
        for i in range(n_clients)
    ]
    return Scenario(
        name="prop", time_zone="Europe/Berlin", caregivers=tuple(caregivers), clients=tuple(clients)
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(caseloads())
def test_every_week_roster_is_valid(case) -> None:
    plans, entries, horizon = case
    everyone = ("aide", "aide2", "pt", "rn")
    plan = PlanInput(
        agency=agency(len(entries)),
        policy=load_policy(),
        availability=tuple(
            Availability(caregiver_id=c, days=frozenset(range(7)), start="07:00", end="17:00")
            for c in everyone
        ),
        care_plans=tuple(plans),
        caseload=tuple(entries),
    )
    params = SolveParams(time_limit_s=10, seed=1, solution_limit=150)
    result = plan_week(plan, horizon.start, horizon.days, params=params)
    roster = result.roster
    assert check_roster(result.week.scenario, roster) == []
    served = {s.visit_id for r in roster.routes for s in r.stops}
    assert served | {u.visit_id for u in roster.unassigned} == {
        v.id for v in result.week.scenario.visits
    }
