"""What the commands share: reading inputs with clean failures (exit 2, no traceback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer

from scheduler.domain.model import Scenario
from scheduler.errors import InputFileError
from scheduler.io.roster_files import read_roster
from scheduler.io.scenario_files import load_scenario
from scheduler.solution.roster import Roster

EXIT_BAD_INPUT = 2
T = TypeVar("T")


def _or_exit(read: Callable[[Path], T], path: Path) -> T:
    try:
        return read(path)
    except InputFileError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def read_scenario_or_exit(path: Path) -> Scenario:
    return _or_exit(load_scenario, path)


def read_roster_or_exit(path: Path) -> Roster:
    return _or_exit(read_roster, path)
