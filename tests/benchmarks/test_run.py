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


def test_report_lets_a_later_run_replace_earlier_rows(tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    main(["solomon", "--instances", "C101", "--time-limit", "1", "--out", str(first)])
    rows = list(csv.DictReader(first.open(encoding="utf-8")))
    rows[0]["cost"], rows[0]["gap_pct"] = "999.0", "20.5"
    with second.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert main(["solomon", "--report", str(first), str(second)]) == 0
    table = capsys.readouterr().out
    assert "| C101 | 828.94 | 20.50 |" in table


def test_report_shows_the_worst_seed_of_an_instance(tmp_path: Path, capsys) -> None:
    first, both = tmp_path / "first.csv", tmp_path / "both.csv"
    main(["solomon", "--instances", "C101", "--time-limit", "1", "--out", str(first)])
    (row,) = list(csv.DictReader(first.open(encoding="utf-8")))
    rows = [{**row, "seed": "1", "gap_pct": "1.0"}, {**row, "seed": "2", "gap_pct": "3.0"}]
    with both.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerows(rows)
    capsys.readouterr()
    assert main(["solomon", "--report", str(both)]) == 0
    table = capsys.readouterr().out
    assert "| C101 | 828.94 | 2.00 (worst 3.00) |" in table
    assert "| C1 | 1 | 2.00 |" in table  # family means stay plain
