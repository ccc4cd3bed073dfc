"""Travel-time matrices as input: the two file forms, their checks, and a scenario that
travels on one (tests/data/tiny_csv with a matrix of its four places)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from scheduler import check_roster, load_scenario, solve
from scheduler.api import travel_model_for
from scheduler.cli.app import app
from scheduler.errors import MatrixError
from scheduler.io.matrix_files import TravelMatrix, read_matrix, write_matrix
from scheduler.travel.base import TravelProfile

DATA = Path(__file__).resolve().parent.parent / "data"
PLACES = ("A", "B", "P1", "P2")  # tiny_csv: two caregivers' homes, two clients
runner = CliRunner()


def tiny_matrix(minutes: float = 10.0) -> TravelMatrix:
    """Every trip between two different places takes ``minutes``; P1 -> P2 takes twice that."""
    seconds = np.full((4, 4), minutes * 60.0)
    np.fill_diagonal(seconds, 0.0)
    seconds[2, 3] = 2 * minutes * 60.0
    return TravelMatrix(PLACES, seconds, seconds * 10.0)


def tiny_on_matrix(tmp_path: Path, name: str = "drive.csv") -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny_csv", folder)
    write_matrix(folder / name, tiny_matrix())
    settings = {"name": "tiny", "time_zone": "Europe/Berlin"}
    settings["settings"] = {"travel": {"model": "matrix", "matrix_files": {"drive": name}}}
    (folder / "scenario.json").write_text(json.dumps(settings), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["m.csv", "m.npz"])
def test_a_matrix_reads_back_as_written(tmp_path: Path, name: str) -> None:
    write_matrix(tmp_path / name, tiny_matrix())
    read = read_matrix(tmp_path / name)
    assert read.ids == PLACES
    assert np.array_equal(read.duration_s, tiny_matrix().duration_s)
    assert read.distance_m is not None and read.distance_m[2, 3] == 12_000.0


@pytest.mark.parametrize("name", ["drive.csv", "drive.npz"])
def test_a_scenario_travels_on_its_matrix(tmp_path: Path, name: str) -> None:
    scenario = load_scenario(tiny_on_matrix(tmp_path, name))
    travel = travel_model_for(scenario)
    p1, p2 = (c.location for c in scenario.clients)
    drive = TravelProfile(scenario.caregivers[0].travel_mode, 99.0)  # any speed: the matrix
    assert travel.duration_s(p1, p2, drive) == 1200.0
    assert travel.duration_s(p2, p1, drive) == 600.0
    roster = solve(scenario, time_limit_s=2, seed=1)
    assert check_roster(scenario, roster) == []
    legs = [s.travel_before_min for r in roster.routes for s in r.stops]
    assert legs and all(leg in (0.0, 10.0, 20.0) for leg in legs), legs


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        ("A,B,-5\n", ["row 2 (id A -> B), field 'duration_s'", "non-negative"]),
        ("A,B,inf\n", ["row 2 (id A -> B)", "finite"]),
        ("A,B,soon\n", ["row 2 (id A -> B), field 'duration_s': not a number"]),
        ("A,B,60\nA,B,70\n", ["row 3 (id A -> B)", "given twice"]),
        ("A,A,60\n", ["row 2 (id A -> A)", "to itself must be 0"]),
        (",B,60\n", ["row 2 (id ? -> B), field 'from_id': no place id"]),
        ("A,B,1e12\n", ["at most a week"]),
    ],
)
def test_a_bad_csv_value_is_named_by_row_and_ids(
    tmp_path: Path, rows: str, named: list[str]
) -> None:
    with pytest.raises(MatrixError) as caught:
        read_matrix(_csv(tmp_path, "from_id,to_id,duration_s\n" + rows))
    message = str(caught.value)
    assert "m.csv" in message and all(part in message for part in named), message


def test_a_csv_without_its_columns_is_named(tmp_path: Path) -> None:
    with pytest.raises(MatrixError, match=r"row 1, field 'duration_s': the column is missing"):
        read_matrix(_csv(tmp_path, "from_id,to_id,seconds\nA,B,5\n"))


def test_a_npz_that_is_not_square_for_its_ids_is_named(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    np.savez(path, ids=np.array(["A", "B", "C"]), duration_s=np.zeros((3, 2)))
    with pytest.raises(MatrixError, match=r"field 'duration_s': shape \(3, 2\), expected \(3, 3\)"):
        read_matrix(path)
    path.write_bytes(b"not a zip")
    with pytest.raises(MatrixError, match=r"cannot read as \.npz"):
        read_matrix(path)


def test_places_or_pairs_the_scenario_needs_are_named_and_exit_2(tmp_path: Path) -> None:
    folder = tiny_on_matrix(tmp_path)
    partial = tiny_matrix().duration_s.copy()
    partial[0, 3] = np.nan  # A -> P2 not given
    write_matrix(folder / "drive.csv", TravelMatrix(PLACES, partial))
    with pytest.raises(MatrixError, match=r"\(id A -> P2\): no duration for this pair"):
        load_scenario(folder)
    three = TravelMatrix(PLACES[:3], tiny_matrix().duration_s[:3, :3])
    write_matrix(folder / "drive.csv", three)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "no place 'P2' (client P2)" in result.output, result.output


def test_a_mode_without_a_matrix_is_named(tmp_path: Path) -> None:
    folder = tiny_on_matrix(tmp_path)
    settings = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
    settings["settings"]["travel"]["matrix_files"] = {"walk": "drive.csv"}
    (folder / "scenario.json").write_text(json.dumps(settings), encoding="utf-8")
    with pytest.raises(MatrixError, match=r"matrix_files.drive': no matrix for the caregivers"):
        load_scenario(folder)
