"""A small day for the report: three aides and a nurse, a double-handed visit, a client with a
pet, and a visit nobody can make (wound care, and no nurse works at 18:00).

The aides of the double-handed visit have no other visit: a search that has left such a pair
out does not put it back (solve/routing.py), which is the optimiser's matter, not the report's.
"""

from __future__ import annotations

import pytest

from scheduler import Roster, Scenario
from tests.builders import caregiver, client, place, scenario, solve_checked, visit


@pytest.fixture(scope="session")
def small_day() -> tuple[Scenario, Roster]:
    day = scenario(
        [
            caregiver("A1", home=place(0, 0)),
            caregiver("A2", home=place(2, 1)),
            caregiver("A3", home=place(1, 1), skills=("companionship",)),
            caregiver("N1", role="rn", skills=("wound_care",), home=place(-1, 2)),
        ],
        [
            client("C1", where=place(1, 0), has_pets=True, name="Client One"),
            client("C2", where=place(2, 2)),
            client("C3", where=place(-1, 1)),
        ],
        [
            visit("V1", "C1", window=("08:30", "09:30"), skills=("companionship",)),
            visit("V2", "C2", window=("09:00", "11:00"), caregivers_required=2),
            visit("V3", "C3", window=("10:00", "12:00"), skills=("wound_care",)),
            visit("V4", "C1", window=("13:00", "14:00"), skills=("companionship",)),
            visit("LATE", "C3", window=("18:00", "18:30"), skills=("wound_care",)),
        ],
        name="report-day",
    )
    return day, solve_checked(day)
