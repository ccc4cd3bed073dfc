"""Reasons for unassigned visits: each code on the smallest instance that produces it."""

from __future__ import annotations

from scheduler import Shift
from tests.builders import at, caregiver, client, reason, scenario, solve_checked, visit


def test_nobody_qualified_works_that_day() -> None:
    nurse = caregiver("RN1", role="rn", skills=("wound_care",)).model_copy(
        update={"shifts": (Shift(start=at("08:00", "2026-11-25"), end=at("16:00", "2026-11-25")),)}
    )
    sc = scenario([caregiver("A"), nurse], [client("P")], [visit("V", "P", skills=("wound_care",))])
    roster = solve_checked(sc)
    assert reason(roster, "V") == "no_qualified_caregiver_working"
    text = next(u.reason for u in roster.unassigned)
    assert "wound_care" in text and "2026-11-24" in text


def test_the_only_qualified_caregiver_let_the_credential_lapse() -> None:
    nurse = caregiver(
        "RN1",
        role="rn",
        skills=(),
        credentials=[{"name": "wound_care", "valid_until": "2026-11-20"}],
    )
    sc = scenario([caregiver("A"), nurse], [client("P")], [visit("V", "P", skills=("wound_care",))])
    roster = solve_checked(sc)
    assert reason(roster, "V") == "credential_lapsed"
    text = next(u.reason for u in roster.unassigned)
    assert "RN1: wound_care valid until 2026-11-20" in text


def test_all_qualified_are_excluded() -> None:
    sc = scenario([caregiver("A")], [client("P", excluded_caregivers=["A"])], [visit("V", "P")])
    assert reason(solve_checked(sc), "V") == "excluded"


def test_pinned_caregiver_off_duty() -> None:
    off = caregiver("B").model_copy(update={"shifts": ()})
    sc = scenario([caregiver("A"), off], [client("P")], [visit("V", "P", pinned_caregiver="B")])
    assert reason(solve_checked(sc), "V") == "pinned_caregiver_unavailable"


def test_window_reason_names_the_window() -> None:
    sc = scenario([caregiver("A")], [client("P")], [visit("V", "P", window=("06:00", "06:30"))])
    roster = solve_checked(sc)
    text = next(u.reason for u in roster.unassigned)
    assert "06:00–06:30" in text and "unreachable" in text
