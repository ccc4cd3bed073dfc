from __future__ import annotations

import pytest
from pydantic import ValidationError

from scheduler.domain.validation import find_reference_problems
from tests.builders import at, caregiver, client, scenario, visit


def test_window_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValidationError, match="before it starts"):
        visit("V", "P", window=("10:00", "09:00"))


def test_overlapping_windows_are_rejected() -> None:
    from scheduler import TimeWindow

    with pytest.raises(ValidationError, match="overlap"):
        visit(
            "V",
            "P",
            windows=(
                TimeWindow(start=at("08:00"), end=at("10:00")),
                TimeWindow(start=at("09:00"), end=at("11:00")),
            ),
        )


def test_reference_problems_are_all_collected() -> None:
    sc = scenario(
        [caregiver("A"), caregiver("A")],
        [client("P", excluded_caregivers=["Z"])],
        [
            visit("V1", "Q"),
            visit("V2", "P", dependency={"after": "V3"}),
            visit("V3", "P", dependency={"after": "V2"}),
        ],
    )
    messages = [f.message for f in find_reference_problems(sc)]
    assert "duplicate id 'A'" in messages
    assert "unknown caregiver 'Z'" in messages
    assert "unknown client 'Q'" in messages
    assert any(m.startswith("dependency cycle") for m in messages)


def test_overlapping_shifts_of_one_caregiver_are_rejected() -> None:
    from scheduler import Shift

    cg = caregiver("A").model_copy(
        update={
            "shifts": (
                Shift(start=at("08:00"), end=at("12:00")),
                Shift(start=at("11:00"), end=at("15:00")),
            )
        }
    )
    found = find_reference_problems(scenario([cg], [], []))
    assert any("shifts overlap" in f.message for f in found)


def test_a_copied_scenario_never_keeps_stale_lookups() -> None:
    from tests.builders import caregiver, client, scenario, visit

    sc = scenario([caregiver("A")], [client("P")], [visit("V", "P")])
    assert sc.caregivers_by_id["A"].capacity is None  # the look-up is now cached on sc
    changed = sc.model_copy(update={"caregivers": (caregiver("A", capacity=3),)})
    assert changed.caregivers_by_id["A"].capacity == 3
