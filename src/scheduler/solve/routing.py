"""The OR-Tools routing adapter: the only module that imports ``ortools`` routing.

Build order as in the OR-Tools samples: manager -> model -> rules (transits, dimensions, ranges,
disjunctions) -> search parameters -> solve; then routes are extracted into plain tuples before
anything else looks at them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from scheduler.solve import pairs, ruin, rules, sequence
from scheduler.solve.compile import DependencyArc, Problem
from scheduler.solve.params import RUIN_AND_RECREATE, SolveParams
from scheduler.stop import stop_requested

# Ruin steps whose partial roster OR-Tools rejects, in a row, before the search gives up.
_MAX_FAILED_STEPS = 50
# Starting temperature of the acceptance rule, as a share of a mean arc's cost.
_START_TEMPERATURE_RATIO = 0.03
# Size range (stops) of tied days that start from local cheapest cost insertion
# (first_solution_strategy).
_COST_INSERTION_MIN_NODES = 60
_COST_INSERTION_MAX_NODES = 300
# Larger tied days, up to _COST_INSERTION_LONG_MAX_NODES stops, start from it too when the time
# limit gives at least _COST_INSERTION_LONG_S_PER_NODE seconds a stop (its construction took
# 50-65 s on Mankowska G's 400 stops).
_COST_INSERTION_LONG_MAX_NODES = 450
_COST_INSERTION_LONG_S_PER_NODE = 0.5
# Share of the time limit guided local search gets first where it helps (_starts_guided).
_GUIDED_SHARE = 0.5
# Share of the time limit OR-Tools' iterated local search gets first where it helps
# (_iterates_first), and the longest mean route (stops) at which it does.
_ITERATED_SHARE = 0.5
_ITERATED_MAX_MEAN_STOPS = 12.0
# OR-Tools' iterated local search: its SISR ruin (the same string removal as solve/ruin.py).
_ITERATED_MAX_STRING_LEN = 10
_ITERATED_MEAN_REMOVED = 10
_ITERATED_BYPASS = 0.01
# Days with dependent visits: ruin-and-recreate steps in the pinned model between two re-timings
# on the full one (_recreate_pinned), by the share of lateness in the first local optimum's cost
# (_pinned_plan).
_PINNED_STEPS = 4
_PINNED_STEPS_PUNCTUAL = 8
_PUNCTUAL_LATENESS_SHARE = 0.1
# Visits a ruin step cuts on average (solve/ruin.py): on punctual pinned days of up to
# _PUNCTUAL_SMALL_RUIN_MAX_NODES stops (measured up to 130) served in full, fewer than the
# default (_pinned_plan).
_PUNCTUAL_MEAN_REMOVED = 8
_PUNCTUAL_SMALL_RUIN_MAX_NODES = 150
# OR-Tools' local search operators that re-insert a whole route's or visit type's visits by
# cheapest insertion (on by default). The pinned model of a punctual day goes without them
# (_pinned_plan).
_INSERTION_LNS_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
)
# Days with dependent visits: the share by which the costliest route, ordered on its own, must
# beat its current order for a step to start from that order (_reorder_costliest).
_REORDER_MIN_GAIN = 0.05
# Days with soft windows of more than _CAPPED_FIRST_MIN_NODES stops: their search runs first
# on the day with a cap on lateness, stage by stage (the cap in seconds, the share of the time
# limit); then, if visits are still left out, for _PUT_BACK_SHARE of the time with only those
# allowed to start later than the last cap; then on the day as it is (_lateness_capped_first).
_LATENESS_STAGES = ((0, 0.4), (30 * 60, 0.1))
_PUT_BACK_SHARE = 0.1
_CAPPED_FIRST_MIN_NODES = 150
# The least time between two progress reports of one search.
_REPORT_EVERY_S = 0.25


@dataclass(frozen=True)
class Progress:
    """A new best roster found by the search (``solutions``: how many it has looked at). A
    decomposed solve (``scheduler.scale``) also says which pass over the day it is in, how
    many of that pass's parts are done, of how many, and how many visits the day's roster
    serves (``cost`` is the day's as the pass began, until its last part is done). One model's
    search says how many visits its best roster serves and how much it travels."""

    cost: int
    elapsed_s: float
    solutions: int
    parts_done: int | None = None
    parts_total: int | None = None
    visits_assigned: int | None = None
    pass_no: int | None = None
    travel_min: float | None = None


@dataclass(frozen=True)
class PinnedPlan:
    """How the ruin-and-recreate search of a day with dependent visits runs
    (:func:`_pinned_plan`): ``steps`` pinned steps between two re-timings, whether a step may
    start from the costliest route re-ordered on its own (``reorders``), and whether the
    pinned model's local search keeps OR-Tools' insertion LNS operators (``insertion_lns``);
    ``mean_removed``: the visits a ruin step cuts on average."""

    steps: int = _PINNED_STEPS
    reorders: bool = False
    insertion_lns: bool = True
    mean_removed: int = ruin.RuinParams().mean_removed


@dataclass(frozen=True)
class _Candidate:
    """A ruin-and-recreate step's roster: its routes, cost and, where it was timed on the day's
    model, the tied visits' starts there (:func:`_tied_starts`)."""

    routes: tuple[tuple[int, ...], ...]
    cost: int
    starts: dict[int, int] | None

    @classmethod
    def of(cls, ctx: rules.RoutingContext, solution: pywrapcp.Assignment, tied: bool) -> _Candidate:
        starts = _tied_starts(ctx, solution) if tied else None
        return cls(_extract_routes(ctx, solution), int(solution.ObjectiveValue()), starts)


# The "construction" of a search that starts from routes it is given (solve_routes).
GIVEN_ROUTES = "GIVEN_ROUTES"


@dataclass(frozen=True)
class RoutingResult:
    routes: tuple[tuple[int, ...], ...]  # per vehicle: node sequence (visit copies)
    cost: int
    status: str
    wall_s: float
    first_solution: str  # strategy that produced the first solution
    # The cost of the routes the search was given (None: none given, or the model rejected them).
    initial_cost: int | None = None


def build_model(problem: Problem) -> rules.RoutingContext:
    homes = [problem.num_nodes + v for v in range(problem.num_vehicles)]
    manager = pywrapcp.RoutingIndexManager(
        problem.num_nodes + problem.num_vehicles, problem.num_vehicles, homes, homes
    )
    routing = pywrapcp.RoutingModel(manager)
    ctx = rules.RoutingContext(
        problem=problem, manager=manager, routing=routing, bound_cost=pywrapcp.BoundCost
    )
    for rule in (*rules.HARD_RULES, *rules.SOFT_RULES):
        rule(ctx)
    return ctx


def _search_parameters(
    strategy: str,
    metaheuristic: str,
    time_limit_s: float,
    solution_limit: int | None,
    log_search: bool,
) -> pywrapcp.RoutingSearchParameters:
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    search.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
    )
    search.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solution_limit is not None:
        search.solution_limit = max(1, solution_limit)
        # A deterministic budget: no wall-clock cut inside the search either (OR-Tools stops
        # each LNS sub-search at lns_time_limit, 100 ms by default, which varies with load).
        search.lns_time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    search.log_search = log_search
    return search


