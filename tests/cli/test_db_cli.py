"""`scheduler db ...`, `publish`, and `plan`/`solve --db` on tests/data/tiny_plan and
tiny_csv: the lifecycle from the command line, bad input named with exit 2 and nothing
changed, and a store that a killed solve or two solves at once leave whole."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from scheduler.cli.app import app
from scheduler.store import schema as t

DATA = Path(__file__).parents[1] / "data"
PLAN = DATA / "tiny_plan" / "plan.json"
runner = CliRunner()
FAST = ["-t", "5", "--solution-limit", "1500", "--seed", "1", "-q"]


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _count(url: str, table: sa.Table) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            return int(db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


def test_the_lifecycle_from_import_to_actuals(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    _ok("db", "init", "--db", url)
    assert "3 care plans" in _ok("db", "import", str(PLAN), "--db", url)
    out = _ok(
        "plan",
        "--db",
        url,
        "--start",
        "2026-11-30",
        "--days",
        "3",
        "-o",
        str(tmp_path / "w"),
        *FAST,
    )
    assert "Saved draft roster 1" in out
    checked = runner.invoke(
        app, ["check", str(tmp_path / "w" / "scenario.json"), str(tmp_path / "w" / "roster.json")]
    )
    assert checked.exit_code == 0, checked.output
    assert "draft" in _ok("db", "rosters", "--db", url)
    assert "roster 1 published" in _ok("publish", "1", "--db", url)
    delivered = _ok("db", "deliver", "--db", url, "--until", "2026-12-03")
    roster = json.loads((tmp_path / "w" / "roster.json").read_text(encoding="utf-8"))
    first = roster["routes"][0]["stops"][0]
    evv = tmp_path / "evv.csv"
    evv.write_text(
        f"visit_id,actual_start,actual_end\n{first['visit_id']},{first['start']},{first['end']}\n",
        encoding="utf-8",
    )
    assert "1 actual times recorded" in _ok(
        "db", "actuals", str(evv), "--db", url, "-o", str(tmp_path / "r")
    )
    assert (tmp_path / "r" / "planned_vs_actual.csv").exists()
    assert f"{_count(url, t.delivered) - 5} visits recorded" in delivered  # 5: the file's history
    _ok("db", "export", str(tmp_path / "export"), "--db", url)
    assert "OK (plan)" in _ok("validate", str(tmp_path / "export" / "plan.json"))


def test_a_saved_roster_is_repaired_into_a_new_draft_and_bad_events_change_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    _ok("db", "init", "--db", url)
    _ok("db", "import", str(PLAN), "--db", url)
    plan = ["plan", "--db", url, "--start", "2026-11-30", "--days", "1"]
    _ok(*plan, "-o", str(tmp_path / "week"), *FAST)
    roster = json.loads((tmp_path / "week" / "roster.json").read_text(encoding="utf-8"))
    sick = next(r["caregiver_id"] for r in roster["routes"] if r["stops"])
    events = tmp_path / "events.csv"
    events.write_text(f"kind,caregiver_id,start\ncaregiver_unavailable,{sick},2026-11-30T06:00\n")
    repair = ["db", "repair", "1", str(events), "--at", "2026-11-30T06:00", "--db", url]
    out = _ok(*repair, "-o", str(tmp_path / "r"), *FAST)
    assert "saved as draft roster 2 (repairs roster 1)" in out
    assert (tmp_path / "r" / "changes.csv").exists()
    assert "repairs 1" in _ok("db", "rosters", "--db", url)
    assert _count(url, t.events) == 1
    events.write_text("kind,caregiver_id,start\ncaregiver_unavailable,nobody,2026-11-30T06:00\n")
    bad = runner.invoke(app, [*repair, "-o", str(tmp_path / "bad"), *FAST])
    assert bad.exit_code == 2 and "row 2, field 'caregiver_id'" in bad.output, bad.output
    assert (_count(url, t.rosters), _count(url, t.events)) == (2, 1)


def test_a_day_scenario_is_solved_from_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    _ok("db", "init", "--db", url)
    _ok("db", "import", str(DATA / "tiny_csv"), "--db", url)
    out = _ok(
        "solve", "--db", url, "--date", "2026-11-24", "-o", str(tmp_path / "d"), "-t", "2", "-q"
    )
    assert "Saved draft roster 1" in out and _count(url, t.roster_stops) > 0


def test_bad_input_exits_2_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    missing = runner.invoke(app, ["db", "import", str(PLAN), "--db", url])
    assert missing.exit_code == 2 and "scheduler db init" in missing.output
    _ok("db", "init", "--db", url)
    _ok("db", "import", str(PLAN), "--db", url)
    (tmp_path / "agency.json").write_text(
        (DATA / "tiny_plan" / "agency.json").read_text(encoding="utf-8")
    )
    text = PLAN.read_text(encoding="utf-8").replace('"duration_min": 45', '"duration_min": -5')
    (tmp_path / "plan.json").write_text(text, encoding="utf-8")
    before = _count(url, t.orders)
    bad = runner.invoke(app, ["db", "import", str(tmp_path / "plan.json"), "--db", url])
    assert bad.exit_code == 2 and "care_plans[0]" in bad.output and "Traceback" not in bad.output
    assert _count(url, t.orders) == before
    evv = tmp_path / "evv.csv"
    evv.write_text(
        "visit_id,actual_start,actual_end\nnope,2026-11-30T08:00+01:00,soon\n", encoding="utf-8"
    )
    actuals = runner.invoke(app, ["db", "actuals", str(evv), "--db", url])
    assert actuals.exit_code == 2 and "row 2" in actuals.output and "actual_end" in actuals.output
    assert runner.invoke(app, ["publish", "7", "--db", url]).exit_code == 2
    neither = runner.invoke(app, ["plan", "--start", "2026-11-30"])
    assert neither.exit_code == 2


def _plan_process(url: str, out: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "scheduler.cli.app", "plan", "--db", url, "--start", "2026-11-30"]
    args += ["--days", "3", "-o", str(out), "-t", "3", "-q", "--workers", "1"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _whole(url: str) -> None:
    """Every saved roster has all its stops: none half-written."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            assert db.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"
            for row in db.execute(sa.select(t.rosters.c.id, t.rosters.c.roster)):
                stops = sum(len(r["stops"]) for r in row.roster["routes"])
                saved = db.execute(
                    sa.select(sa.func.count()).where(t.roster_stops.c.roster_id == row.id)
                ).scalar_one()
                assert saved == stops
    finally:
        engine.dispose()


def test_a_killed_solve_leaves_the_store_whole_and_two_at_once_are_two_drafts(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'agency.db'}"
    _ok("db", "init", "--db", url)
    _ok("db", "import", str(PLAN), "--db", url)
    rng = random.Random(1)
    for attempt in range(4):
        process = _plan_process(url, tmp_path / f"k{attempt}")
        time.sleep(rng.uniform(1.0, 6.0))  # loading, solving, or saving
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        _whole(url)
    before = _count(url, t.rosters)
    both = [_plan_process(url, tmp_path / f"c{i}") for i in range(2)]
    for process in both:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    _whole(url)
    assert _count(url, t.rosters) == before + 2
