"""Reading scenarios: every problem reported at once with file, row and field; round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler import ScenarioError, load_scenario
from scheduler.io.scenario_files import save_scenario

DATA = Path(__file__).parent.parent / "data"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_tiny_csv_folder_loads() -> None:
    sc = load_scenario(DATA / "tiny_csv")
    assert sc.name == "tiny" and len(sc.caregivers) == 2 and len(sc.visits) == 3
    v2 = sc.visits_by_id["V2"]
    assert v2.dependency is not None and v2.dependency.min_lag_min == 30
    assert len(sc.visits_by_id["V3"].windows) == 2
    assert sc.caregivers_by_id["B"].max_work_min_per_day is None
    assert sc.clients_by_id["P2"].has_pets is True


def test_bad_csv_reports_every_problem_with_file_row_and_field() -> None:
    found = problems_of(DATA / "bad_csv")
    text = "\n".join(found)
    assert "caregivers.csv, row 1, field 'colour'" in text  # unknown column
    assert "caregivers.csv, row 3 (id B), field 'role'" in text
    assert "caregivers.csv, row 3 (id B), field 'home_lat'" in text
    assert "caregivers.csv, row 3 (id B), field 'shifts'" in text
    assert "visits.csv, row 2 (id V1), field 'duration_min'" in text
    assert "visits.csv, row 3 (id V2)" in text and "not an interval" in text
    assert len(found) >= 6


def test_reference_problems_name_their_rows() -> None:
    # Field errors come first; a folder with only reference errors reports those.
    folder = DATA / "tiny_csv"
    sc = load_scenario(folder)
    assert sc  # valid; now break references in a copy
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "s"
        shutil.copytree(folder, copy)
        visits = (
            (copy / "visits.csv").read_text().replace("V3,P2", "V3,P7").replace(",V1,30", ",V9,30")
        )
        (copy / "visits.csv").write_text(visits)
        text = "\n".join(problems_of(copy))
    assert "visits.csv, row 4 (id V3), field 'client_id': unknown client 'P7'" in text
    assert "visits.csv, row 3 (id V2), field 'after': unknown visit 'V9'" in text


def test_bad_json_reports_every_problem() -> None:
    text = "\n".join(problems_of(DATA / "bad.json"))
    assert "field 'time_zone'" in text
    assert "row visits[0] (id V1), field 'duration_min'" in text
    assert "row visits[1] (id V2), field 'windows'" in text


def test_missing_path_and_wrong_suffix() -> None:
    assert "no such file" in problems_of(DATA / "nothing.json")[0]
    assert "expected a .json" in problems_of(DATA / "tiny_csv" / "visits.csv")[0]


def test_json_and_csv_round_trip(tmp_path: Path) -> None:
    sc = load_scenario(DATA / "tiny_csv")
    save_scenario(sc, tmp_path / "s.json")
    save_scenario(sc, tmp_path / "csv")
    assert load_scenario(tmp_path / "s.json") == sc
    assert load_scenario(tmp_path / "csv") == sc


def test_bundled_sample_loads() -> None:
    sample = DATA.parent.parent / "data" / "samples" / "bayreuth"
    sc = load_scenario(sample)
    assert len(sc.visits) >= 100 and len(sc.caregivers) >= 15
    assert any(v.caregivers_required == 2 for v in sc.visits)
    assert any(v.dependency is not None for v in sc.visits)
