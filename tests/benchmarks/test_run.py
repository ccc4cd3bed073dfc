"""Micro benchmark smoke check: the runner end to end on one Solomon instance (no timing
asserted)."""

from __future__ import annotations

import csv
from pathlib import Path

from benchmarks.run import main


def test_runner_writes_a_scored_row_for_ours(tmp_path: Path) -> None:
    out = tmp_path / "run.csv"
    status = main(["solomon", "--instances", "C101", "--time-limit", "1", "--out", str(out)])
    assert status == 0
    (row,) = list(csv.DictReader(out.open(encoding="utf-8")))
    assert row["solver"] == "ours" and row["feasible"] == "True"
    assert float(row["gap_pct"]) >= -1e-6  # C101's best known is optimal
    assert int(row["vehicles"]) <= 25
