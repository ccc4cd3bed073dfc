"""`scheduler validate`: check a scenario's or a plan file's input without solving."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import MapOption, TravelOption, exit_on_bad_input, read_scenario_or_exit
from scheduler.io.plan_files import load_plan


def _is_plan(path: Path) -> bool:
    """A plan file is a JSON object naming its agency (``"agency"``); a scenario never does."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False  # the scenario reader reports it
    return isinstance(raw, dict) and "agency" in raw


def validate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario (.json or a folder of CSVs) or plan file (.json).")
    ],
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Read SCENARIO (or a plan file) and report every problem in it (exit status 2 when there
    is one)."""
    if _is_plan(scenario):
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
