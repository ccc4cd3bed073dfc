"""What a worker runs: one part of a day, solved by the single-day engine from its routes."""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.scale.parts import PartTask
from scheduler.solution.roster import Route
from scheduler.solve.pipeline import route_scenario


@dataclass(frozen=True)
class PartResult:
    """The part's new routes, and the search's cost of its routes before (None: the model
    rejected them) and after."""

    routes: tuple[Route, ...]
    initial_cost: int | None
    cost: int


def solve_part(task: PartTask) -> PartResult:
    day = route_scenario(task.scenario, task.travel, task.params, initial=task.initial)
    return PartResult(day.routes, day.result.initial_cost, day.result.cost)
