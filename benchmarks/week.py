"""Weekly roster benchmarks (issue 4): the sample week, a synthetic week, continuity vs travel.

    python benchmarks/week.py sample --time-limit 90
    python benchmarks/week.py synthetic --visits-per-day 150 --caregivers 120 --time-limit 240
    python benchmarks/week.py tradeoff --time-limit 60 --weights 0,600,1800,5400
    python benchmarks/week.py synthetic --fairness-weight 0 --time-limit 240
    python benchmarks/week.py decomposition --visits-per-day 20 --caregivers 8 --time-limit 60
    python benchmarks/week.py synthetic --visits-per-day 2000 --caregivers 250 --time-limit 1800

Each run prints one markdown row: wall time (expansion, solve, validation), visits, travel,
continuity (mean distinct caregivers per client, main caregiver's share), overtime, workload
fairness (the spread, in points, between the highest and the lowest share of contracted time
worked), validator violations, and the peak memory of the largest process (this one or a
worker). ``--no-first-stage`` routes the days greedily, without the first stage that chooses
days and caregivers for the whole week.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler import check_roster  # noqa: E402
from scheduler.api import solve  # noqa: E402
from scheduler.io.plan_files import load_plan  # noqa: E402
from scheduler.plans.policy import load_policy  # noqa: E402
from scheduler.plans.week import (  # noqa: E402
    PlanInput,
    WeekResult,
    build_week,
    continuity,
    plan_week,
)
from scheduler.solve.params import SolveParams  # noqa: E402
from scheduler.synthetic import generate_day, week_plan  # noqa: E402

SAMPLE = ROOT / "data" / "samples" / "bayreuth-week" / "plan.json"
MONDAY = date(2026, 11, 30)
HEADER = (
    "| run | limit s | wall s | visits | assigned | travel h | distinct caregivers / client "
    "| main share | overtime h | workload spread pts | violations | peak MB |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(label: str, limit_s: float, wall_s: float, result: WeekResult) -> str:
    roster = result.roster
    kpis = roster.kpis
    assert kpis is not None
    continuity = result.continuity
    distinct = sum(c.distinct_caregivers for c in continuity) / max(1, len(continuity))
    main = sum(c.main_share for c in continuity) / max(1, len(continuity))
    spread = "-" if kpis.workload_spread_pct is None else f"{kpis.workload_spread_pct:.0f}"
    violations = len(check_roster(result.week.scenario, roster))
    peak_mb = max(  # this process or its largest worker process
        resource.getrusage(who).ru_maxrss / 1024
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return (
        f"| {label} | {limit_s:g} | {wall_s:.1f} | {kpis.visits_total} | {kpis.visits_assigned} "
        f"| {kpis.travel_min / 60:.1f} | {distinct:.2f} | {100 * main:.0f} % "
        f"| {kpis.overtime_min / 60:.1f} | {spread} | {violations} | {peak_mb:.0f} |"
    )


def with_fairness(plan: PlanInput, weight: int | None) -> PlanInput:
    """The plan with ``weights.workload_deviation_per_pct`` set (None: as the plan has it)."""
    if weight is None:
        return plan
    settings = plan.agency.settings
    weights = settings.weights.model_copy(update={"workload_deviation_per_pct": weight})
    agency = plan.agency.model_copy(
        update={"settings": settings.model_copy(update={"weights": weights})}
    )
    return plan.model_copy(update={"agency": agency})


def run(plan: PlanInput, label: str, limit_s: float, seed: int, first_stage: bool) -> str:
    started = time.monotonic()
    params = SolveParams(time_limit_s=limit_s, seed=seed)
    result = plan_week(plan, MONDAY, 7, params=params, first_stage=first_stage)
    label += "" if first_stage else " (no first stage)"
    return row(label, limit_s, time.monotonic() - started, result)


def one_model(plan: PlanInput, label: str, limit_s: float, seed: int) -> str:
    """The horizon as a single routing model (no decomposition), for comparison."""
    started = time.monotonic()
    week = build_week(plan, MONDAY, 7)
    roster = solve(week.scenario, params=SolveParams(time_limit_s=limit_s, seed=seed))
    result = WeekResult(week, roster, continuity(roster, week.history_caregivers), [])
    return row(label + " (one model)", limit_s, time.monotonic() - started, result)


def synthetic_plan(visits_per_day: int, caregivers: int, seed: int) -> PlanInput:
    day = generate_day(visits_per_day, caregivers, seed=seed)
    agency, records = week_plan(day, MONDAY, seed=seed)
    return PlanInput.model_validate({**records, "agency": agency, "policy": load_policy()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["sample", "synthetic", "tradeoff", "decomposition"])
    parser.add_argument("--time-limit", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--visits-per-day", type=int, default=150)
    parser.add_argument("--caregivers", type=int, default=120)
    parser.add_argument("--weights", default="0,600,1800,5400")
    parser.add_argument("--no-first-stage", dest="first_stage", action="store_false")
    parser.add_argument("--fairness-weight", type=int, help="workload_deviation_per_pct")
    args = parser.parse_args(argv)
    stage = args.first_stage
    fair = args.fairness_weight
    suffix = "" if fair is None else f", fairness weight {fair}"
    print(f"{date.today()} · {platform.machine()} · Python {platform.python_version()}")
    print(HEADER)
    if args.what == "sample":
        plan = with_fairness(load_plan(SAMPLE), fair)
        print(run(plan, "sample week" + suffix, args.time_limit, args.seed, stage), flush=True)
    elif args.what == "synthetic":
        plan = with_fairness(synthetic_plan(args.visits_per_day, args.caregivers, args.seed), fair)
        label = f"synthetic {args.visits_per_day}/day, {args.caregivers} caregivers{suffix}"
        print(run(plan, label, args.time_limit, args.seed, stage), flush=True)
    elif args.what == "decomposition":  # a week small enough for one model to work
        plan = with_fairness(synthetic_plan(args.visits_per_day, args.caregivers, args.seed), fair)
        label = f"synthetic {args.visits_per_day}/day, {args.caregivers} caregivers{suffix}"
        print(one_model(plan, label, args.time_limit, args.seed), flush=True)
        print(run(plan, label, args.time_limit, args.seed, stage), flush=True)
    else:
        base = with_fairness(load_plan(SAMPLE), fair)
        for weight in (int(w) for w in args.weights.split(",")):
            plan = base.model_copy(update={"continuity_weight": weight})
            print(
                run(plan, f"continuity weight {weight}", args.time_limit, args.seed, stage),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
