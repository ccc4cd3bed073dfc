"""`scheduler retime`: a hand-edited roster given its earliest times and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    MapOption,
    OutOption,
    QuietOption,
    TravelOption,
    command_output,
    commit_output,
    exit_on_bad_input,
    read_scenario_or_exit,
)
from scheduler.io.roster_files import read_orders, write_roster
from scheduler.io.summary import format_summary
from scheduler.ops.retime import retime as retime_orders

EXIT_VIOLATIONS = 1


def retime(
    scenario: Annotated[Path, typer.Argument(help="Scenario: a .json file or a folder of CSVs.")],
    roster: Annotated[
        Path,
        typer.Argument(
            help="The edited roster: roster.json, or a CSV of caregiver_id, visit_id[, start] "
            "rows in each caregiver's order."
        ),
    ],
    out: OutOption = Path("out/retime"),
    quiet: QuietOption = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Give ROSTER's order the earliest times it allows and report every rule it breaks (exit
    status 1 when it breaks one); the timed roster and violations.txt go into --out."""
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    with exit_on_bad_input({"the roster": roster}):
        orders = read_orders(roster)
        result = retime_orders(data, orders)
    listed = "".join(f"{v}\n" for v in result.violations)
    summary = format_summary(data, result.roster)
    summary += f"\nRules broken by this order: {len(result.violations)}\n{listed}"
    with command_output(out) as folder:
        written = write_roster(
            data,
            result.roster,
            folder.path,
            summary=summary,
            extra_files={"violations.txt": listed},
        )
        written = commit_output(folder, written)
    if not quiet:
        typer.echo(summary, nl=False)
        typer.echo("Wrote " + ", ".join(str(p) for p in written))
    if result.violations:
        raise typer.Exit(EXIT_VIOLATIONS)
