"""Large days by decomposition: the day cut into parts of a few neighbouring routes, each part
solved by the single-day engine from its current routes, on parallel workers, pass after pass.

POPMUSIC-style (Taillard & Helsgaun 2019; Santini, Schneider, Vidal & Vigo, "Decomposition
strategies for vehicle routing heuristics", INFORMS J. Computing 2023): one routing model over
a whole day of thousands of stops finds little in minutes and needs gigabytes, while the
engine is strong on a hundred. Each pass partitions the caregivers into parts of about
``SolveParams.part_routes`` whose routes lie near one another (``parts.partition``, along other
lines each pass), offers each visit nobody serves to one part near one of its sparse
candidates (the eligible caregivers with the nearest homes), and solves every part at once:
the parts of a pass share no caregiver and no free visit, so they are independent. A part's
result replaces its routes only if the search's cost of the part (the day's objective
restricted to its routes and visits) went down and every held stop is where it was. The first
pass starts from an empty day, so it is the construction; later passes improve.

The memory of a part grows with the part (its own travel matrix); the day's is its routes and
each visit's few candidates, never a matrix over all places.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import time
from collections.abc import Callable

from scheduler.domain.model import Scenario
from scheduler.scale.part_solve import PartResult, solve_part
from scheduler.scale.parts import (
    DayState,
    Part,
    Plane,
    build_part,
    cut_parts,
    held_in_place,
    partition,
    restored,
    route_positions,
    sparse_candidates,
    tie_groups,
)
from scheduler.scale.workers import Workers, workers_for
from scheduler.solution.roster import Roster, Route, SolveInfo
from scheduler.solve.compile import first_day
from scheduler.solve.params import SolveParams
from scheduler.solve.pipeline import finish_roster
from scheduler.solve.routing import Progress
from scheduler.stop import stop_requested
from scheduler.travel.base import TravelModel

log = logging.getLogger(__name__)

# Under a time limit: each part's search gets its share of the limit for about
# TARGET_PASSES passes, within [MIN_PART_S, MAX_PART_S]; PART_OVERHEAD_S is what a part costs
# beyond its search (shipping, compiling, timing), and FINISH_SHARE of the limit is kept for
# the day's explanations, key figures and validation. Many short passes beat a few long ones
# (docs/experiments.md, "Agency scale": on the 500-visit day at 60 s, 2, 4, 8 and 16 passes
# served 371, 391, 399 and 407 visits): each pass offers the visits left out to other parts.
TARGET_PASSES = 16
MIN_PART_S = 1.0
MAX_PART_S = 30.0
PART_OVERHEAD_S = 0.3
FINISH_SHARE = 0.03


def applies(scenario: Scenario, params: SolveParams) -> bool:
    """Whether the day is solved by decomposition: more stops than the parameters' threshold."""
    if params.decompose_above_stops is None:
        return False
    stops = sum(v.caregivers_required for v in scenario.visits)
    return stops > params.decompose_above_stops


def solve_decomposed(
    scenario: Scenario,
    travel: TravelModel,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
    workers: Workers | None = None,
    initial: Roster | None = None,
) -> Roster:
    """A validated roster of a large day (see the module's docstring); ``workers`` overrides
    the ones ``params`` name. From ``initial`` (a roster of this day, its ``solve_info`` cost
    the search's), the passes improve it instead of building one."""
    if workers is not None:
        return _solve(scenario, travel, params, on_progress, workers, initial)
    with workers_for(params.workers, params.cluster) as pool:
        return _solve(scenario, travel, params, on_progress, pool, initial)


