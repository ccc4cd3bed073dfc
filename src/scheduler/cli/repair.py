"""`scheduler repair` and `scheduler db repair`: a published roster kept right after the day's
events, from files or from the store."""

from __future__ import annotations

from datetime import datetime
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
    read_roster_or_exit,
    read_scenario_or_exit,
    solve_params,
)
from scheduler.cli.db import DbOption, url_of
from scheduler.cli.report import report_beside
from scheduler.io.event_files import read_events
from scheduler.io.repair_files import write_repair
from scheduler.io.report_files import write_report
from scheduler.ops.repair import RepairResult
from scheduler.ops.repair import repair as repair_roster
from scheduler.ops.stored import repair_stored
from scheduler.store.db import open_store

AtOption = Annotated[
    str,
    typer.Option("--at", help="Now, local time (2026-11-24T07:30): what has started stays."),
]


def repair(
    scenario: Annotated[Path, typer.Argument(help="Scenario: a .json file or a folder of CSVs.")],
    roster: Annotated[
        Path, typer.Argument(help="The published roster (roster.json or its folder).")
    ],
    events: Annotated[Path, typer.Argument(help="What happened: a .json or .csv file of events.")],
    at: AtOption,
    out: OutOption = Path("out/repair"),
    time_limit: TimeLimitOption = 3.0,
    seed: SeedOption = 0,
    solution_limit: SolutionLimitOption = None,
    quiet: QuietOption = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    report: ReportOption = True,
) -> None:
    """Repair ROSTER of SCENARIO after EVENTS as of --at, changing as little as it must; write
    the new roster with changes.csv and notifications.csv into --out."""
    now = _now(at)
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    published = read_roster_or_exit(roster)
    params = solve_params(time_limit, seed, solution_limit, workers, cluster)
    with exit_on_bad_input():
        happened = read_events(events)
    with command_output(out) as folder, interruptible() as interrupt:
        with exit_on_bad_input({"the roster": roster}):
            result = repair_roster(data, published, happened, now, params)
        _write(result, folder, quiet, report)
    interrupt.exit_if_stopped()


def repair_in_store(
    roster_id: Annotated[int, typer.Argument(metavar="ROSTER_ID", help="A saved roster's id.")],
    events: Annotated[Path, typer.Argument(help="What happened: a .json or .csv file of events.")],
    at: AtOption,
    db: DbOption = None,
    out: OutOption = Path("out/repair"),
    time_limit: TimeLimitOption = 3.0,
    seed: SeedOption = 0,
    solution_limit: SolutionLimitOption = None,
    quiet: QuietOption = False,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    report: ReportOption = True,
) -> None:
    """Repair saved roster ROSTER_ID after EVENTS as of --at; save the repaired roster as a new
    draft that keeps the events (publish it to supersede ROSTER_ID), and write it with
    changes.csv and notifications.csv into --out."""
    now = _now(at)
    params = solve_params(time_limit, seed, solution_limit, workers, cluster)
    with exit_on_bad_input():
        happened = read_events(events)
    with command_output(out) as folder, interruptible() as interrupt:
        with exit_on_bad_input(), open_store(url_of(db)) as engine:
            saved = repair_stored(engine, roster_id, happened, now, params)
        _write(saved.result, folder, quiet, report)
    typer.echo(f"saved as draft roster {saved.roster_id} (repairs roster {roster_id})")
    interrupt.exit_if_stopped()


def _now(at: str) -> datetime:
    try:
        return datetime.fromisoformat(at)
    except ValueError:
        typer.echo(f"--at: {at!r} is not a date and time (2026-11-24T07:30)", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _write(result: RepairResult, folder: OutputFolder, quiet: bool, report: bool) -> None:
    written = write_repair(result, folder.path)
    written += report_beside(lambda: write_report(result.day, result.roster, folder.path), report)
    written = commit_output(folder, written)
    if not quiet:
        typer.echo((folder.out / "summary.txt").read_text(encoding="utf-8"), nl=False)
        typer.echo("Wrote " + ", ".join(str(p) for p in written))
