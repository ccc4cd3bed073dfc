"""What the commands share: reading inputs with clean failures (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

import typer

from scheduler.domain.model import Scenario
from scheduler.errors import RosterFileError, ScenarioError
from scheduler.io.roster_files import read_roster
from scheduler.io.scenario_files import load_scenario
from scheduler.solution.roster import Roster

EXIT_BAD_INPUT = 2


def read_scenario_or_exit(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def read_roster_or_exit(path: Path) -> Roster:
    try:
        return read_roster(path)
    except RosterFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
