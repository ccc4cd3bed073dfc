"""The first stage cut into regions: a partition of caregivers and clients, choices kept inside
a region, the same week on one or two workers, and a lost region left to the day models.

Instance: the synthetic week of a 24-visit day with 8 caregivers, cut into regions of about 3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import pytest
from benchmarks.week import synthetic_plan

from scheduler import check_roster
from scheduler.api import travel_model_for
from scheduler.plans import regions
from scheduler.plans.assign import HorizonPlan
from scheduler.plans.week import build_week, plan_week
from scheduler.scale.workers import InlineWorkers
from scheduler.solve.params import SolveParams

MONDAY = date(2026, 11, 30)
PLAN = synthetic_plan(visits_per_day=24, caregivers=8, seed=2)
WEEK = build_week(PLAN, MONDAY, 7)


class _Losing:
    """Runs every task here except the first, which it loses."""

    count = 2

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any], on_done: Any = None) -> list[Any]:
        return [None if i == 0 else fn(t) for i, t in enumerate(tasks)]


def _first_stage(workers: Any) -> HorizonPlan:
    return regions.plan_horizon_by_region(
        WEEK.scenario,
        WEEK.horizon.dates(),
        PLAN.agency.clients,
        WEEK.history_caregivers,
        PLAN.continuity_weight,
        travel_model_for(WEEK.scenario),
        workers,
        time_limit_s=4,
        seed=1,
        deterministic=True,
    )


@pytest.fixture
def small_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regions, "REGION_CAREGIVERS", 3)
    monkeypatch.setattr(regions, "REGION_ABOVE_TASKS", 0)


def test_regions_hold_every_working_caregiver_and_served_client_once() -> None:
    cut = regions.regions(WEEK.scenario, 3, seed=1)
    caregivers = [c for members, _ in cut for c in members]
    clients = [k for _, ks in cut for k in ks]
    assert len(cut) >= 2
    assert sorted(caregivers) == sorted(c.id for c in WEEK.scenario.caregivers if c.shifts)
    assert sorted(clients) == sorted({v.client_id for v in WEEK.scenario.visits})
    assert all(2 <= len(members) <= 4 for members, _ in cut)


@pytest.mark.usefixtures("small_regions")
def test_a_client_gets_caregivers_of_its_own_region_and_a_lost_region_gets_none() -> None:
    cut = regions.regions(WEEK.scenario, 3, seed=1)
    whole = _first_stage(InlineWorkers())
    lossy = _first_stage(_Losing())
    region_of = {k: n for n, (_, ks) in enumerate(cut) for k in ks}
    members = [set(cs) for cs, _ in cut]
    assert whole.tasks_placed > 0
    for (client, _day), people in whole.caregivers_of.items():
        assert people <= members[region_of[client]]
    lost = {client for client, n in region_of.items() if n == 0}
    assert lost and not any(client in lost for client, _ in lossy.caregivers_of)
    kept = {key: v for key, v in whole.caregivers_of.items() if key[0] not in lost}
    assert lossy.caregivers_of == kept


@pytest.mark.usefixtures("small_regions")
def test_a_week_by_regions_is_valid_and_the_same_on_one_or_two_workers() -> None:
    def run(workers: int) -> Any:
        params = SolveParams(time_limit_s=20, seed=1, solution_limit=300, workers=workers)
        return plan_week(PLAN, MONDAY, 7, params=params)

    one, two = run(1), run(2)
    assert one.first_stage is not None and one.first_stage.tasks_placed > 0
    assert check_roster(one.week.scenario, one.roster) == []
    stops = [
        [(r.caregiver_id, s.visit_id, s.start) for r in result.roster.routes for s in r.stops]
        for result in (one, two)
    ]
    assert stops[0] == stops[1]
