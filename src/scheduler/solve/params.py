"""Search parameters, validated on construction."""

from __future__ import annotations

from dataclasses import dataclass

# The default search: ruin and recreate around OR-Tools' local search (solve/routing.py). Any
# OR-Tools LocalSearchMetaheuristic name (e.g. GUIDED_LOCAL_SEARCH) runs that one instead.
RUIN_AND_RECREATE = "RUIN_AND_RECREATE"

# Days of more stops (visit copies) than this are solved by decomposition (scheduler.scale):
# synthetic days gain from about 300 visits on, but Mankowska G (400 stops from one depot)
# lost services decomposed; docs/experiments.md, "Agency scale".
DECOMPOSE_ABOVE_STOPS = 400


MAX_TIME_LIMIT_S = 7 * 24 * 3600  # a week: beyond any roster, within what OR-Tools' durations hold


@dataclass(frozen=True, kw_only=True)
class SolveParams:
    """How hard and how to search.

    ``time_limit_s`` caps the wall time of the routing search; the exact stages after it take
    a little more (the timing, and on days that weigh the latest start the re-sequencing,
    capped at 5 % of the limit in CP-SAT's deterministic seconds). The search is deterministic
    for the same input and parameters when it stops on ``solution_limit`` or by itself; under a pure
    wall-clock limit, a slower or busier machine may stop it at another point (docs/concepts.md).
    ``seed`` seeds every randomised step of ours (the ruin steps, the timing model's CP-SAT
    search); OR-Tools' iterated local search, where it runs first, seeds its own ruin.
    ``solution_limit`` counts every solution the search passes through, over all its steps.
    ``first_solution`` names an OR-Tools FirstSolutionStrategy; ``None`` lets the engine choose
    by the problem's shape (``solve/routing.py::first_solution_strategy``).

    Large days (more than ``decompose_above_stops`` stops; None: never, 0: always) are solved by
    decomposition (``scheduler.scale``): parts of ``part_routes`` neighbouring caregivers'
    routes at a time, each solved by the search above, on ``workers`` local processes (None:
    one per core; 1: in this process) or on the Dask cluster at ``cluster``
    (``tcp://HOST:PORT``). There ``solution_limit`` bounds each part's search, and ``rounds``
    the passes over the day (None: until the time limit, or with a solution limit until a
    pass improves nothing): with both the roster is the same on any number of workers.
    """

    time_limit_s: float = 10.0
    seed: int = 0
    first_solution: str | None = None
    metaheuristic: str = RUIN_AND_RECREATE
    solution_limit: int | None = None
    log_search: bool = False
    decompose_above_stops: int | None = DECOMPOSE_ABOVE_STOPS
    part_routes: int = 12
    workers: int | None = None
    cluster: str | object | None = None  # an address, or a distributed.Client
    rounds: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.time_limit_s <= MAX_TIME_LIMIT_S:
            raise ValueError(
                f"time_limit_s must be positive and at most {MAX_TIME_LIMIT_S} (a week), "
                f"got {self.time_limit_s}"
            )
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError(f"solution_limit must be at least 1, got {self.solution_limit}")
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, got {self.seed}")
        if self.decompose_above_stops is not None and self.decompose_above_stops < 0:
            raise ValueError(
                f"decompose_above_stops must be non-negative, got {self.decompose_above_stops}"
            )
        if self.part_routes < 2:
            raise ValueError(f"part_routes must be at least 2, got {self.part_routes}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.rounds is not None and self.rounds < 1:
            raise ValueError(f"rounds must be at least 1, got {self.rounds}")
