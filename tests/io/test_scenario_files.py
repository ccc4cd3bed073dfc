"""Reading scenarios: every problem reported at once with file, row and field; round trips."""

from __future__ import annotations

import json
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


TOWN = DATA / "town_csv"


def test_addresses_without_coordinates_are_geocoded_from_the_scenarios_map() -> None:
    sc = load_scenario(TOWN)
    assert sc.settings.travel.model == "road"
    assert Path(sc.settings.travel.map_file or "").samefile(DATA / "maps" / "tiny_town.osm")
    p1 = sc.clients_by_id["P1"].location
    assert (p1.lat, p1.lon) == pytest.approx((50.00045, 11.5013951), abs=1e-6)
    assert sc.clients_by_id["P3"].location.lat == pytest.approx(50.00108)
    assert sc.caregivers_by_id["W"].home.lat == pytest.approx(50.00108)
    assert sc.caregivers_by_id["A"].home.lat == 50.0  # coordinates given: no geocoding


def _town_copy(tmp_path: Path, clients: str) -> Path:
    folder = tmp_path / "town"
    folder.mkdir()
    for name in ("caregivers.csv", "visits.csv"):
        (folder / name).write_text((TOWN / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "clients.csv").write_text(clients, encoding="utf-8")
    return folder


def _plain_town(tmp_path: Path) -> Path:
    """The town's folder with coordinates instead of addresses, and no scenario.json."""
    folder = _town_copy(tmp_path, "id,lat,lon\nP1,50.0,11.5\nP2,50.0,11.501\nP3,50.0,11.502\n")
    (folder / "caregivers.csv").write_text(
        "id,role,home_lat,home_lon,shifts\nA,aide,50.0,11.5,2026-11-24T07:00/2026-11-24T13:00\n",
        encoding="utf-8",
    )
    return folder


def test_unknown_address_names_file_row_field_and_closest_matches(tmp_path: Path) -> None:
    folder = _town_copy(
        tmp_path,
        'id,address\nP1,"Lindenstraße 9, 95463 Bindlach"\nP2,Hauptstraße 1\nP3,Lindenstraße 5\n',
    )
    problems = problems_of_with_map(folder, DATA / "maps" / "tiny_town.osm")
    assert len(problems) == 2
    assert "clients.csv, row 2 (id P1), field 'address'" in problems[0]
    assert "closest: Lindenstraße" in problems[0]
    assert "row 3 (id P2)" in problems[1] and "Hauptstraße 1, 95444 Bayreuth" in problems[1]


def problems_of_with_map(path: Path, map_file: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, map_file=map_file)
    return [str(p) for p in info.value.problems]


def test_an_address_without_a_map_is_an_input_error(tmp_path: Path) -> None:
    folder = _town_copy(tmp_path, "id,address\nP1,Lindenstraße 5\nP2,Hauptstraße 1\nP3,Am Bühl 2\n")
    problems = problems_of(folder)
    assert len(problems) == 4  # three clients and caregiver W
    assert all("no map" in p for p in problems)


def test_map_given_by_caller_means_road_travel_unless_told_otherwise(tmp_path: Path) -> None:
    folder = _plain_town(tmp_path)
    (folder / "visits.csv").write_text(
        "id,client_id,duration_min,windows\nV1,P1,30,2026-11-24T08:00/09:00\n", encoding="utf-8"
    )
    assert load_scenario(folder).settings.travel.model == "great_circle"
    road = load_scenario(folder, map_file=DATA / "maps" / "tiny_town.osm")
    assert road.settings.travel.model == "road"
    plain = load_scenario(
        folder, map_file=DATA / "maps" / "tiny_town.osm", travel_model="great_circle"
    )
    assert plain.settings.travel.model == "great_circle"
    with pytest.raises(ScenarioError, match="road travel needs a map_file"):
        load_scenario(folder, travel_model="road")


def test_json_scenario_addresses_are_geocoded(tmp_path: Path) -> None:
    sc = load_scenario(TOWN)
    save_scenario(sc, tmp_path / "s.json")
    raw = (tmp_path / "s.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    data["clients"][0]["location"] = {"address": "Lindenstraße 7a, 95463 Bindlach"}
    data["clients"][1]["location"] = {"address": "Hauptstraße 2"}
    (tmp_path / "s.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.json")
    (problem,) = info.value.problems
    assert problem.row == "clients[1]" and problem.field == "location.address"
    data["clients"][1]["location"] = {"address": "Hauptstraße 1, Bayreuth"}
    (tmp_path / "s.json").write_text(json.dumps(data), encoding="utf-8")
    assert load_scenario(tmp_path / "s.json").clients[0].location.lat == pytest.approx(50.00108)


def test_a_missing_map_is_reported_when_reading(tmp_path: Path) -> None:
    folder = _plain_town(tmp_path)
    (folder / "scenario.json").write_text(
        '{"settings": {"travel": {"model": "road", "map_file": "nowhere.osm"}}}', encoding="utf-8"
    )
    problems = problems_of(folder)
    assert len(problems) == 1
    assert "scenario.json, field 'settings.travel.map_file'" in problems[0]
    assert "nowhere.osm does not exist" in problems[0]


def test_planar_places_are_not_geocoded_even_with_an_address(tmp_path: Path) -> None:
    sc = load_scenario(TOWN)
    data = json.loads(sc.model_dump_json())
    data["settings"]["travel"] = {"model": "planar"}
    for c in data["clients"]:
        c["location"] = {"x_km": 1.0, "y_km": 2.0, "address": "Lindenstraße 5"}
    for c in data["caregivers"]:
        c["home"] = {"x_km": 0.0, "y_km": 0.0}
    (tmp_path / "s.json").write_text(json.dumps(data), encoding="utf-8")
    planar = load_scenario(tmp_path / "s.json")
    assert planar.clients[0].location.key == (1.0, 2.0)
