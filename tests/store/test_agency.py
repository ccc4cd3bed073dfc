"""The agency's records in the store: tests/data/tiny_plan and tests/data/tiny_csv imported,
read back as the same models, exported as files the readers take, replaced whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.errors import StoreError
from scheduler.io.plan_files import load_plan
from scheduler.io.scenario_files import load_scenario
from scheduler.store.agency import (
    export_files,
    import_plan,
    import_scenario,
    read_plan,
    read_scenario,
)
from scheduler.store.db import open_store

DATA = Path(__file__).parents[1] / "data"
PLAN = DATA / "tiny_plan" / "plan.json"


def _same_plan(a, b) -> None:  # type: ignore[no-untyped-def]
    for field in ("agency", "policy", "availability", "time_off", "care_plans", "caseload"):
        assert getattr(a, field) == getattr(b, field), field
    assert set(a.history) == set(b.history) and a.continuity_weight == b.continuity_weight


def test_a_plan_reads_back_as_imported_and_exports_as_files(store_url: str, tmp_path: Path) -> None:
    plan = load_plan(PLAN)
    with open_store(store_url) as engine:
        import_plan(engine, plan)
        with engine.connect() as db:
            _same_plan(read_plan(db), plan)
            assert read_plan(db, before=date(2026, 11, 20)).history == tuple(
                sorted(
                    (p for p in plan.history if p.start.date() < date(2026, 11, 20)),
                    key=lambda p: p.start,
                )
            )
        written = export_files(engine, tmp_path / "export")
    assert {p.name for p in written} == {"plan.json", "agency.json", "policy.toml"}
    _same_plan(load_plan(tmp_path / "export" / "plan.json"), plan)


def test_a_scenario_reads_back_by_day(store_url: str, tmp_path: Path) -> None:
    scenario = load_scenario(DATA / "tiny_csv")
    with open_store(store_url) as engine:
        import_scenario(engine, scenario)
        with engine.connect() as db:
            assert read_scenario(db) == scenario
            day = scenario.local_date(scenario.visits[0].windows[0].start)
            assert read_scenario(db, day).visits == scenario.visits
            assert read_scenario(db, date(2020, 1, 1)).visits == ()
        export_files(engine, tmp_path)
    assert load_scenario(tmp_path / "scenario.json") == scenario


def test_an_import_replaces_the_agency_whole(store_url: str) -> None:
    with open_store(store_url) as engine:
        import_plan(engine, load_plan(PLAN))
        scenario = load_scenario(DATA / "tiny_csv")
        import_scenario(engine, scenario)
        with engine.connect() as db:
            assert read_scenario(db) == scenario
            with pytest.raises(StoreError, match="not a plan"):
                read_plan(db)
        import_plan(engine, load_plan(PLAN))
        with engine.connect() as db:
            _same_plan(read_plan(db), load_plan(PLAN))
