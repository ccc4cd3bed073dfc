"""`scheduler validate`: check a scenario's input without solving."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import MapOption, TravelOption, read_scenario_or_exit


def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario: a .json file or a folder of CSVs.")],
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Read SCENARIO and report every problem in it (exit status 2 when there is one)."""
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    double = sum(1 for v in data.visits if v.caregivers_required > 1)
    dependent = sum(1 for v in data.visits if v.dependency is not None)
    typer.echo(
        f"OK: {len(data.caregivers)} caregivers, {len(data.clients)} clients, "
        f"{len(data.visits)} visits ({double} double-handed, {dependent} dependent)"
    )
