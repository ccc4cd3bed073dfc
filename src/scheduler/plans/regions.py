"""The first stage of a large horizon, region by region, on parallel workers.

One CP-SAT assignment model over an agency's week (13,819 tasks and 198,871 options on a week
of 2,000-visit days and 250 caregivers) places 1,919 tasks in 120 s: the model is too large for
its search (docs/benchmarks.md, "The week at scale"). Above ``REGION_ABOVE_TASKS`` tasks the
horizon is cut into regions: the caregivers by recursive bisection of their homes into groups
of about ``REGION_CAREGIVERS`` (``scale.parts.partition``), each client to the group of the
caregiver who lives nearest. Each region is then the first stage of a smaller agency, with its
own travel times, solved on the workers the day models use; the regions share no caregiver and
no client, so they are independent and their choices join without conflict.

What the cut gives up: a client's carers come from their own region (the first stage's
candidates are the nearest caregivers anyway), and workload fairness levels within a region.
The day models still route the whole day and may serve a client from another region.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from scheduler.domain.model import Client, Scenario
from scheduler.plans.assign import HorizonPlan, plan_horizon
from scheduler.scale.parts import Plane, partition
from scheduler.scale.workers import Workers
from scheduler.travel.base import TravelModel, profile_of
from scheduler.travel.matrix import MatrixTravel

log = logging.getLogger(__name__)

# Horizons of more tasks (caregivers a visit needs, summed) than this are cut into regions of
# about REGION_CAREGIVERS caregivers (docs/benchmarks.md, "The week at scale").
REGION_ABOVE_TASKS = 3_000
REGION_CAREGIVERS = 64
# What a region costs beyond its search (shipping, compiling the model), in seconds.
REGION_OVERHEAD_S = 2.0
MIN_REGION_S = 1.0


@dataclass(frozen=True)
class RegionTask:
    """One region's first stage, as plain data for a worker."""

    week: Scenario  # the region's caregivers, clients and visits
    days: tuple[date, ...]
    own_clients: tuple[Client, ...]
    familiar: dict[str, frozenset[str]]
    continuity_weight: int
    travel: MatrixTravel
    time_limit_s: float
    seed: int
    deterministic: bool


def plan_region(task: RegionTask) -> HorizonPlan:
    """The first stage of one region (a worker's function: one CP-SAT thread)."""
    return plan_horizon(
        task.week,
        task.days,
        task.own_clients,
        task.familiar,
        task.continuity_weight,
        task.travel,
        time_limit_s=task.time_limit_s,
        seed=task.seed,
        deterministic=task.deterministic,
        threads=1,
    )


def needs_regions(week: Scenario) -> bool:
    return sum(v.caregivers_required for v in week.visits) > REGION_ABOVE_TASKS


def regions(week: Scenario, size: int, seed: int) -> list[tuple[list[str], list[str]]]:
    """(caregiver ids, client ids) of each region: caregivers with a shift, by bisection of
    their homes into groups of about ``size``; each client with a visit, to the group of the
    caregiver living nearest."""
    plane = Plane([c.home for c in week.caregivers] + [c.location for c in week.clients])
    working = [c for c in week.caregivers if c.shifts]
    if not working:
        return []
    homes = {c.id: plane.xy(c.home) for c in working}
    groups = partition(homes, size, random.Random(f"regions {seed}"))
    group_of = {c: g for g, members in enumerate(groups) for c in members}
    ids = [c.id for c in working]
    home_xy = np.array([homes[c] for c in ids])
    served = {v.client_id for v in week.visits}
    out: list[tuple[list[str], list[str]]] = [(list(members), []) for members in groups]
    for client in week.clients:
        if client.id not in served:
            continue
        x, y = plane.xy(client.location)
        nearest = int(np.argmin((home_xy[:, 0] - x) ** 2 + (home_xy[:, 1] - y) ** 2))
        out[group_of[ids[nearest]]][1].append(client.id)
    return [(cs, ks) for cs, ks in out if ks]


def plan_horizon_by_region(
    week: Scenario,
    days: Sequence[date],
    own_clients: Sequence[Client],
    familiar: dict[str, frozenset[str]],
    continuity_weight: int,
    travel: TravelModel,
    workers: Workers,
    *,
    time_limit_s: float,
    seed: int,
    deterministic: bool = False,
) -> HorizonPlan:
    """The first stage of ``plan_horizon``, cut into regions (module docstring) and run on
    ``workers``; a region whose worker failed leaves its visits to the day models."""
    cut = regions(week, REGION_CAREGIVERS, seed)
    # Under a deterministic budget each region's does not depend on the workers (the same
    # choices on any number of them); under a wall-clock one, the regions run in waves.
    waves = len(cut) if deterministic else -(-len(cut) // workers.count)
    region_s = max(MIN_REGION_S, time_limit_s / max(1, waves) - REGION_OVERHEAD_S)
    tasks = [
        _region_task(
            week,
            days,
            own_clients,
            familiar,
            continuity_weight,
            travel,
            members,
            time_limit_s=region_s,
            seed=seed + n,
            deterministic=deterministic,
        )
        for n, members in enumerate(cut)
    ]
    plans = workers.run(plan_region, tasks)
    day_of_visit: dict[str, date] = {}
    caregivers_of: dict[tuple[str, date], frozenset[str]] = {}
    tasks_total = placed = 0
    for n, plan in enumerate(plans):
        if plan is None:
            log.warning("the first stage of region %d failed; the day models place its visits", n)
            continue
        day_of_visit.update(plan.day_of_visit)
        caregivers_of.update(plan.caregivers_of)
        tasks_total += plan.tasks
        placed += plan.tasks_placed
    return HorizonPlan(day_of_visit, caregivers_of, tasks_total, placed)


def _region_task(
    week: Scenario,
    days: Sequence[date],
    own_clients: Sequence[Client],
    familiar: dict[str, frozenset[str]],
    continuity_weight: int,
    travel: TravelModel,
    members: tuple[list[str], list[str]],
    *,
    time_limit_s: float,
    seed: int,
    deterministic: bool,
) -> RegionTask:
    caregiver_ids, client_ids = set(members[0]), set(members[1])
    caregivers = tuple(c for c in week.caregivers if c.id in caregiver_ids)
    clients = tuple(c for c in week.clients if c.id in client_ids)
    sub = week.model_copy(
        update={
            "name": f"{week.name} region",
            "caregivers": caregivers,
            "clients": clients,
            "visits": tuple(v for v in week.visits if v.client_id in client_ids),
        }
    )
    places = [c.home for c in caregivers] + [c.location for c in clients]
    profiles = sorted({profile_of(c, week.settings) for c in caregivers})
    return RegionTask(
        week=sub,
        days=tuple(days),
        own_clients=tuple(c for c in own_clients if c.id in client_ids),
        familiar={k: v for k, v in familiar.items() if k in client_ids},
        continuity_weight=continuity_weight,
        travel=MatrixTravel.of(travel, places, profiles),
        time_limit_s=time_limit_s,
        seed=seed,
        deterministic=deterministic,
    )
