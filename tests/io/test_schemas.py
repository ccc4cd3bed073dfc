"""The JSON Schemas: generated from the models, current in docs/schemas/, and the bundled
files valid against them (and a broken one not)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scheduler import solve
from scheduler.io.scenario_files import load_scenario
from scheduler.io.schemas import KINDS, json_schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
DATA = ROOT / "tests" / "data"


def _errors(kind: str, document: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(json_schema(kind))
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("kind", KINDS)
def test_the_schemas_in_docs_are_current(kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema(kind))
    stored = json.loads((ROOT / "docs" / "schemas" / f"{kind}.schema.json").read_text())
    assert stored == json_schema(kind), f"regenerate: scheduler schema {kind}"


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("scenario", SAMPLES / "bayreuth" / "scenario.json"),
        ("scenario", DATA / "tiny_plan" / "agency.json"),
        ("plan", SAMPLES / "bayreuth-week" / "plan.json"),
        ("plan", DATA / "tiny_plan" / "plan.json"),
        ("events", SAMPLES / "bayreuth-repair" / "events.json"),
        ("changes", SAMPLES / "bayreuth-whatif" / "hire.json"),
        ("changes", SAMPLES / "bayreuth-whatif" / "wider.json"),
        ("changes", SAMPLES / "bayreuth-whatif" / "week-hire.json"),
    ],
)
def test_the_bundled_files_are_valid(kind: str, path: Path) -> None:
    assert _errors(kind, json.loads(path.read_text(encoding="utf-8"))) == []


def test_a_written_roster_is_valid_and_a_broken_one_is_not() -> None:
    roster = solve(load_scenario(DATA / "tiny_csv"), time_limit_s=2, solution_limit=50)
    document = json.loads(roster.model_dump_json(by_alias=True))
    assert _errors("roster", document) == []
    del document["routes"][0]["caregiver_id"]
    assert _errors("roster", document)
    broken_plan = json.loads((DATA / "tiny_plan" / "plan.json").read_text(encoding="utf-8"))
    broken_plan["availability"][0]["days"] = 5
    assert _errors("plan", broken_plan)
