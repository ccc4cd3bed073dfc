"""Key figures of a roster, recomputed from the scenario and the roster alone."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

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
    horizon_days = scenario.horizon_days()
    for caregiver in scenario.caregivers:
        use = by_caregiver.get(caregiver.id, defaultdict(float))
        available = sum(minutes(s.start, s.end) for s in caregiver.shifts)
        target = caregiver.contract_target_min(horizon_days)
        caregivers.append(
            CaregiverUse(
                caregiver_id=caregiver.id,
                visits=int(use["visits"]),
                service_min=round(use["service_min"], 1),
                travel_min=round(use["travel_min"], 1),
                working_min=round(use["working_min"], 1),
                available_min=round(available, 1),
                utilisation=round(use["service_min"] / available, 3) if available else 0.0,
                contract_share=round(use["working_min"] / target, 3) if target else None,
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

    late = [m for m in _lateness_min(scenario, roster) if m > 0]
    shares_by_role: dict[str, list[float]] = defaultdict(list)
    for caregiver, used in zip(scenario.caregivers, caregivers, strict=True):
        if used.contract_share is not None:
            shares_by_role[caregiver.role.value].append(used.contract_share)
    spreads = [max(shares) - min(shares) for shares in shares_by_role.values()]
    return Kpis(
        visits_total=len(scenario.visits),
        visits_assigned=len(assigned_ids),
        visits_unassigned=len(scenario.visits) - len(assigned_ids),
        service_min=round(sum(c.service_min for c in caregivers), 1),
        travel_min=round(sum(c.travel_min for c in caregivers), 1),
        working_min=round(sum(c.working_min for c in caregivers), 1),
        preferred_visits=preferred_visits,
        preferred_met=preferred_met,
        late_visits=len(late),
        lateness_min=round(sum(late), 3),
        max_lateness_min=round(max(late, default=0.0), 3),
        overtime_min=round(sum(_overtime_min(scenario, roster).values()), 1),
        workload_spread_pct=round(100 * max(spreads), 1) if spreads else None,
        caregivers=tuple(caregivers),
    )


def _overtime_min(scenario: Scenario, roster: Roster) -> dict[tuple[str, int, int], float]:
    """Per caregiver and calendar week: working minutes beyond the overtime threshold."""
    worked: dict[tuple[str, int, int], float] = defaultdict(float)
    for route in roster.routes:
        year, week, _ = route.departure.astimezone(scenario.zone).date().isocalendar()
        worked[(route.caregiver_id, year, week)] += minutes(route.departure, route.return_home)
    caregivers = scenario.caregivers_by_id
    out = {}
    for key, total in worked.items():
        caregiver = caregivers.get(key[0])
        threshold = caregiver.overtime_after_min_per_week if caregiver else None
        if threshold is not None and total > threshold:
            out[key] = total - threshold
    return out


def _lateness_min(scenario: Scenario, roster: Roster) -> list[float]:
    """Minutes each served visit started after its last window closed (its first start)."""
    visits = scenario.visits_by_id
    first_start: dict[str, datetime] = {}
    for route in roster.routes:
        for stop in route.stops:
            known = first_start.get(stop.visit_id)
            first_start[stop.visit_id] = stop.start if known is None else min(known, stop.start)
    lateness = []
    for visit_id, start in first_start.items():
        if visit_id in visits:
            due = max(w.end for w in visits[visit_id].windows)
            due = due.replace(tzinfo=scenario.zone) if due.tzinfo is None else due
            lateness.append(max(0.0, minutes(due, start)))
    return lateness
