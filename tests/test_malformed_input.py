# ruff: noqa: E501  (the tables of targets and cases read best one per line)
"""No traceback on any input: every reader and command on inputs broken by the mutation
harness (tests/malformed.py) ends with exit status 2 naming the broken file (and, for a broken
cell, its row or field) and writing nothing, or 0, or 1 for a roster that breaks rules (retime
writes it with its violations), never a traceback."""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from scheduler import load_scenario
from scheduler.cli.app import app
from scheduler.io.matrix_files import TravelMatrix, write_matrix
from scheduler.io.scenario_files import save_scenario
from tests.malformed import Case, breaker

DATA = Path(__file__).resolve().parent / "data"
POLICY = Path(__file__).resolve().parents[1] / "src" / "scheduler" / "plans" / "default_policy.toml"
# More cases: SCHEDULER_MALFORMED_CASES=500 python -m pytest tests/test_malformed_input.py
CASES_PER_TARGET = int(os.environ.get("SCHEDULER_MALFORMED_CASES", "40"))
SOLVE = ["-q", "-t", "0.3", "--solution-limit", "30", "--no-report"]
runner = CliRunner()


@dataclass(frozen=True)
class Target:
    """An input laid out in a folder, the files the harness may break, the commands run on it
    (each a function of the folder and an output folder), run in turn while they succeed."""

    name: str
    lay_out: Callable[[Path], None]
    files: tuple[str, ...]
    commands: tuple[Callable[[Path, Path], list[str]], ...]


def _tiny_csv(root: Path) -> None:
    shutil.copytree(DATA / "tiny_csv", root / "s")


def _tiny_json(root: Path) -> None:
    save_scenario(load_scenario(DATA / "tiny_csv"), root / "s.json")


def _tiny_plan(root: Path) -> None:
    shutil.copytree(DATA / "tiny_plan", root / "p")


def _tiny_plan_csv(root: Path) -> None:
    shutil.copytree(DATA / "tiny_plan_csv", root / "p")
    shutil.copy(DATA / "tiny_plan" / "agency.json", root / "p" / "agency.json")
    (root / "p" / "plan.json").write_text('{"agency": "agency.json"}', encoding="utf-8")


def _policy(root: Path) -> None:
    _tiny_plan(root)
    shutil.copy(POLICY, root / "policy.toml")


def _matrix(root: Path) -> None:
    _tiny_csv(root)
    seconds = np.full((4, 4), 600.0)
    np.fill_diagonal(seconds, 0.0)
    write_matrix(root / "s" / "drive.csv", TravelMatrix(("A", "B", "P1", "P2"), seconds))
    travel = {"model": "matrix", "matrix_files": {"drive": "drive.csv"}}
    header = {"name": "tiny", "time_zone": "Europe/Berlin", "settings": {"travel": travel}}
    (root / "s" / "scenario.json").write_text(json.dumps(header), encoding="utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("published") / "roster"
    solved = runner.invoke(app, ["solve", str(DATA / "tiny_csv"), "--out", str(out), *SOLVE])
    assert solved.exit_code == 0, solved.output
    return out


def _events(root: Path) -> None:
    (root / "events.csv").write_text(
        "kind,visit_id,caregiver_id,start\nvisit_cancelled,V3,,\n"
        "caregiver_unavailable,,A,2026-11-24T10:00\n",
        encoding="utf-8",
    )
    (root / "events.json").write_text(
        json.dumps({"events": [{"kind": "visit_cancelled", "visit_id": "V3"}]}), encoding="utf-8"
    )
    (root / "orders.csv").write_text(  # a hand-edited order for retime
        "caregiver_id,visit_id,start\nB,V1,\nB,V2,2026-11-24T09:40\nA,V3,\n", encoding="utf-8"
    )


def _variant(root: Path) -> None:
    (root / "fewer.json").write_text(
        json.dumps({"remove_caregivers": ["B"], "widen_windows_min": 30}), encoding="utf-8"
    )


TINY = str(DATA / "tiny_csv")
TARGETS = (
    Target(
        "scenario-csv",
        _tiny_csv,
        ("s/caregivers.csv", "s/clients.csv", "s/visits.csv", "s/scenario.json"),
        (lambda r, o: ["validate", str(r / "s")], lambda r, o: ["solve", str(r / "s"), "-o", str(o), *SOLVE]),
    ),
    Target(
        "scenario-json",
        _tiny_json,
        ("s.json",),
        (lambda r, o: ["validate", str(r / "s.json")], lambda r, o: ["solve", str(r / "s.json"), "-o", str(o), *SOLVE]),
    ),
    Target(
        "matrix",
        _matrix,
        ("s/drive.csv", "s/scenario.json"),
        (lambda r, o: ["validate", str(r / "s")], lambda r, o: ["solve", str(r / "s"), "-o", str(o), *SOLVE]),
    ),
    Target(
        "plan-json",
        _tiny_plan,
        ("p/plan.json", "p/agency.json"),
        (
            lambda r, o: ["validate", str(r / "p" / "plan.json")],
            lambda r, o: ["plan", str(r / "p" / "plan.json"), "--start", "2026-11-30", "--days", "1", "-o", str(o), *SOLVE],
        ),
    ),
    Target(
        "plan-csv",
        _tiny_plan_csv,
        ("p/plan.json", "p/availability.csv", "p/time_off.csv", "p/orders.csv", "p/caseload.csv", "p/history.csv"),
        (
            lambda r, o: ["validate", str(r / "p")],
            lambda r, o: ["plan", str(r / "p"), "--start", "2026-11-30", "--days", "1", "-o", str(o), *SOLVE],
        ),
    ),
    Target(
        "policy",
        _policy,
        ("policy.toml",),
        (
            lambda r, o: ["plan", str(r / "p" / "plan.json"), "--policy", str(r / "policy.toml"), "--start", "2026-11-30", "--days", "1", "-o", str(o), *SOLVE],
        ),
    ),
    Target(
        "variant",
        _variant,
        ("fewer.json",),
        (lambda r, o: ["whatif", TINY, "--variant", f"fewer={r / 'fewer.json'}", "-o", str(o), *SOLVE, "--workers", "1"],),
    ),
)  # fmt: skip


def _cases() -> list[tuple[Target, int]]:
    return [(t, k) for t in TARGETS for k in range(CASES_PER_TARGET)]


def _assert_clean(result: Result, case: Case, root: Path, out: Path, command: list[str]) -> None:
    said = f"{case} via {command[0]}:\n{result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{said}\n{result.exception!r}"
    )
    assert "Traceback" not in result.output, said
    assert result.exit_code in (0, 1, 2), said
    if result.exit_code == 2:  # a file of the input named (a broken id shows where it is used)
        assert f"{root}{os.sep}" in result.output, f"no input file named: {said}"
        if case.kind == "cell":  # the record: its row, field, or the ids of a matrix pair
            named = any(part in result.output for part in ("row ", "field ", "(id "))
            assert named, f"neither row, field nor ids named: {said}"
    if result.exit_code == 2:  # exit 1 (a roster breaking rules) may write it, with its faults
        assert not out.exists(), f"written although refused: {said}"


