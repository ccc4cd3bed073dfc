"""Plan mode on small named days: a good order keeps its rules, a hand-broken one is timed and
every rule it breaks reported; double-handed copies start together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scheduler import check_roster
from scheduler.errors import RosterFileError
from scheduler.io.roster_files import read_orders
from scheduler.ops.retime import OrderedStop, retime
from tests.builders import (
    assignment,
    at,
    caregiver,
    client,
    place,
    scenario,
    solve_checked,
    start_of,
    visit,
)

DAY = scenario(
    [caregiver("A"), caregiver("B", home=place(0.5, 0))],
    [client("P", where=place(1, 0)), client("Q", where=place(2, 0))],
    [
        visit("EARLY", "P", window=("08:30", "09:00")),
        visit("LATE", "Q", window=("11:00", "11:30")),
        visit("LIFT", "Q", window=("09:30", "10:30"), caregivers_required=2),
    ],
)


def _order(*ids: str) -> list[OrderedStop]:
    return [OrderedStop(i) for i in ids]


def test_a_solved_order_without_its_times_keeps_every_rule() -> None:
    roster = solve_checked(DAY)
    orders = {r.caregiver_id: _order(*(s.visit_id for s in r.stops)) for r in roster.routes}
    result = retime(DAY, orders)
    assert result.violations == ()
    assert check_roster(DAY, result.roster) == []
    assert assignment(result.roster) == assignment(roster)


def test_a_hand_broken_order_is_timed_and_its_broken_window_reported() -> None:
    # A serves LATE first: EARLY then starts after its window closes.
    result = retime(DAY, {"A": _order("LATE", "EARLY"), "B": _order()})
    assert start_of(result.roster, "LATE") == at("11:00").replace(
        tzinfo=start_of(result.roster, "LATE").tzinfo
    )
    broken = [v for v in result.violations if "EARLY" in str(v)]
    assert broken and all(v.rule == "visit_window" for v in broken)
    assert any(u.visit_id == "LIFT" for u in result.roster.unassigned)


def test_double_handed_copies_start_together() -> None:
    # B arrives earlier than A (A first serves EARLY): both start LIFT when A can.
    result = retime(DAY, {"A": _order("EARLY", "LIFT", "LATE"), "B": _order("LIFT")})
    starts = {
        r.caregiver_id: s.start
        for r in result.roster.routes
        for s in r.stops
        if s.visit_id == "LIFT"
    }
    assert starts["A"] == starts["B"]
    assert result.violations == ()


def test_a_given_time_later_than_the_earliest_is_kept() -> None:
    later = at("09:00").replace(tzinfo=None)
    result = retime(DAY, {"A": [OrderedStop("EARLY", later)]})
    assert start_of(result.roster, "EARLY").replace(tzinfo=None) == later
    # leaving home as late as that start allows (2.6 min away)
    departure = result.roster.routes[0].departure
    assert timedelta(0) < start_of(result.roster, "EARLY") - departure < timedelta(minutes=5)
    assert result.violations == ()


def test_orders_from_a_csv_name_their_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "edited.csv"
    path.write_text(
        "caregiver_id,visit_id,start\nA,LATE,\nA,EARLY,2026-11-24T09:00\nB,LIFT,soon\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterFileError) as caught:
        read_orders(path)
    assert [(p.row, p.field) for p in caught.value.problems] == [(4, "start")]
    path.write_text("caregiver_id,visit_id\nA,LATE\nA,EARLY\n", encoding="utf-8")
    assert [s.visit_id for s in read_orders(path)["A"]] == ["LATE", "EARLY"]
    with pytest.raises(RosterFileError):
        retime(DAY, {"NOBODY": _order("EARLY")})
