"""`scheduler plan`: expand care plans over a horizon and build its roster."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    ClusterOption,
    MapOption,
    OutOption,
    QuietOption,
    SeedOption,
    SolutionLimitOption,
    TimeLimitOption,
    TravelOption,
    WorkersOption,
    exit_on_bad_input,
    progress_printer,
    solve_params,
)
from scheduler.io.plan_files import format_week_summary, load_plan, write_week
from scheduler.plans.week import plan_week


def plan(
    plan_file: Annotated[
        Path, typer.Argument(metavar="PLAN", help="Plan file (.json) naming the agency scenario.")
    ],
    start: Annotated[
        datetime, typer.Option("--start", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD).")
    ],
    days: Annotated[int, typer.Option("--days", min=1, max=31, help="Days in the horizon.")] = 7,
    out: OutOption = Path("out"),
    time_limit: TimeLimitOption = 60.0,
    seed: SeedOption = 0,
    solution_limit: SolutionLimitOption = None,
    policy: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Compliance policy (.toml) to use."),
    ] = None,
    quiet: QuietOption = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    first_stage: Annotated[
        bool,
        typer.Option(
            "--first-stage/--no-first-stage",
            help="Choose days and caregivers for the whole horizon first (CP-SAT), then route "
            "each day; without it, the days are decided one after another.",
        ),
    ] = True,
) -> None:
    """Generate the visits of --days days from PLAN's care plans, caseload and compliance policy,
    build their roster, and write it with demand.csv, flags.csv and continuity.csv into --out."""
    first_day: date = start.date()
    with exit_on_bad_input():
        data = load_plan(plan_file, policy_file=policy, map_file=map_file, travel_model=travel)
        params = solve_params(time_limit, seed, solution_limit, workers, cluster)
        result = plan_week(
            data,
            first_day,
            days,
            params=params,
            on_progress=None if quiet else progress_printer(),
            first_stage=first_stage,
        )
    written = write_week(result, out)
    if not quiet:
        typer.echo(format_week_summary(result))
        typer.echo("Wrote " + ", ".join(str(p) for p in written))