@pytest.mark.parametrize(("target", "k"), _cases(), ids=lambda v: getattr(v, "name", str(v)))
def test_a_broken_input_is_refused_cleanly_or_used(target: Target, k: int, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    target.lay_out(root)
    rng = random.Random(f"{target.name}-{k}")
    file = root / rng.choice(target.files)
    case = breaker(file)(file, rng)
    case = Case(str(file.relative_to(root)), case.how, case.kind)
    for i, command in enumerate(target.commands):
        out = tmp_path / f"out{i}"
        args = command(root, out)
        result = runner.invoke(app, args)
        _assert_clean(result, case, root, out, args)
        if result.exit_code != 0:
            break


@pytest.mark.parametrize("k", range(CASES_PER_TARGET))
def test_a_broken_roster_events_or_order_is_refused_cleanly_or_used(
    k: int, tmp_path: Path, published: Path
) -> None:
    _events(tmp_path)
    rng = random.Random(f"repair-{k}")
    name = rng.choice(["events.csv", "events.json", "roster.json", "orders.csv"])
    if name == "roster.json":
        shutil.copytree(published, tmp_path / "base", symlinks=False)
        file = tmp_path / "base" / "roster.json"
    else:
        file = tmp_path / name
    case = breaker(file)(file, rng)
    base = tmp_path / "base" if name == "roster.json" else published
    events = tmp_path / ("events.csv" if name == "roster.json" else name)
    out = tmp_path / "repaired"
    args = [
        "repair",
        TINY,
        str(base),
        str(events),
        "--at",
        "2026-11-24T07:00",
        "-o",
        str(out),
        *SOLVE,
    ]
    _assert_clean(runner.invoke(app, args), case, tmp_path, out, args)
    check = ["check", TINY, str(base / "roster.json")]
    _assert_clean(runner.invoke(app, check), case, tmp_path, tmp_path / "nothing", check)
    report = ["report", str(base), "--scenario", TINY, "-o", str(tmp_path / "report")]
    _assert_clean(runner.invoke(app, report), case, tmp_path, tmp_path / "report", report)
    retimed = tmp_path / "retimed"
    retime = ["retime", TINY, str(tmp_path / "orders.csv"), "-o", str(retimed), "-q"]
    _assert_clean(runner.invoke(app, retime), case, tmp_path, retimed, retime)


# --- the classes that failed, each as a named case --------------------------------------------


def _edited(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "s"
    shutil.copytree(DATA / "tiny_csv", folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "named"),
    [
        ("clients.csv", "P1,50.005", "P1,nan", "clients.csv, row 2 (id P1), field 'lat'"),
        ("clients.csv", "P1,50.005,11.555", "P1,50.005,inf", "clients.csv, row 2 (id P1), field 'lon'"),
        ("clients.csv", "P1,50.005", "P1,1e308", "clients.csv, row 2 (id P1), field 'lat'"),
        ("visits.csv", "V1,P1,30", "V1,P1,1e308", "visits.csv, row 2 (id V1), field 'duration_min'"),
        ("visits.csv", "2026-11-24T08:00/09:00", "0001-01-01T08:00/09:00", "visits.csv, row 2 (id V1), field 'windows'"),
        ("visits.csv", "2026-11-24T08:00/09:00", "soon/later", "visits.csv, row 2 (id V1), field 'windows'"),
        ("visits.csv", "2026-11-24T08:00/09:00", "2026-11-24T08:00/2026-11-24T09:00+01:00", "visits.csv, row 2 (id V1), field 'windows'"),
        ("visits.csv", "V2,P1", 'V2,"P1', "visits.csv"),
        ("scenario.json", '"tiny"', '"tiny", "settings": {"weights": {"travel_per_s": 1e308}}', "scenario.json, field 'settings.weights.travel_per_s'"),
        ("scenario.json", '"tiny"', '"tiny", "settings": {"travel": {"model": "road", "map_file": "gone.osm"}}', "scenario.json, field 'settings.travel.map_file'"),
    ],
)  # fmt: skip
def test_each_class_that_crashed_is_refused_with_its_place_named(
    tmp_path: Path, file: str, old: str, new: str, named: str
) -> None:
    folder = _edited(tmp_path, file, old, new)
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(folder), "-o", str(out), *SOLVE])
    assert result.exit_code == 2, result.output
    assert named in result.output and "Traceback" not in result.output, result.output
    assert not out.exists()


