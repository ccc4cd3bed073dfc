"""`scheduler matrix`: a scenario's travel-time matrix from an OSRM or Valhalla table endpoint,
written as a file its settings can name (``settings.travel.matrix_files``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from scheduler.cli.common import exit_on_bad_input
from scheduler.domain.model import TravelMode, TravelModelName
from scheduler.io.matrix_files import scenario_places, write_matrix
from scheduler.io.scenario_files import load_scenario
from scheduler.io.table_service import BLOCK, TableService, fetch_matrix


def matrix(
    scenario: Annotated[Path, typer.Argument(help="Scenario (.json or a folder of CSVs).")],
    url: Annotated[
        str, typer.Option("--url", help="The service's base address, e.g. http://localhost:5000.")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Matrix file to write (.csv long, or .npz).")
    ],
    service: Annotated[
        TableService, typer.Option("--service", help="Which table API the address serves.")
    ] = TableService.OSRM,
    mode: Annotated[
        TravelMode, typer.Option("--mode", help="The travel mode the matrix is for.")
    ] = TravelMode.DRIVE,
    block: Annotated[
        int, typer.Option("--block", min=1, max=10_000, help="Places per side of one request.")
    ] = BLOCK,
) -> None:
    """Ask the routing service at --url for the travel times between SCENARIO's places (clients
    by id, caregivers' homes by caregiver id, or each location's place_id) and write them to
    --out; name the file in the scenario's settings.travel.matrix_files to travel on it."""
    with exit_on_bad_input():
        # the matrix this writes may be the one the scenario names: read it on straight lines
        data = load_scenario(scenario, travel_model=TravelModelName.GREAT_CIRCLE)
        places = [(place_id, place) for place_id, place, _ in scenario_places(data)]
        found = fetch_matrix(url, places, service=service, mode=mode, block=block)
        write_matrix(out, found)
    missing = int(np.isnan(found.duration_s).sum())
    note = f", {missing} pairs the service could not route" if missing else ""
    typer.echo(f"wrote {out}: {len(found.ids)} places{note}")
