"""A plan as a folder of CSVs: tests/data/tiny_plan_csv reads into the same plan as
tests/data/tiny_plan/plan.json, and every problem names its file, line and column."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.cli.app import app
from scheduler.errors import ScenarioError
from scheduler.io.plan_files import is_plan, load_plan

DATA = Path(__file__).resolve().parent.parent / "data"
runner = CliRunner()


def test_a_plan_folder_reads_as_its_json_twin() -> None:
    folder, twin = DATA / "tiny_plan_csv", DATA / "tiny_plan" / "plan.json"
    assert is_plan(folder) and not is_plan(DATA / "tiny_csv")
    assert load_plan(folder) == load_plan(twin)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(DATA / "tiny_plan_csv", folder)
    agency = (DATA / "tiny_plan" / "agency.json").as_posix()
    (folder / "plan.json").write_text(json.dumps({"agency": agency}), encoding="utf-8")
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "named"),
    [
        (
            "availability.csv",
            "rita,MO;TU;WE",
            "rita,MO;XY",
            "availability.csv, row 4 (id rita), field 'days'",
        ),
        (
            "orders.csv",
            "c1-meal,homemaking",
            "c1-meal,cooking",
            "orders.csv, row 3 (id c1-meal), field 'service'",
        ),
        (
            "orders.csv",
            "08:00-11:00",
            "08:00-soon",
            "orders.csv, row 4 (id c2-am), field 'windows'",
        ),
        (
            "orders.csv",
            "c1,c1-am,personal_care,45,daily",
            "c1,c1-am,personal_care,45,FREQ=HOURLY",
            "row 2 (id c1-am), field 'recurrence'",
        ),
        (
            "caseload.csv",
            "c2,2026-10-01T09:00",
            "c2,0001-01-01T09:00x",
            "caseload.csv, row 3 (id c2), field 'admitted'",
        ),
        ("time_off.csv", "ann,", "zed,", "time_off.csv, row 2 (id zed), field 'caregiver_id'"),
        (
            "history.csv",
            "caregiver_ids",
            "caregivers",
            "history.csv, row 1, field 'caregivers': unknown column",
        ),
    ],
)
def test_a_bad_cell_is_named_by_file_line_and_column(
    tmp_path: Path, file: str, old: str, new: str, named: str
) -> None:
    folder = _copy(tmp_path)
    _replace(folder / file, old, new)
    with pytest.raises(ScenarioError) as caught:
        load_plan(folder)
    assert named in str(caught.value), str(caught.value)
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert named in result.output


def test_records_given_twice_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "plan.json").read_text(encoding="utf-8")
    (folder / "plan.json").write_text(text[:-1] + ', "caseload": []}', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"caseload given in both plan\.json and caseload\.csv"):
        load_plan(folder)


def test_an_order_row_may_carry_an_rrule_and_daily_times(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    orders = folder / "orders.csv"
    _replace(orders, "windows,", "windows,daily_times,")
    _replace(
        orders,
        "c1,c1-am,personal_care,45,daily,,,,08:00-10:00,",
        "c1,c1-am,personal_care,45,FREQ=WEEKLY;BYDAY=MO,,,,,08:00-09:00;18:00-19:00,",
    )
    for row in ("c1-meal", "c2-am", "c2-wound", "c3-walk"):
        text = orders.read_text(encoding="utf-8").splitlines()
        text = [
            line.replace(":00,2026-11-01", ":00,,2026-11-01") if row in line else line
            for line in text
        ]
        orders.write_text("\n".join(text) + "\n", encoding="utf-8")
    plan = load_plan(folder)
    order = plan.care_plans[0].orders[0]
    assert order.recurrence.rule == "FREQ=WEEKLY;BYDAY=MO"
    assert [w.start.hour for w in order.daily_times] == [8, 18]
    assert plan.care_plans[0].orders[1].windows[0].start.hour == 11
