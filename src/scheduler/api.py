"""The library face: what other systems call. Everything here is keyword-friendly and typed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scheduler.domain.model import Scenario, TravelModelName
from scheduler.scale import decompose
from scheduler.scale.workers import Workers
from scheduler.solution.roster import Roster
from scheduler.solution.validate import Violation, validate_roster
from scheduler.solve.params import SolveParams
from scheduler.solve.pipeline import solve_scenario
from scheduler.solve.routing import Progress
from scheduler.travel.base import TravelModel
from scheduler.travel.great_circle import GreatCircleTravel
from scheduler.travel.planar import PlanarTravel


def travel_model_for(
    scenario: Scenario, *, cache_dir: Path | str | None = "default"
) -> TravelModel:
    """The travel model a scenario asks for: great-circle with its detour factor by default,
    road travel on its map (built graphs and matrices cached in ``cache_dir``; None: no cache),
    or the travel times its matrix files give (MatrixError when they do not fit it)."""
    travel = scenario.settings.travel
    if travel.model is TravelModelName.ROAD and travel.map_file:
        from scheduler.travel.road import RoadTravel

        return RoadTravel(
            travel.map_file, walk_speed_kph=scenario.settings.walk_speed_kph, cache_dir=cache_dir
        )
    if travel.model is TravelModelName.PLANAR:
        return PlanarTravel()
    if travel.model is TravelModelName.MATRIX:
        from scheduler.io.matrix_files import matrix_travel

        return matrix_travel(scenario)
    return GreatCircleTravel(detour_factor=scenario.settings.detour_factor)


def solve(
    scenario: Scenario,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    solution_limit: int | None = None,
    travel: TravelModel | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    params: SolveParams | None = None,
    workers: Workers | None = None,
) -> Roster:
    """Build a validated roster. Never "no solution": visits that cannot be placed are listed
    in ``roster.unassigned`` with a reason. Raises SolverError only on an internal fault.
    ``workers`` (``scheduler.scale.workers``), when given, are the ones a large day is
    decomposed on instead of those ``params`` name: a caller solving many days shares one pool."""
    params = params or SolveParams(
        time_limit_s=time_limit_s, seed=seed, solution_limit=solution_limit
    )
    travel = travel or travel_model_for(scenario)
    if decompose.applies(scenario, params):  # a large day (scheduler.scale)
        return decompose.solve_decomposed(scenario, travel, params, on_progress, workers)
    return solve_scenario(scenario, travel, params, on_progress)


def check_roster(
    scenario: Scenario, roster: Roster, *, travel: TravelModel | None = None
) -> list[Violation]:
    """Every hard rule the roster breaks (independent of the optimiser); empty when valid."""
    return validate_roster(scenario, roster, travel or travel_model_for(scenario))
