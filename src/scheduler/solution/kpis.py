"""Key figures of a roster, recomputed from the scenario and the roster alone."""

from __future__ import annotations

from collections import defaultdict

from scheduler.domain.model import Scenario
from scheduler.solution.roster import CaregiverUse, Kpis, Roster, minutes


def compute_kpis(scenario: Scenario, roster: Roster) -> Kpis:
    by_caregiver: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for route in roster.routes:
        use = by_caregiver[route.caregiver_id]
        use["visits"] += len(route.stops)
        use["service_min"] += sum(minutes(s.start, s.end) for s in route.stops)
        use["travel_min"] += sum(s.travel_before_min for s in route.stops) + route.travel_home_min
        use["working_min"] += minutes(route.departure, route.return_home)

    caregivers = []
    for caregiver in scenario.caregivers:
        use = by_caregiver.get(caregiver.id, defaultdict(float))
        available = sum(minutes(s.start, s.end) for s in caregiver.shifts)
        caregivers.append(
            CaregiverUse(
                caregiver_id=caregiver.id,
                visits=int(use["visits"]),
                service_min=round(use["service_min"], 1),
                travel_min=round(use["travel_min"], 1),
                working_min=round(use["working_min"], 1),
                available_min=round(available, 1),
                utilisation=round(use["service_min"] / available, 3) if available else 0.0,
            )
        )

    assigned_ids = {s.visit_id for r in roster.routes for s in r.stops}
    clients = scenario.clients_by_id
    preferred_visits = preferred_met = 0
    for visit in scenario.visits:
        preferred = clients[visit.client_id].preferred_caregivers
        if visit.id not in assigned_ids or not preferred:
            continue
        preferred_visits += 1
        if all(route.caregiver_id in preferred for route, _ in roster.stops_of(visit.id)):
            preferred_met += 1

    return Kpis(
        visits_total=len(scenario.visits),
        visits_assigned=len(assigned_ids),
        visits_unassigned=len(scenario.visits) - len(assigned_ids),
        service_min=round(sum(c.service_min for c in caregivers), 1),
        travel_min=round(sum(c.travel_min for c in caregivers), 1),
        working_min=round(sum(c.working_min for c in caregivers), 1),
        preferred_visits=preferred_visits,
        preferred_met=preferred_met,
        caregivers=tuple(caregivers),
    )
