"""`scheduler validate`: check a scenario's or a plan file's input without solving."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import MapOption, TravelOption, exit_on_bad_input, read_scenario_or_exit
from scheduler.io.plan_files import is_plan, load_plan


def validate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario (.json or a folder of CSVs) or plan file (.json).")
    ],
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Read SCENARIO (or a plan file) and report every problem in it (exit status 2 when there
    is one)."""
    if is_plan(scenario):
        with exit_on_bad_input():
            plan = load_plan(scenario, map_file=map_file, travel_model=travel)
        typer.echo(
            f"OK (plan): {len(plan.agency.caregivers)} caregivers, {len(plan.agency.clients)} "
            f"clients, {len(plan.care_plans)} care plans, {len(plan.caseload)} caseload entries, "
            f"{len(plan.history)} past visits"
        )
        return
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    double = sum(1 for v in data.visits if v.caregivers_required > 1)
    dependent = sum(1 for v in data.visits if v.dependency is not None)
    typer.echo(
        f"OK: {len(data.caregivers)} caregivers, {len(data.clients)} clients, "
        f"{len(data.visits)} visits ({double} double-handed, {dependent} dependent)"
    )
