"""`scheduler solve`: build a roster and write it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.api import solve as solve_roster
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
    read_scenario_or_exit,
    solve_params,
)
from scheduler.io.roster_files import write_roster
from scheduler.io.summary import format_summary


def solve(
    scenario: Annotated[Path, typer.Argument(help="Scenario: a .json file or a folder of CSVs.")],
    out: OutOption = Path("out"),
    time_limit: TimeLimitOption = 10.0,
    seed: SeedOption = 0,
    solution_limit: SolutionLimitOption = None,
    quiet: QuietOption = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
) -> None:
    """Build the roster for SCENARIO and write roster.json, roster.csv, unassigned.csv and
    summary.txt into --out."""
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    params = solve_params(time_limit, seed, solution_limit, workers, cluster)
    show = progress_printer(time_limit)
    with exit_on_bad_input():  # a map is read lazily, when the solve first needs it
        roster = solve_roster(data, params=params, on_progress=None if quiet else show)
    written = write_roster(data, roster, out)
    if not quiet:
        typer.echo(format_summary(data, roster))
        typer.echo("Wrote " + ", ".join(str(p) for p in written))
