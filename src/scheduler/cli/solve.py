"""`scheduler solve`: build a roster and write it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from scheduler.api import solve as solve_roster
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
    echo_summary,
    exit_on_bad_input,
    interruptible,
    read_scenario_or_exit,
    shown_progress,
    solve_params,
)
from scheduler.cli.db import DbOption
from scheduler.cli.report import report_beside
from scheduler.domain.model import Scenario
from scheduler.io.report_files import write_report
from scheduler.io.roster_files import write_roster
from scheduler.ops.stored import solve_stored
from scheduler.solution.roster import Roster
from scheduler.store.db import open_store


def solve(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            metavar="[SCENARIO]", help="Scenario: a .json file or a folder of CSVs (or --db)."
        ),
    ] = None,
    out: OutOption = Path("out/roster"),
    time_limit: TimeLimitOption = 10.0,
    seed: SeedOption = 0,
    solution_limit: SolutionLimitOption = None,
    quiet: QuietOption = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    db: DbOption = None,
    day: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="With --db: the day to solve."),
    ] = None,
    report: ReportOption = True,
) -> None:
    """Build the roster for SCENARIO and write roster.json, roster.csv, unassigned.csv,
    summary.txt and the report (report.html, itineraries.html, calendars/) into --out. With
    --db and --date, the day comes from the store and its roster is saved there as a new
    draft."""
    if (scenario is None) == (db is None) or (db is not None and day is None):
        typer.echo("give a SCENARIO, or --db URL with --date YYYY-MM-DD", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    params = solve_params(time_limit, seed, solution_limit, workers, cluster)
    if db is not None:
        assert day is not None
        with command_output(out) as folder, interruptible() as interrupt:
            with (
                exit_on_bad_input(),
                open_store(db) as engine,
                shown_progress(time_limit, quiet) as show,
            ):
                stored = solve_stored(engine, day.date(), params, on_progress=show)
            written = _write(stored.scenario, stored.roster, folder, report)
        if not quiet:
            echo_summary(stored.scenario, stored.roster)
        typer.echo(f"Saved draft roster {stored.roster_id}; wrote " + ", ".join(map(str, written)))
        interrupt.exit_if_stopped()
        return
    assert scenario is not None
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    with command_output(out) as folder, interruptible() as interrupt:
        # a map is read lazily, when the solve first needs it
        with exit_on_bad_input(), shown_progress(time_limit, quiet) as show:
            roster = solve_roster(data, params=params, on_progress=show)
        written = _write(data, roster, folder, report)
    if not quiet:
        echo_summary(data, roster)
        typer.echo("Wrote " + ", ".join(str(p) for p in written))
    interrupt.exit_if_stopped()


def _write(scenario: Scenario, roster: Roster, folder: OutputFolder, report: bool) -> list[Path]:
    written = write_roster(scenario, roster, folder.path)
    written += report_beside(lambda: write_report(scenario, roster, folder.path), report)
    return commit_output(folder, written)
