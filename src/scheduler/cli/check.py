"""`scheduler check`: validate a roster against its scenario, independently of the optimiser."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.api import check_roster
from scheduler.cli.common import (
    MapOption,
    TravelOption,
    exit_on_bad_input,
    read_roster_or_exit,
    read_scenario_or_exit,
)

EXIT_VIOLATIONS = 1


def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario: a .json file or a folder of CSVs.")],
    roster: Annotated[Path, typer.Argument(help="roster.json, or the folder holding it.")],
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Print each hard-rule violation of ROSTER (exit status 1 when there is one)."""
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    result = read_roster_or_exit(roster)
    with exit_on_bad_input():
        violations = check_roster(data, result)
    for violation in violations:
        typer.echo(str(violation))
    if violations:
        typer.echo(f"{len(violations)} violation(s)", err=True)
        raise typer.Exit(EXIT_VIOLATIONS)
    assigned = sum(len(r.stops) for r in result.routes)
    typer.echo(
        f"OK: no violations ({assigned} caregiver visits, {len(result.unassigned)} "
        "visits unassigned)"
    )