class _Budget:
    """Wall time and solutions left, shared by every solve of one search; reports new bests."""

    def __init__(
        self,
        ctx: rules.RoutingContext,
        params: SolveParams,
        started: float,
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.ctx, self.params, self.started, self.on_progress = ctx, params, started, on_progress
        self.solutions = 0
        self.best_cost = 2**63
        self.first_cost: int | None = None
        self.reported_at = -_REPORT_EVERY_S

    def attach(self, ctx: rules.RoutingContext) -> None:
        """Count and report ``ctx``'s solutions here, and end its search on a requested stop
        (``scheduler.stop``: a limit OR-Tools checks as often as its own time limit)."""
        ctx.routing.AddAtSolutionCallback(self)
        ctx.routing.AddSearchMonitor(ctx.routing.solver().CustomLimit(stop_requested))

    def __call__(self) -> None:  # an at-solution callback of the routing model
        # Local search also passes through worse solutions; report improvements only, and
        # at most every _REPORT_EVERY_S (each report walks the routes).
        self.solutions += 1
        cost = int(self.ctx.routing.CostVar().Max())
        if self.first_cost is None:
            self.first_cost = cost
        if cost < self.best_cost:
            self.best_cost = cost
            elapsed = self.elapsed_s
            if self.on_progress is not None and elapsed - self.reported_at >= _REPORT_EVERY_S:
                self.reported_at = elapsed
                visits, travel_s = self._served()
                self.on_progress(
                    Progress(
                        cost,
                        elapsed,
                        self.solutions,
                        visits_assigned=visits,
                        travel_min=travel_s / 60,
                    )
                )

    def _served(self) -> tuple[int, float]:
        """Visits served and seconds travelled by the solution the search has just found."""
        problem, routing, manager = self.ctx.problem, self.ctx.routing, self.ctx.manager
        later = problem.later_copies
        visits, travel_s = 0, 0.0
        for v in range(problem.num_vehicles):
            table = problem.travel_s[problem.vehicle_profile[v]]
            home = at = problem.vehicle_location[v]
            index = routing.NextVar(routing.Start(v)).Value()
            while not routing.IsEnd(index):
                node = manager.IndexToNode(index)
                visits += node not in later
                place = problem.node_location[node]
                travel_s += float(table[at, place])
                at = place
                index = routing.NextVar(index).Value()
            travel_s += float(table[at, home])
        return visits, travel_s

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    @contextlib.contextmanager
    def counting(self, ctx: rules.RoutingContext) -> Iterator[None]:
        """Within: count the solutions of ``ctx``'s model (its at-solution callback must be this
        budget) instead of the day's model."""
        saved, self.ctx = self.ctx, ctx
        try:
            yield
        finally:
            self.ctx = saved

    @property
    def time_left_s(self) -> float:
        if stop_requested():
            return 0.0
        return self.params.time_limit_s - self.elapsed_s

    @property
    def solutions_left(self) -> int | None:
        limit = self.params.solution_limit
        return None if limit is None else limit - self.solutions

    @property
    def exhausted(self) -> bool:
        left = self.solutions_left
        return self.time_left_s <= 0.01 or (left is not None and left <= 0)

    def search_parameters(self, strategy: str, metaheuristic: str, share: float = 1.0) -> Any:
        """Parameters for the next solve: at most ``share`` of the whole time limit."""
        time_limit_s = min(self.time_left_s, share * self.params.time_limit_s)
        return _search_parameters(
            strategy,
            metaheuristic,
            max(time_limit_s, 0.01),
            self.solutions_left,
            self.params.log_search,
        )


@dataclass(frozen=True)
class SearchPlan:
    """Which search runs on a day: the one place that decides it (:func:`plan_search`)."""

    construction: str  # the OR-Tools first-solution strategy
    ruin_and_recreate: bool  # our loop after the first phase (else the caller's metaheuristic)
    pinned: bool  # the lags pinned in the ruin-and-recreate steps (_recreate_pinned)
    guided: bool  # guided local search first
    first_metaheuristic: str
    first_share: float  # of the time limit, for the first phase
    lateness_capped_first: bool = False  # stages of capped lateness first


def plan_search(problem: Problem, params: SolveParams) -> SearchPlan:
    """The search a day gets, by its shape; every choice with the measurement behind it in
    the docstring of the function named (docs/experiments.md has the runs):

    - **decomposition** into parts (``scheduler.scale``): more than
      ``decompose_above_stops`` stops; decided before this, by ``scale.decompose.applies``;
    - **construction**: local cheapest cost insertion on lag-tied days of 60-300 stops (450
      with half a second a stop), else parallel cheapest insertion
      (:func:`first_solution_strategy`);
    - **pinned search** (greedy descent, then ruin and recreate with the lags pinned): the
      same lag-tied days (:func:`_pins_lags`); how its steps run is chosen from the first
      local optimum's lateness and size (:func:`_pinned_plan`);
    - **guided local search** for half the time first, then ruin and recreate: soft windows
      or tied visits, where not pinned (:func:`_starts_guided`);
    - **OR-Tools' iterated local search** for half the time first: plain windows whose first
      local optimum has routes of at most 12 stops (:func:`_iterates_first`);
    - **lateness capped first**: on large days with soft windows, the search runs on the day
      with its windows hard, then with starts at most 30 min late, and only then on the day
      as it is, each stage from the last one's roster and planned by the entries above for
      its own time (:func:`_caps_lateness_first`);
    - **re-sequencing** and re-timing by CP-SAT after routing: days that weigh the latest
      start (``solve.resequence.applies``, in the pipeline).

    On every day with double-handed visits, each ruin-and-recreate step puts the ones it
    leaves out back whole first (:func:`_recreate_with_pairs`): not a choice by shape, the
    search's own moves cannot.

    A named ``params.first_solution`` replaces the construction; a named
    ``params.metaheuristic`` runs alone, in place of everything after it."""
    ruin_and_recreate = params.metaheuristic == RUIN_AND_RECREATE
    pinned = ruin_and_recreate and _pins_lags(problem, params.time_limit_s)
    guided = ruin_and_recreate and _starts_guided(problem) and not pinned
    if not ruin_and_recreate:
        first_metaheuristic = params.metaheuristic
    else:
        first_metaheuristic = "GUIDED_LOCAL_SEARCH" if guided else "GREEDY_DESCENT"
    # Greedy descent stops by itself (before a pinned search, at most half the time).
    first_share = _GUIDED_SHARE if guided or pinned else 1.0
    return SearchPlan(
        construction=first_solution_strategy(problem, params),
        ruin_and_recreate=ruin_and_recreate,
        pinned=pinned,
        guided=guided,
        first_metaheuristic=first_metaheuristic,
        first_share=first_share,
        lateness_capped_first=ruin_and_recreate and _caps_lateness_first(problem),
    )


def solve_routes(
    problem: Problem,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
    initial_routes: tuple[tuple[int, ...], ...] | None = None,
) -> RoutingResult:
    """Assign and sequence visits. Always returns routes (possibly with visits left out).

    Given ``initial_routes`` (per vehicle, its nodes in order), the search starts from them
    instead of a construction and never returns a costlier roster; the result's
    ``initial_cost`` is their cost (None if the model rejects them: then it constructs as
    usual). The decomposed solve (``scheduler.scale``) improves parts of a day this way.
    """
    started = time.monotonic()
    if problem.num_vehicles == 0 or problem.num_nodes == 0:
        empty = tuple(() for _ in range(problem.num_vehicles))
        given_cost = None if initial_routes is None else 0
        return RoutingResult(
            empty, 0, "TRIVIAL", time.monotonic() - started, "NONE", initial_cost=given_cost
        )

    plan = plan_search(problem, params)
    if plan.lateness_capped_first and initial_routes is None:
        return _lateness_capped_first(problem, params, on_progress, started)
    ruin_and_recreate, guided, pinned = plan.ruin_and_recreate, plan.guided, plan.pinned
    first_metaheuristic, first_share = plan.first_metaheuristic, plan.first_share
    # If the preferred construction finds nothing (it can fail on tightly tied visits), fall back
    # to the empty roster, which is always feasible because every visit may be left out.
    construction = plan.construction
    strategies: tuple[str, ...] = (construction, "ALL_UNPERFORMED")
    if initial_routes is not None:
        strategies = (GIVEN_ROUTES, *strategies)
    for strategy in strategies:
        ctx = build_model(problem)
        budget = _Budget(ctx, params, started, on_progress)
        budget.attach(ctx)
        if strategy == GIVEN_ROUTES:
            assert initial_routes is not None
            search = budget.search_parameters(construction, first_metaheuristic, first_share)
            solution = _descend_from(ctx, initial_routes, search)
        else:
            solution = ctx.routing.SolveWithParameters(
                budget.search_parameters(strategy, first_metaheuristic, first_share)
            )
        if solution is None:
            continue
        status = _status_name(ctx.routing.status())
        routes, cost = _extract_routes(ctx, solution), int(solution.ObjectiveValue())
        if ruin_and_recreate:
            starts, pinned_plan = None, PinnedPlan()
            if pinned:
                starts, pinned_plan = _tied_starts(ctx, solution), _pinned_plan(ctx, solution)
            if not guided and not pinned and _iterates_first(routes):
                restart = construction if strategy == GIVEN_ROUTES else strategy
                routes, cost = _iterated_local_search(ctx, routes, cost, budget, restart)
            routes, cost = _ruin_and_recreate(
                ctx, routes, cost, budget, params.seed, starts, pinned_plan
            )
        return RoutingResult(
            routes=routes,
            cost=cost,
            status=status,
            wall_s=time.monotonic() - started,
            first_solution=strategy,
            initial_cost=budget.first_cost if strategy == GIVEN_ROUTES else None,
        )
    raise RuntimeError("OR-Tools found no roster even with every visit left out")


def _lateness_capped_first(
    problem: Problem,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None,
    started: float,
) -> RoutingResult:
    """The search of a day with soft windows in stages (:func:`_caps_lateness_first` says where):
    for each of ``_LATENESS_STAGES`` (a cap on how late a start may be, a share of the time
    and of the solution limit) the day with that cap, each stage from the roster of the one
    before; then, if visits are still left out, ``_PUT_BACK_SHARE`` of the time in which only
    they may start as late as the day allows (every stop served keeps the last cap); then the
    day as it is for the rest of the time.

    Every roster of a capped day is one of the day's own: a later stage only puts back what the
    earlier ones left out, where its lateness is cheaper than leaving it out, and improves. The
    caps keep one visit put back from making a whole route late.
    """
    limit, used = params.solution_limit, 0
    routes: tuple[tuple[int, ...], ...] | None = None
    construction = ""  # the first stage's

    def stage(day: Problem, share: float | None) -> RoutingResult:  # share None: the rest
        nonlocal used, routes, construction
        elapsed_s = time.monotonic() - started
        left_s = params.time_limit_s - elapsed_s
        time_s = left_s if share is None else min(share * params.time_limit_s, left_s)
        solutions = None
        if limit is not None:
            solutions = max(1, limit - used if share is None else round(share * limit))
            used += solutions
        budget = dataclasses.replace(
            params, time_limit_s=max(time_s, 0.01), solution_limit=solutions
        )
        report = None if on_progress is None else _shifted(on_progress, elapsed_s)
        result = solve_routes(day, budget, report, routes)
        routes, construction = result.routes, construction or result.first_solution
        return result

    cap_s = 0
    for cap_s, share in _LATENESS_STAGES:
        cap_s = min(cap_s, problem.late_start_max_s)
        stage(dataclasses.replace(problem, late_start_max_s=cap_s), share)
    assert routes is not None
    served = {node for route in routes for node in route}
    if len(served) < problem.num_nodes:
        stage(_putting_back(problem, served, cap_s), _PUT_BACK_SHARE)
    result = stage(problem, None)
    return dataclasses.replace(
        result,
        wall_s=time.monotonic() - started,
        first_solution=f"{construction}, lateness capped first",
        initial_cost=None,
    )


def _putting_back(problem: Problem, served: set[int], cap_s: int) -> Problem:
    """``problem`` with every node of ``served`` at most ``cap_s`` late and every other node as
    late as the day allows: a node put back makes no stop but itself later than the cap."""
    caps = np.full(problem.num_nodes, problem.late_start_max_s, dtype=np.int64)
    caps[sorted(served)] = cap_s
    return dataclasses.replace(problem, node_late_start_max_s=caps)


def _shifted(
    on_progress: Callable[[Progress], None], offset_s: float
) -> Callable[[Progress], None]:
    """``on_progress`` for a stage that starts ``offset_s`` into the search."""

    def report(p: Progress) -> None:
        on_progress(dataclasses.replace(p, elapsed_s=p.elapsed_s + offset_s))

    return report


def _descend_from(
    ctx: rules.RoutingContext,
    routes: tuple[tuple[int, ...], ...],
    search: pywrapcp.RoutingSearchParameters,
) -> pywrapcp.Assignment | None:
    """The search of ``search`` from ``routes`` (the model's first solution is theirs), or None
    if the model rejects them."""
    ctx.routing.CloseModelWithParameters(search)
    start = ctx.routing.solver().Assignment()
    if not ctx.routing.RoutesToAssignment([list(r) for r in routes], True, True, start):
        return None
    return ctx.routing.SolveFromAssignmentWithParameters(start, search)


def _pinned_model(
    problem: Problem,
    routes: Sequence[Sequence[int]],
    starts: dict[int, int],
    budget: _Budget,
    insertion_lns: bool = True,
) -> rules.RoutingContext:
    """The day's model with every lag-tied visit's start held near ``starts`` instead of the
    lags (closed; its at-solution callback is ``budget``; without OR-Tools' insertion LNS
    operators unless ``insertion_lns``).

    Each dependent visit served in ``routes`` and the visit it depends on get ranges around
    their starts that keep the lag whatever starts they take within them (:func:`lag_pins`).
    OR-Tools' move filters see the ranges, where the lag constraints are invisible to them and
    make most moves fail in constraint propagation (docs/experiments.md, "Mankowska"), so the
    model searches at the speed of an untied day, and every roster it finds keeps the lags.
    A lag with a visit left out of ``routes`` stays a constraint, as in the day's model, so
    the search may still serve that visit (on Mankowska G7 the construction left tied
    services out, and forbidding them kept one out to the end).
    """
    served = {node for route in routes for node in route}
    both_served = [a for a in problem.dependencies if {a.earlier, a.later} <= served]
    open_arcs = tuple(a for a in problem.dependencies if not {a.earlier, a.later} <= served)
    pinned = build_model(dataclasses.replace(problem, dependencies=open_arcs))
    for node, (lo, hi) in lag_pins(both_served, starts, problem.horizon_s).items():
        pinned.time.CumulVar(pinned.index(node)).SetRange(lo, hi)
    budget.attach(pinned)
    # RoutesToAssignment needs a closed model; the operators are the ones closed with.
    search = budget.search_parameters("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT")
    if not insertion_lns:
        for operator in _INSERTION_LNS_OPERATORS:
            setattr(search.local_search_operators, operator, optional_boolean_pb2.BOOL_FALSE)
    pinned.routing.CloseModelWithParameters(search)
    return pinned


def _pinned_plan(ctx: rules.RoutingContext, solution: pywrapcp.Assignment) -> PinnedPlan:
    """How the pinned search runs (:func:`_recreate_pinned`), by whether the first local
    optimum is nearly punctual (lateness below ``_PUNCTUAL_LATENESS_SHARE`` of its cost).

    Measured on Mankowska at 60 s (docs/experiments.md):
    - on the nearly punctual days (E2: 0.2 % of the cost), twice the pinned steps narrowed the
      spread (E2 over seeds 1-6: 5.1-7.0 % against 1.6-11.6 %), and without the insertion LNS
      operators a pinned step is about a quarter faster (they cost 0.16 s of a 0.2 s step
      at a local optimum of E2), and ruin steps of 8 visits on average instead of 15 took
      E2, E3, E9 (seeds 1-4) from 6.86, 5.54, 4.06 % to 5.53, 5.52, 1.67 % mean gap (25:
      9.10, 5.78, 5.66 %), on days of up to ``_PUNCTUAL_SMALL_RUIN_MAX_NODES`` stops (not
      measured on F's 260) whose first local optimum serves every visit (on the over-full
      sample day, which leaves about 20 out, it left two more out at 8 s);
    - where lateness weighs (D1: 38 %), the re-timings are what move late tied visits:
      spacing them twice as far made it worse (D1 8.7-25.3 % against 1.1-13.0 %), and the
      costliest route re-ordered on its own pays (:func:`_reorder_costliest`), up to
      ``_COST_INSERTION_MAX_NODES`` stops: on Mankowska G1 at 300 s (400 stops) the first
      re-ordering took 11 s and the pinned step from it ran out the remaining 139 s (its
      descent with the partners' lags as constraints), leaving the first local optimum.
    """
    problem = ctx.problem
    performed = [
        solution.Value(ctx.routing.NextVar(ctx.index(node))) != ctx.index(node)
        for node in range(problem.num_nodes)
    ]
    small = all(performed) and problem.num_nodes <= _PUNCTUAL_SMALL_RUIN_MAX_NODES
    punctual = PinnedPlan(
        _PINNED_STEPS_PUNCTUAL,
        reorders=False,
        insertion_lns=False,
        mean_removed=_PUNCTUAL_MEAN_REMOVED if small else PinnedPlan.mean_removed,
    )
    reorders = problem.num_nodes <= _COST_INSERTION_MAX_NODES
    late = PinnedPlan(_PINNED_STEPS, reorders=reorders, insertion_lns=True)
    cost = solution.ObjectiveValue()
    if cost <= 0 or not problem.lateness_weight:
        return punctual
    copies = problem.later_copies
    late_s = 0
    for node in range(problem.num_nodes):
        if node in copies or not performed[node]:
            continue  # a later copy carries no lateness; a visit left out has no start
        start_s = solution.Value(ctx.time.CumulVar(ctx.index(node)))
        late_s += max(0, start_s - problem.node_windows_s[node][-1][1])
    late_share = problem.lateness_weight * late_s / cost
    return punctual if late_share < _PUNCTUAL_LATENESS_SHARE else late


def _reorder_costliest(
    costs: sequence.RouteCosts,
    routes: tuple[tuple[int, ...], ...],
    tied: dict[int, tuple[int, ...]],
    rng: random.Random,
    settled: set[tuple[int, ...]],
) -> list[list[int]] | None:
    """``routes`` with the route costliest on its own re-ordered on its own
    (``solve/sequence.py``) and its lag partners on other routes taken out, for the search to
    put back where the lags allow; None unless that order beats the current one by
    ``_REORDER_MIN_GAIN`` (orders found not to are added to ``settled`` and not tried again).

    Measured on Mankowska D1 at 60 s (docs/experiments.md): the one caregiver with skill s1
    serves 14 visits, and the order of that route decides the day. Ruin steps move its tied
    visits one string at a time, each held to its partners' starts, and most seeds stayed
    behind an order that a single-machine search improves by a quarter. Only for late days
    (the caller's choice): on the nearly punctual D2 the order alone, blind to the ties, was
    "better" at every step and every such step came back worse.
    """
    alone = [costs.cost(v, route) if len(route) >= 3 else 0 for v, route in enumerate(routes)]
    v = max(range(len(routes)), key=lambda u: alone[u])
    if alone[v] <= 0 or routes[v] in settled:
        return None
    order, cost = sequence.best_order(costs, v, routes[v], rng)
    if cost > (1 - _REORDER_MIN_GAIN) * alone[v]:
        settled.add(routes[v])
        return None
    partners = {other for node in order for other in tied.get(node, ())} - set(order)
    return [
        list(order) if u == v else [n for n in route if n not in partners]
        for u, route in enumerate(routes)
    ]


def _tied_starts(ctx: rules.RoutingContext, solution: pywrapcp.Assignment) -> dict[int, int]:
    """The start (seconds) in ``solution`` of every visit in a dependency."""
    arcs = ctx.problem.dependencies
    nodes = {node for arc in arcs for node in (arc.earlier, arc.later)}
    return {node: int(solution.Value(ctx.time.CumulVar(ctx.index(node)))) for node in nodes}


def lag_pins(
    arcs: list[DependencyArc], times: dict[int, int], far_s: int
) -> dict[int, tuple[int, int]]:
    """Start ranges around ``times`` (node: start) within which the lags of ``arcs`` hold
    (``far_s``: beyond any start, for a lag without maximum).

    A lag ``later - earlier in [min, max]`` whose starts are ``d`` apart has ``d - min`` to
    spare one way and ``max - d`` the other; each of the two visits takes half of each, so
    that any two starts within their ranges keep the lag. A visit with several lags takes the
    narrowest range.
    """
    pins = {node: (-far_s, far_s) for node in times}
    for arc in arcs:
        gap = times[arc.later] - times[arc.earlier]
        closer = (gap - arc.min_lag_s) // 2  # how far the two may draw together, each
        apart = far_s if arc.max_lag_s is None else (arc.max_lag_s - gap) // 2
        for node, earlier_by, later_by in (
            (arc.earlier, apart, closer),
            (arc.later, closer, apart),
        ):
            lo, hi = pins[node]
            pins[node] = (max(lo, times[node] - earlier_by), min(hi, times[node] + later_by))
    return pins


def _iterated_local_search(
    ctx: rules.RoutingContext,
    routes: tuple[tuple[int, ...], ...],
    cost: int,
    budget: _Budget,
    strategy: str,
) -> tuple[tuple[tuple[int, ...], ...], int]:
    """OR-Tools' own iterated local search for ``_ITERATED_SHARE`` of the time; returns the
    better of its roster and the given one.

    Its steps are ruin (SISR strings) and recreate by cheapest insertion, without a descent
    after each, all in C++: thousands of steps where the loop in :func:`_ruin_and_recreate`
    makes a hundred. It cannot start from given routes, so it starts from ``strategy`` again
    (the given roster is its construction plus one descent: cheap to lose).
    """
    search = budget.search_parameters(strategy, "GREEDY_DESCENT", _ITERATED_SHARE)
    search.use_iterated_local_search = True
    iterated = search.iterated_local_search_parameters
    iterated.improve_perturbed_solution = False
    ruin_recreate = iterated.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    sisr = ruin_recreate.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size = _ITERATED_MAX_STRING_LEN
    sisr.avg_num_removed_visits = _ITERATED_MEAN_REMOVED
    sisr.bypass_factor = _ITERATED_BYPASS
    ruin_recreate.recreate_strategy.heuristic = (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    )
    annealing = iterated.reference_solution_acceptance_strategy.simulated_annealing
    annealing.automatic_temperatures = True
    # Only SolveWithIteratedLocalSearch engages it: SolveWithParameters with
    # use_iterated_local_search stops at the first local optimum (OR-Tools 9.15).
    solution = ctx.routing.SolveWithIteratedLocalSearch(search)
    return _better(ctx, solution, routes, cost)


def _ruin_and_recreate(
    ctx: rules.RoutingContext,
    routes: tuple[tuple[int, ...], ...],
    cost: int,
    budget: _Budget,
    seed: int,
    starts: dict[int, int] | None = None,
    plan: PinnedPlan = PinnedPlan(),
) -> tuple[tuple[tuple[int, ...], ...], int]:
    """Ruin and recreate until the budget is spent; returns the best routes and their cost.

    Each step cuts strings of stops out of the current roster (``solve/ruin.py``), restores the
    rest as a partial roster, and lets a greedy local search put the visits back and polish the
    routes (its insertion moves see the cut visits as left out, hence very costly). The step's
    result replaces the current roster under simulated-annealing acceptance. Given ``starts``
    (the dependent visits' starts in ``routes``), each step recreates with the lags pinned
    instead (:func:`_recreate_pinned`, as ``plan`` says), and where ``plan.reorders`` a step
    starts from the costliest route re-ordered on its own where that pays
    (:func:`_reorder_costliest`).
    """
    problem = ctx.problem
    rng = random.Random(seed)
    n = problem.num_nodes
    travel_s = problem.node_travel_s(0)[:n, :n]
    neighbours = ruin.neighbours_by_travel(travel_s)
    tied = _tied_nodes(problem)
    # Local search inserts one node at a time, so a visit of several copies taken out comes
    # back only where it is put back whole (solve/pairs.py, two copies): the copies of larger
    # ones stay in place (other moves still shift them).
    keep = frozenset(node for group in problem.sync_groups if len(group) > 2 for node in group)
    ruin_params = ruin.RuinParams(mean_removed=plan.mean_removed)

    def cut(whole: tuple[tuple[int, ...], ...]) -> list[list[int]]:
        return ruin.string_removal(whole, neighbours, rng, tied, ruin_params, keep=keep)[0]

    # Start at a few percent of a mean arc's cost, as OR-Tools' own automatic temperatures do.
    start_temp = _START_TEMPERATURE_RATIO * problem.travel_weight * float(travel_s.mean())
    best_routes, best_cost = routes, cost
    failures_in_a_row = 0
    settled: set[tuple[int, ...]] = set()
    reorder_rng = random.Random(seed)  # its own stream: the ruin's stays as it was without it
    route_costs = sequence.RouteCosts(problem)
    while not budget.exhausted and failures_in_a_row < _MAX_FAILED_STEPS:
        candidate: _Candidate | None
        if starts is None:
            solution = _recreate_with_pairs(ctx, cut(routes), budget, route_costs)
            candidate = None if solution is None else _Candidate.of(ctx, solution, tied=False)
        else:
            reordered = None
            if plan.reorders:
                reordered = _reorder_costliest(route_costs, routes, tied, reorder_rng, settled)
            candidate = _recreate_pinned(
                ctx, routes, starts, budget, cut, plan, reordered, route_costs
            )
        if candidate is None:
            failures_in_a_row += 1
            continue
        failures_in_a_row = 0
        progress = budget.elapsed_s / budget.params.time_limit_s
        if ruin.accept(candidate.cost, cost, ruin.temperature(start_temp, progress), rng):
            routes, cost = candidate.routes, candidate.cost
            if candidate.starts is not None:
                starts = candidate.starts
            if cost < best_cost:
                best_routes, best_cost = routes, cost
    return best_routes, best_cost


def _recreate(
    ctx: rules.RoutingContext,
    routes: list[list[int]] | tuple[tuple[int, ...], ...],
    budget: _Budget,
) -> pywrapcp.Assignment | None:
    """A greedy descent of ``ctx``'s model from ``routes`` (visits not in them left out), or
    None if the model rejects them.

    RoutesToAssignment only sets the successors; the solve then finds the times. (Reading the
    routes back with ReadAssignmentFromRoutes fails on tied visits: propagation alone cannot
    place their times.)
    """
    start = ctx.routing.solver().Assignment()
    if not ctx.routing.RoutesToAssignment(list(routes), True, True, start):
        return None
    return ctx.routing.SolveFromAssignmentWithParameters(
        start, budget.search_parameters("PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT")
    )


def _recreate_with_pairs(
    ctx: rules.RoutingContext,
    routes: list[list[int]],
    budget: _Budget,
    costs: sequence.RouteCosts,
) -> pywrapcp.Assignment | None:
    """:func:`_recreate` from ``routes`` with the double-handed visits they leave out put in
    whole where their copies fit together (``solve/pairs.py``: the search's own moves insert one
    copy at a time, which the rule that both are served rejects); from ``routes`` as they are
    where none fits or the model finds no times for them."""
    if ctx.problem.sync_groups:
        whole = pairs.insert_pairs(costs, routes, _start_ranges(ctx))
        if whole != routes:
            solution = _recreate(ctx, whole, budget)
            if solution is not None:
                return solution
    return _recreate(ctx, routes, budget)


def _start_ranges(ctx: rules.RoutingContext) -> list[tuple[int, int]]:
    """Per node, the range its start has in ``ctx``'s model (windows, pins)."""
    cumuls = [ctx.time.CumulVar(ctx.index(n)) for n in range(ctx.problem.num_nodes)]
    return [(int(c.Min()), int(c.Max())) for c in cumuls]


def _recreate_pinned(
    ctx: rules.RoutingContext,
    routes: tuple[tuple[int, ...], ...],
    starts: dict[int, int],
    budget: _Budget,
    cut: Callable[[tuple[tuple[int, ...], ...]], list[list[int]]],
    plan: PinnedPlan = PinnedPlan(),
    reordered: list[list[int]] | None = None,
    costs: sequence.RouteCosts | None = None,
) -> _Candidate | None:
    """One ruin-and-recreate step of a day with dependent visits: ``plan.steps`` steps in
    the pinned model (:func:`_pinned_model`, the starts held near ``starts``), each kept if
    cheaper, then a greedy descent of the full model from the result, which re-times it: there
    a tied pair may move earlier or later together, which the pins forbid. If the time runs
    out before the re-timing, the pinned model's best roster is the step's result as it is
    (it keeps every lag; on Mankowska G2 at 300 s pinned steps took 37-47 s, and the whole
    pinned search was lost at the deadline). Given ``reordered``
    (:func:`_reorder_costliest`), the first step recreates from it instead of a ruin of
    ``routes``, in a pinned model built around it (the lags of the visits it leaves out are
    constraints there, so the re-ordered route's tied visits are free to move).

    Measured on Mankowska at 60 s (docs/experiments.md): a step of the full model alone takes
    about 10 s on D1 (a few hundred moves, each checked against the lags in constraint
    propagation), a pinned step 0.25 s and the re-timing 2-3 s. Searching the pinned model
    alone held late starts where they were (D1 28 %).
    """
    around = routes if reordered is None else reordered
    pinned = _pinned_model(ctx.problem, around, starts, budget, plan.insertion_lns)
    best: tuple[tuple[int, ...], ...] | None = None
    best_cost = 0
    with budget.counting(pinned):
        for step in range(plan.steps):
            if budget.exhausted:
                break
            if step == 0 and reordered is not None:
                ruined = reordered
            else:
                ruined = cut(routes if best is None else best)
            if costs is None:
                solution = _recreate(pinned, ruined, budget)
            else:
                solution = _recreate_with_pairs(pinned, ruined, budget, costs)
            if solution is not None and (best is None or solution.ObjectiveValue() < best_cost):
                best, best_cost = _extract_routes(pinned, solution), int(solution.ObjectiveValue())
    if best is None:
        return None
    if budget.exhausted:
        return _Candidate(best, best_cost, starts=None)
    solution = _recreate(ctx, best, budget)
    return None if solution is None else _Candidate.of(ctx, solution, tied=True)


def first_solution_strategy(problem: Problem, params: SolveParams) -> str:
    """The construction the search starts from: the caller's, else by the problem's shape.

    Measured (docs/experiments.md, "Mankowska"): with visits tied across routes by a lag
    (dependent visits), parallel cheapest insertion leaves tied visits out that the search then
    spends its time putting back. Local cheapest cost insertion, which weighs every insertion by
    the whole objective, placed every visit of the Mankowska D, E and F instances measured and
    starts far cheaper, but its time grows steeply (1 s for 130 stops, 6 s for 260, 50-65 s
    for 400, 26 s for the 528-stop synthetic day). Above ``_COST_INSERTION_MAX_NODES`` stops
    (unless the time limit is long: :func:`_pins_lags`), and without ties, parallel cheapest
    insertion starts: it is best on Solomon, and on the synthetic day the faster local cheapest
    insertion served fewer visits (351 against 359 at 10 s). Below
    ``_COST_INSERTION_MIN_NODES`` stops it starts too: on small days the search soon puts the
    left-out visits back (Mankowska A and B, 13 and 33 stops).
    """
    if params.first_solution is not None:
        return params.first_solution
    if _pins_lags(problem, params.time_limit_s):  # the same days
        return "LOCAL_CHEAPEST_COST_INSERTION"
    return "PARALLEL_CHEAPEST_INSERTION"


def _pins_lags(problem: Problem, time_limit_s: float) -> bool:
    """Whether a day with dependent visits searches with the lags pinned
    (:func:`_recreate_pinned`) after a greedy descent, instead of guided local search from the
    start.

    Measured on Mankowska at 60 s (docs/experiments.md): on D and E (98 and 130 stops, started
    by local cheapest cost insertion) pins cut the gap sharply. On C (65 stops) the other
    search (guided local search, then ruin and recreate on the full model) lands C1 in one of
    two basins (0.03 % or 17-30 %); this one holds C1 at 4.4-5.3 % (revision 12), and the
    re-sequencing after it (solve/resequence.py) takes C5 from 8.99 % to 0.56 %. Hence the
    same days as the cost-insertion start (:func:`first_solution_strategy`).
    Above ``_COST_INSERTION_MAX_NODES`` stops only with time for that start: on Mankowska G
    (400 stops) at 300 s the other search left a service out on every instance, this one
    served them all.
    """
    n = problem.num_nodes
    if not problem.dependencies or n < _COST_INSERTION_MIN_NODES:
        return False
    if n <= _COST_INSERTION_MAX_NODES:
        return True
    return n <= _COST_INSERTION_LONG_MAX_NODES and (
        time_limit_s >= _COST_INSERTION_LONG_S_PER_NODE * n
    )


def _starts_guided(problem: Problem) -> bool:
    """Whether guided local search runs first (``_GUIDED_SHARE`` of the time), then ruin and
    recreate.

    Measured (docs/experiments.md): on plain time windows, ruin and recreate from the first
    local optimum is best; with soft windows or tied visits (double-handed, dependent), half the
    time in guided local search first and the rest in ruin and recreate beats either alone.
    """
    return bool(problem.sync_groups or problem.dependencies) or _soft_windows(problem)


def _caps_lateness_first(problem: Problem) -> bool:
    """Whether the search runs on the day with its lateness capped first
    (:func:`_lateness_capped_first`): soft windows, more than ``_CAPPED_FIRST_MIN_NODES`` stops.

    Measured on Mankowska at 300 s (docs/experiments.md, "Lateness capped first"): the day's
    own search starts from a roster whose lateness it never removes (G1: 8,324 min of
    tardiness, 207 % above the best known; G4 323 %). With the windows hard, OR-Tools' time
    dimension prunes late insertions instead of pricing them: G4's hard day served 397 of 400
    stops on time in 120 s. Put back with no cap, one service left out made whole routes late
    (G4 648 %: the penalty of a visit out outweighs 25,000 min of lateness); with starts at
    most 30 min late for a tenth of the time, all 400 went in and the day ended at 11.3 %.
    Where a service still could not go in within 30 min, the day as it is put it in at any
    cost (G1: 1,748 min late, 58 %; G3: 425 min, 29.7 %); put back first with only itself
    late, G1 ended at 13.3 % and G3 at 10.8 % (docs/experiments.md, "Put back").
    Not measured on A-E (at most 130 stops), which keep their search.
    """
    return _soft_windows(problem) and problem.num_nodes > _CAPPED_FIRST_MIN_NODES


def _soft_windows(problem: Problem) -> bool:
    """Whether visits may start late, at a cost."""
    return problem.lateness_weight > 0 and problem.late_start_max_s > 0


def _iterates_first(routes: tuple[tuple[int, ...], ...]) -> bool:
    """Whether OR-Tools' iterated local search runs before the ruin-and-recreate loop (on
    plain windows; ``_starts_guided`` covers the rest).

    Measured on Solomon at 30 s (docs/experiments.md): on short routes (R1, RC1: 8 stops a
    route) half the time in it first cut the mean gap of eight R1/RC1 instances from 2.64 % to
    1.58 %; on long routes (R2: 14 and more) it made R201 and R205 worse (1.9 % against 0.7 %).
    The first local optimum's mean route length tells them apart.
    """
    used = [len(route) for route in routes if route]
    return bool(used) and sum(used) / len(used) <= _ITERATED_MAX_MEAN_STOPS


def _tied_nodes(problem: Problem) -> dict[int, tuple[int, ...]]:
    """Per tied node, every node that must leave the roster with it in a ruin step: its whole
    connected group under "same visit" (sync copies) and "dependency" links, transitively."""
    links: dict[int, set[int]] = {}
    pairs = [(g[0], other) for g in problem.sync_groups for other in g[1:]]
    pairs += [(arc.earlier, arc.later) for arc in problem.dependencies]
    for a, b in pairs:
        links.setdefault(a, set()).add(b)
        links.setdefault(b, set()).add(a)
    tied: dict[int, tuple[int, ...]] = {}
    for node in links:
        if node in tied:
            continue
        group, frontier = {node}, [node]
        while frontier:
            for other in links[frontier.pop()] - group:
                group.add(other)
                frontier.append(other)
        for member in group:
            tied[member] = tuple(sorted(group - {member}))
    return tied


def _better(
    ctx: rules.RoutingContext,
    solution: pywrapcp.Assignment | None,
    routes: tuple[tuple[int, ...], ...],
    cost: int,
) -> tuple[tuple[tuple[int, ...], ...], int]:
    """``solution``'s routes and cost if it is cheaper than ``cost``, else ``routes`` and
    ``cost``."""
    if solution is None or int(solution.ObjectiveValue()) >= cost:
        return routes, cost
    return _extract_routes(ctx, solution), int(solution.ObjectiveValue())


def _extract_routes(
    ctx: rules.RoutingContext, solution: pywrapcp.Assignment
) -> tuple[tuple[int, ...], ...]:
    routing, manager = ctx.routing, ctx.manager
    routes = []
    for v in range(ctx.problem.num_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        nodes = []
        while not routing.IsEnd(index):
            nodes.append(int(manager.IndexToNode(index)))
            index = solution.Value(routing.NextVar(index))
        routes.append(tuple(nodes))
    return tuple(routes)


def _status_name(status: int) -> str:
    names = {
        0: "NOT_SOLVED",
        1: "SUCCESS",
        2: "PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
        3: "FAIL",
        4: "FAIL_TIMEOUT",
        5: "INVALID",
        6: "INFEASIBLE",
        7: "OPTIMAL",
    }
    return names.get(int(status), str(status))
