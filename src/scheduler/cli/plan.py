"""`scheduler plan`: expand care plans over a horizon and build its roster."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from scheduler.atomic import OutputFolder
from scheduler.cli.common import (
    EXIT_BAD_INPUT,
    ClusterOption,
    MapOption,
    OutOption,
    QuietOption,
    ReportOption,
    SeedOption,
    SolutionLimitOption,
    TimeLimitOption,
    TravelOption,
    WorkersOption,
    command_output,
    commit_output,
    exit_on_bad_input,
    interruptible,
    shown_progress,
    solve_params,
)
from scheduler.cli.db import DbOption
from scheduler.cli.report import report_beside
from scheduler.io.plan_files import format_week_summary, load_plan, write_week
from scheduler.io.report_files import write_week_report
from scheduler.ops.stored import plan_stored
from scheduler.plans.week import WeekResult, plan_week
from scheduler.store.db import open_store


def plan(
    start: Annotated[
        datetime, typer.Option("--start", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD).")
    ],
    plan_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[PLAN]",
            help="Plan file (.json) or folder (plan.json + CSVs) naming the agency (or --db).",
        ),
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=31, help="Days in the horizon.")] = 7,
    out: OutOption = Path("out/plan"),
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
    db: DbOption = None,
    report: ReportOption = True,
) -> None:
    """Generate the visits of --days days from PLAN's care plans, caseload and compliance policy,
    build their roster, and write it with demand.csv, flags.csv, continuity.csv and the report
    into --out."""
    first_day: date = start.date()
    if (plan_file is None) == (db is None):
        typer.echo("give a PLAN file or --db URL (one of them)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    params = solve_params(time_limit, seed, solution_limit, workers, cluster)
    if db is not None:
        with command_output(out) as folder, interruptible() as interrupt:
            with (
                exit_on_bad_input(),
                open_store(db) as engine,
                shown_progress(time_limit, quiet) as progress,
            ):
                stored = plan_stored(
                    engine, first_day, days, params, on_progress=progress, first_stage=first_stage
                )
            assert stored.week is not None
            written = _write(stored.week, folder, report)
        if not quiet:
            typer.echo(format_week_summary(stored.week))
        typer.echo(f"Saved draft roster {stored.roster_id}; wrote " + ", ".join(map(str, written)))
        interrupt.exit_if_stopped()
        return
    assert plan_file is not None
    with exit_on_bad_input():
        data = load_plan(plan_file, policy_file=policy, map_file=map_file, travel_model=travel)
    with command_output(out) as folder, interruptible() as interrupt:
        with exit_on_bad_input(), shown_progress(time_limit, quiet) as progress:
            result = plan_week(
                data,
                first_day,
                days,
                params=params,
                on_progress=progress,
                first_stage=first_stage,
            )
        written = _write(result, folder, report)
    if not quiet:
        typer.echo(format_week_summary(result))
        typer.echo("Wrote " + ", ".join(str(p) for p in written))
    interrupt.exit_if_stopped()


def _write(result: WeekResult, folder: OutputFolder, report: bool) -> list[Path]:
    written = write_week(result, folder.path)
    written += report_beside(lambda: write_week_report(result, folder.path), report)
    return commit_output(folder, written)
