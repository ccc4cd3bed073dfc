from __future__ import annotations

from pathlib import Path

import pandas as pd

from scheduler import load_scenario, read_roster, write_roster
from tests.builders import solve_checked

DATA = Path(__file__).parent.parent / "data"


def test_roster_round_trips_and_csv_has_a_row_per_visit(tmp_path: Path) -> None:
    sc = load_scenario(DATA / "tiny_csv")
    roster = solve_checked(sc)
    written = write_roster(sc, roster, tmp_path)
    assert sorted(p.name for p in written) == [
        "roster.csv",
        "roster.json",
        "summary.txt",
        "unassigned.csv",
    ]
    assert read_roster(tmp_path / "roster.json") == roster
    frame = pd.read_csv(tmp_path / "roster.csv")
    assert len(frame) == sum(len(r.stops) for r in roster.routes)
    assert list(frame.columns)[:3] == ["caregiver_id", "visit_id", "client_id"]
    assert not list(tmp_path.glob(".roster-*"))  # no staging folder left behind
    assert "Visits assigned" in (tmp_path / "summary.txt").read_text()
