"""Real signals to a real `scheduler solve`: Ctrl-C and SIGTERM keep the best roster found so
far, a second Ctrl-C aborts without writing, and SIGKILL at any moment leaves the output
folder showing one whole run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from scheduler.io.scenario_files import save_scenario
from scheduler.synthetic import generate_day

SCHEDULER = [sys.executable, "-m", "scheduler.cli.app"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("day") / "day.json"
    save_scenario(generate_day(80, 10, seed=3), path)
    return path


def _start(
    scenario: Path, out: Path, time_limit_s: float, report: bool = False
) -> subprocess.Popen[str]:
    command = [*SCHEDULER, "solve", str(scenario), "--out", str(out)]
    command += ["--report" if report else "--no-report"]
    command += ["--time-limit", str(time_limit_s), "--seed", "1"]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=out.parent
    )


def _searching(process: subprocess.Popen[str]) -> None:
    """Wait for the first progress line: the routing search is running."""
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("["):
            return
    raise AssertionError("the solve ended before it reported any progress")


def _whole(out: Path) -> dict[str, object]:
    """The output folder shows one run's files, all of them, agreeing with each other."""
    roster = json.loads((out / "roster.json").read_text(encoding="utf-8"))
    stops = sorted(s["visit_id"] for r in roster["routes"] for s in r["stops"])
    assert sorted(pd.read_csv(out / "roster.csv")["visit_id"]) == stops
    left_out = pd.read_csv(out / "unassigned.csv")["visit_id"].tolist()
    assert sorted(left_out) == sorted(u["visit_id"] for u in roster["unassigned"])
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    assert f"Visits assigned:   {len(set(stops))} of" in summary
    return roster


def _check(scenario: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SCHEDULER, "check", str(scenario), str(out / "roster.json")],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_search_and_writes_its_best_roster(
    scenario: Path, tmp_path: Path, signum: int, status: int
) -> None:
    out = tmp_path / "out"
    process = _start(scenario, out, time_limit_s=120)
    _searching(process)
    sent = time.monotonic()
    process.send_signal(signum)
    process.wait(timeout=60)
    assert process.returncode == status
    assert time.monotonic() - sent < 15  # not the 120 s limit
    roster = _whole(out)
    assert roster["solve_info"]["interrupted"] is True
    assert "interrupted" in (out / "summary.txt").read_text(encoding="utf-8")
    checked = _check(scenario, out)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_second_ctrl_c_aborts_without_writing(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # the report takes the first stop's writing well past the second Ctrl-C
    process = _start(scenario, out, time_limit_s=120, report=True)
    _searching(process)
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    assert process.returncode == 130
    assert not out.exists()


def test_sigkill_at_any_moment_leaves_one_whole_run_and_the_next_run_cleans_up(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = _start(scenario, out, time_limit_s=2)
    first.communicate(timeout=60)
    assert first.returncode == 0
    finished = _whole(out)
    rng = random.Random(7)
    for _ in range(5):
        process = _start(scenario, out, time_limit_s=2)
        time.sleep(rng.uniform(0.5, 5.0))  # starting, searching, or writing
        process.kill()
        process.communicate()
        roster = _whole(out)  # the earlier run's, or a new whole one
        assert roster["scenario"] == finished["scenario"]
    last = _start(scenario, out, time_limit_s=1)
    last.communicate(timeout=60)
    assert last.returncode == 0
    _whole(out)
    versions = tmp_path / ".out.versions"
    assert not [p for p in versions.iterdir() if not p.name.startswith("v")]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.versions", "out"]
    assert os.path.islink(out)