def _solve(
    scenario: Scenario,
    travel: TravelModel,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None,
    pool: Workers,
    initial: Roster | None,
) -> Roster:
    started = time.monotonic()
    deadline = started + params.time_limit_s * (1 - FINISH_SHARE)
    plane = Plane([c.home for c in scenario.caregivers] + [c.location for c in scenario.clients])
    candidates = sparse_candidates(scenario, plane)
    ties = tie_groups(scenario)
    weight = scenario.settings.weights.unassigned_per_priority
    state = DayState({})
    day_cost = sum(weight * v.priority * v.caregivers_required for v in scenario.visits)
    if initial is not None:
        for route in initial.routes:
            state.routes.setdefault(route.caregiver_id, []).append(route)
        assert initial.solve_info is not None
        day_cost = initial.solve_info.cost
    passes = parts_done = accepted = 0
    deterministic = params.solution_limit is not None

    while params.rounds is None or passes < params.rounds:
        positions = route_positions(scenario, state.routes, plane)
        groups = partition(positions, params.part_routes, random.Random(f"{params.seed}:{passes}"))
        if not groups:
            break
        first = passes == 0 and initial is None
        part_s = _part_time_s(params, len(groups), pool.count, deadline, first=first)
        if part_s is None:
            break
        free, _offered, held = cut_parts(
            scenario, state, groups, candidates, positions, plane, ties
        )
        parts = [
            build_part(
                scenario,
                state,
                members,
                free[i],
                held[i],
                travel,
                _part_params(params, part_s, passes, i),
            )
            for i, members in enumerate(groups)
            if free[i]
        ]
        report = _PassReport(on_progress, started, passes + 1, len(parts), parts_done)
        report.cost, report.visits_assigned = day_cost, len(state.servers())
        results = pool.run(solve_part, [p.task for p in parts], report.part_done)
        improved = False
        for part, result in zip(parts, results, strict=True):
            if _improves(part, result):
                assert result is not None and result.initial_cost is not None
                _apply(state, part, result)
                day_cost += result.cost - result.initial_cost
                improved = True
                accepted += 1
        parts_done += len(parts)
        passes += 1
        log.info(
            "pass %d: %d parts of %.1f s, %d improved so far, cost %d",
            passes,
            len(parts),
            part_s,
            accepted,
            day_cost,
        )
        if on_progress is not None:
            on_progress(
                Progress(
                    cost=day_cost,
                    elapsed_s=time.monotonic() - started,
                    solutions=parts_done,
                    parts_done=len(parts),
                    parts_total=len(parts),
                    visits_assigned=len(state.servers()),
                    pass_no=passes,
                )
            )
        if (deterministic and not improved) or time.monotonic() >= deadline or stop_requested():
            break

    order = {c.id: i for i, c in enumerate(scenario.caregivers)}
    routes = sorted(
        (r for rs in state.routes.values() for r in rs if r.stops),
        key=lambda r: (order[r.caregiver_id], r.departure),
    )
    info = SolveInfo(
        cost=day_cost,
        status=f"DECOMPOSED ({passes} passes, {parts_done} parts, {accepted} improved)",
        first_solution="DECOMPOSED",
        time_limit_s=params.time_limit_s,
        seed=params.seed,
        wall_s=round(time.monotonic() - started, 3),
    )
    return finish_roster(scenario, tuple(routes), info, first_day(scenario), travel)


class _PassReport:
    """Reports each part of a pass as it ends (the day's cost and visits as the pass began)."""

    def __init__(
        self,
        on_progress: Callable[[Progress], None] | None,
        started: float,
        pass_no: int,
        parts: int,
        parts_before: int,
    ) -> None:
        self.on_progress, self.started, self.pass_no = on_progress, started, pass_no
        self.parts, self.parts_before, self.done = parts, parts_before, 0
        self.cost, self.visits_assigned = 0, 0

    def part_done(self, _index: int) -> None:
        self.done += 1
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    cost=self.cost,
                    elapsed_s=time.monotonic() - self.started,
                    solutions=self.parts_before + self.done,
                    parts_done=self.done,
                    parts_total=self.parts,
                    visits_assigned=self.visits_assigned,
                    pass_no=self.pass_no,
                )
            )


def _part_time_s(
    params: SolveParams, parts: int, workers: int, deadline: float, *, first: bool
) -> float | None:
    """The search time of each part in the next pass, or None when no pass fits any more.

    With a solution limit the parts stop on it (the time limit only guards). The first pass
    always runs: it builds the roster."""
    if params.solution_limit is not None:
        left_s = deadline - time.monotonic()
        return max(left_s, MIN_PART_S) if first or left_s > 0 else None
    waves = math.ceil(parts / workers)
    nominal_s = params.time_limit_s * workers / (parts * TARGET_PASSES)
    fitting_s = (deadline - time.monotonic()) / waves - PART_OVERHEAD_S
    part_s = min(MAX_PART_S, max(MIN_PART_S, nominal_s), fitting_s)
    if part_s >= MIN_PART_S:
        return part_s
    return MIN_PART_S if first else None


def _part_params(params: SolveParams, part_s: float, pass_no: int, index: int) -> SolveParams:
    """The single-day search of one part: its time, its own seed, never decomposed again."""
    return dataclasses.replace(
        params,
        time_limit_s=part_s,
        seed=(params.seed * 1_000_003 + pass_no * 7_919 + index) % 2**31,
        decompose_above_stops=None,
        workers=1,
        cluster=None,
        rounds=None,
    )


def _improves(part: Part, result: PartResult | None) -> bool:
    """Whether a part's result replaces its routes: it came back, its search was given the
    part's routes, it costs less, and every held stop is where it was."""
    return (
        result is not None
        and result.initial_cost is not None
        and result.cost < result.initial_cost
        and held_in_place(result.routes, part.held)
    )


def _apply(state: DayState, part: Part, result: PartResult) -> None:
    routes: dict[str, list[Route]] = {c: [] for c in part.caregivers}
    for route in restored(result.routes, part.held):
        routes[route.caregiver_id].append(route)
    state.routes.update(routes)
