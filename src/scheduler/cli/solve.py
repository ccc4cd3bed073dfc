"""`scheduler solve`: build a roster and write it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from scheduler.api import solve as solve_roster
from scheduler.cli.common import MapOption, TravelOption, exit_on_bad_input, read_scenario_or_exit
from scheduler.io.roster_files import write_roster
from scheduler.io.summary import format_summary
from scheduler.solve.routing import Progress


def solve(
    scenario: Annotated[Path, typer.Argument(help="Scenario: a .json file or a folder of CSVs.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the roster files.")] = Path(
        "out"
    ),
    time_limit: Annotated[
        float, typer.Option("--time-limit", "-t", min=0.1, help="Search time limit, seconds.")
    ] = 10.0,
    seed: Annotated[int, typer.Option(min=0, help="Seed for reproducible runs.")] = 0,
    solution_limit: Annotated[
        int | None,
        typer.Option(min=1, help="Stop after this many solutions (deterministic budget)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")] = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Build the roster for SCENARIO and write roster.json, roster.csv, unassigned.csv and
    summary.txt into --out."""
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    last_print = [0.0]

    def show(progress: Progress) -> None:
        now = time.monotonic()
        if now - last_print[0] >= 0.5 or progress.solutions == 1:
            last_print[0] = now
            typer.echo(
                f"[{progress.elapsed_s:6.1f} s] solution {progress.solutions:>5}: "
                f"best cost {progress.cost}",
                err=True,
            )

    with exit_on_bad_input():  # a map is read lazily, when the solve first needs it
        roster = solve_roster(
            data,
            time_limit_s=time_limit,
            seed=seed,
            solution_limit=solution_limit,
            on_progress=None if quiet else show,
        )
    written = write_roster(data, roster, out)
    if not quiet:
        typer.echo(format_summary(data, roster))
        typer.echo("Wrote " + ", ".join(str(p) for p in written))