def test_times_with_and_without_an_offset_in_one_file_are_the_same_moments(tmp_path: Path) -> None:
    # 08:00 Berlin in November is 07:00 UTC: the two spellings of V1's window solve alike
    folder = _edited(tmp_path, "visits.csv", "2026-11-24T08:00/09:00", "2026-11-24T07:00Z/08:00Z")
    scenario, twin = load_scenario(folder), load_scenario(DATA / "tiny_csv")
    assert scenario.visits[0].windows == twin.visits[0].windows


def test_a_deeply_nested_or_binary_file_is_refused_naming_it(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_bytes(bytes(range(128, 256)))
    plan = DATA / "tiny_plan" / "plan.json"
    for args, named in (
        (["validate", str(deep)], "deep.json: not usable JSON: nested too deeply"),
        (["plan", str(plan), "--policy", str(policy), "--start", "2026-11-30"], "policy.toml: not a text file"),
    ):  # fmt: skip
        result = runner.invoke(app, [*args])
        assert result.exit_code == 2 and named in result.output, result.output


def test_unknown_weekday_codes_in_a_plan_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(DATA / "tiny_plan_csv", folder)
    shutil.copy(DATA / "tiny_plan" / "agency.json", folder / "agency.json")
    (folder / "plan.json").write_text('{"agency": "agency.json"}', encoding="utf-8")
    text = (folder / "orders.csv").read_text(encoding="utf-8").replace("MO;WE", "MO;WX")
    (folder / "orders.csv").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2, result.output
    assert "orders.csv, row 5 (id c2-wound), field 'days'" in result.output
    assert "unknown weekday 'WX'" in result.output


@pytest.mark.parametrize("k", range(CASES_PER_TARGET // 2))
def test_a_broken_import_leaves_the_store_as_it_was(k: int, tmp_path: Path) -> None:
    from scheduler.store.agency import read_agency
    from scheduler.store.db import make_engine

    url = f"sqlite:///{tmp_path / 'agency.db'}"
    for args in (["db", "init", "--db", url], ["db", "import", TINY, "--db", url]):
        assert runner.invoke(app, args).exit_code == 0
    _tiny_plan_csv(tmp_path)
    rng = random.Random(f"import-{k}")
    file = tmp_path / "p" / rng.choice(["plan.json", "agency.json", "orders.csv", "caseload.csv"])
    case = breaker(file)(file, rng)
    args = ["db", "import", str(tmp_path / "p"), "--db", url]
    result = runner.invoke(app, args)
    _assert_clean(result, case, tmp_path, tmp_path / "nothing", args)
    if result.exit_code != 0:  # refused: the agency imported before is there as it was
        with make_engine(url).connect() as db:
            assert read_agency(db) == load_scenario(DATA / "tiny_csv").model_copy(
                update={"visits": ()}
            )
