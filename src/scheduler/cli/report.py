"""`scheduler report`: the HTML report, itineraries and calendars of a roster; and the report
the solving commands write beside their roster unless told not to."""

from __future__ import annotations

from collections.abc import Callable
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
from scheduler.io.report_files import write_report
from scheduler.plans.week import continuity
from scheduler.solution.roster import check_belongs


def report(
    roster: Annotated[Path, typer.Argument(help="roster.json, or the folder holding it.")],
    scenario: Annotated[
        Path,
        typer.Option(
            "--scenario", help="The scenario the roster is of (.json or a folder of CSVs)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the report (default: the roster's)."),
    ] = None,
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Write report.html (map, timeline, tables), itineraries.html and calendars/ for ROSTER;
    the roster is checked by the validator first and its violations counted in the report."""
    data = read_scenario_or_exit(scenario, map_file=map_file, travel=travel)
    result = read_roster_or_exit(roster)
    folder = out or (roster if roster.is_dir() else roster.parent)
    with exit_on_bad_input({"the roster": roster}):
        check_belongs(data, result)
        violations = check_roster(data, result)
        dated = len({r.departure.date() for r in result.routes}) > 1
        written = write_report(
            data,
            result,
            folder,
            continuity=continuity(result, {}) if dated else (),
            violations=len(violations),
        )
    typer.echo(f"{len(violations)} violation(s); wrote " + ", ".join(map(str, written)))


def report_beside(write: Callable[[], list[Path]], enabled: bool) -> list[Path]:
    """The report's files when ``enabled`` (the solving commands' --report/--no-report)."""
    if not enabled:
        return []
    with exit_on_bad_input():
        return write()
