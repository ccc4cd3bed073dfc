"""Same-day repair on small named days: what has started stays, the rules hold on the day as it
now is, churn is weighed, and every change is listed with whom to tell."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scheduler import SolveParams, check_roster, solve
from scheduler.domain.events import (
    CaregiverLate,
    CaregiverUnavailable,
    ClientUnavailable,
    LocatedEvent,
    VisitAdded,
    VisitCancelled,
    VisitChanged,
)
from scheduler.errors import EventsError
from scheduler.ops.repair import RepairResult, repair
from scheduler.solution.roster import Roster
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

PARAMS = SolveParams(time_limit_s=3, seed=1, solution_limit=300)

# WEST lives by the west clients, EAST by the east ones; each has a morning and a late-morning
# visit on their side.
DAY = scenario(
    [caregiver("WEST", home=place(-2, 0)), caregiver("EAST", home=place(2, 0))],
    [client(c, where=place(x, 0)) for c, x in (("W", -2.2), ("W2", -1.8), ("E", 2.2), ("E2", 1.8))],
    [
        visit("W_AM", "W", window=("09:00", "09:15")),
        visit("W_LATE", "W2", window=("11:00", "12:00")),
        visit("E_AM", "E", window=("09:00", "09:15")),
        visit("E_LATE", "E2", window=("11:00", "12:00")),
    ],
)


def _events(*events: object) -> list[LocatedEvent]:
    return [LocatedEvent(e, "events.json", f"events[{i}]") for i, e in enumerate(events)]  # type: ignore[arg-type]


def _repaired(day, roster: Roster, *events: object, when: str = "09:20") -> RepairResult:  # type: ignore[no-untyped-def]
    result = repair(day, roster, _events(*events), at(when), PARAMS)
    assert check_roster(result.day, result.roster) == []
    return result


@pytest.fixture(scope="module")
def published() -> Roster:
    roster = solve_checked(DAY)
    assert assignment(roster) == {
        "W_AM": ["WEST"],
        "W_LATE": ["WEST"],
        "E_AM": ["EAST"],
        "E_LATE": ["EAST"],
    }
    return roster


def test_nothing_happened_changes_nothing(published: Roster) -> None:
    result = _repaired(DAY, published)
    assert result.changes == ()
    assert assignment(result.roster) == assignment(published)


def test_a_caregiver_off_sick_keeps_what_was_started_and_hands_on_the_rest(
    published: Roster,
) -> None:
    sick = CaregiverUnavailable(caregiver_id="WEST", start=at("10:00"))
    result = _repaired(DAY, published, sick)
    served = assignment(result.roster)
    assert "W_AM" in result.frozen and served["W_AM"] == ["WEST"]
    assert start_of(result.roster, "W_AM") == start_of(published, "W_AM")
    assert served["W_LATE"] == ["EAST"]
    # EAST does its own late-morning visit first, so W_LATE also starts later
    assert [(c.visit_id, c.kind) for c in result.changes] == [("W_LATE", "reassigned+moved")]
    told = {(n.whom, n.id) for n in result.notifications}
    assert told == {("caregiver", "WEST"), ("caregiver", "EAST"), ("client", "W2")}


def test_the_current_trip_stays_and_a_late_caregiver_arrives_later(published: Roster) -> None:
    # At 09:50 both have finished their morning visit: the late-morning one is their current
    # trip (they are on their way, or waiting there).
    late = CaregiverLate(caregiver_id="EAST", minutes=40)
    result = _repaired(DAY, published, late, when="09:50")
    assert {"E_LATE", "W_LATE"} <= set(result.frozen)
    delayed = start_of(result.roster, "E_LATE") - start_of(published, "E_LATE")
    assert delayed == timedelta(minutes=40)
    assert [(c.visit_id, c.kind) for c in result.changes] == [("E_LATE", "moved")]


def test_a_cancelled_visit_is_listed_and_its_people_told(published: Roster) -> None:
    result = _repaired(DAY, published, VisitCancelled(visit_id="E_LATE"))
    assert "E_LATE" not in assignment(result.roster)
    (change,) = result.changes
    assert (change.visit_id, change.kind, change.old_caregivers) == (
        "E_LATE",
        "cancelled",
        ("EAST",),
    )
    assert {(n.whom, n.id) for n in result.notifications} == {
        ("caregiver", "EAST"),
        ("client", "E2"),
    }


def test_an_urgent_visit_is_added_to_the_nearest_free_caregiver(published: Roster) -> None:
    urgent = visit("URGENT", "E", window=("13:00", "14:00"), priority=5)
    result = _repaired(DAY, published, VisitAdded(visit=urgent))
    assert assignment(result.roster)["URGENT"] == ["EAST"]
    assert [(c.visit_id, c.kind) for c in result.changes] == [("URGENT", "added")]


def test_a_client_away_loses_the_visits_that_would_overlap(published: Roster) -> None:
    away = ClientUnavailable(client_id="W2", start=at("10:30"), end=at("11:40"))
    result = _repaired(DAY, published, away)
    start = start_of(result.roster, "W_LATE")
    assert start >= at("11:40").replace(tzinfo=start.tzinfo)
    all_day = ClientUnavailable(client_id="W2", start=at("10:00"))
    gone = _repaired(DAY, published, all_day)
    assert [(c.visit_id, c.kind) for c in gone.changes] == [("W_LATE", "cancelled")]


def test_a_published_caregiver_is_kept_where_a_fresh_solve_would_change() -> None:
    # FAR did the late visit (pinned when published); a little more travel than NEAR.
    near, far = caregiver("NEAR", home=place(0, 0)), caregiver("FAR", home=place(-0.6, 0))
    visits = [visit("V", "P", window=("10:00", "11:00"))]
    pinned = scenario(
        [near, far], [client("P")], [visits[0].model_copy(update={"pinned_caregiver": "FAR"})]
    )
    roster = solve_checked(pinned)
    day = scenario([near, far], [client("P")], visits)
    assert assignment(solve_checked(day)) == {"V": ["NEAR"]}
    result = _repaired(day, roster)
    assert assignment(result.roster) == {"V": ["FAR"]}
    # the churn weights are what keeps FAR: without them the repair is a fresh solve
    weights = day.settings.weights.model_copy(
        update={"changed_caregiver": 0, "moved_start": 0, "new_caregiver_for_client": 0}
    )
    free = day.model_copy(update={"settings": day.settings.model_copy(update={"weights": weights})})
    assert assignment(_repaired(free, roster).roster) == {"V": ["NEAR"]}


def test_a_published_start_is_kept_when_a_window_widens() -> None:
    day = scenario(
        [caregiver("A")],
        [client("P"), client("Q", where=place(1.5, 0))],
        [
            visit("FIRST", "P", window=("09:00", "09:00")),
            visit("LATER", "Q", window=("12:00", "12:00")),
        ],
    )
    roster = solve_checked(day)
    wider = VisitChanged(visit_id="LATER", windows=({"start": at("09:00"), "end": at("13:00")},))
    result = _repaired(day, roster, wider, when="08:00")
    kept = start_of(result.roster, "LATER") - start_of(roster, "LATER")
    assert abs(kept) <= timedelta(minutes=15) and result.changes == ()
    fresh = solve(result.day, params=PARAMS)
    assert start_of(fresh, "LATER") < start_of(roster, "LATER") - timedelta(hours=1)


def test_events_naming_what_is_not_there_are_errors_with_their_row(published: Roster) -> None:
    events = _events(
        CaregiverUnavailable(caregiver_id="NOBODY", start=at("10:00")),
        VisitChanged(visit_id="W_AM", duration_min=60),
    )
    with pytest.raises(EventsError) as caught:
        repair(DAY, published, events, at("09:20"), PARAMS)
    problems = [(p.row, p.field, p.message) for p in caught.value.problems]
    assert problems == [
        ("events[0]", "caregiver_id", "no such caregiver"),
        ("events[1]", "visit_id", "the visit has already started"),
    ]


def test_a_double_handed_visit_under_way_keeps_both_caregivers(tmp_path: Path) -> None:
    day = scenario(
        [caregiver("A"), caregiver("B", home=place(0.2, 0)), caregiver("C", home=place(0.4, 0))],
        [client("P")],
        [
            visit("LIFT", "P", window=("09:00", "09:00"), caregivers_required=2),
            visit("AFTER", "P", window=("11:00", "12:00")),
        ],
    )
    roster = solve_checked(day)
    pair = sorted(assignment(roster)["LIFT"])
    sick = CaregiverUnavailable(caregiver_id=pair[0], start=at("09:40"))
    result = _repaired(day, roster, sick, when="09:10")
    assert sorted(assignment(result.roster)["LIFT"]) == pair
    assert pair[0] not in assignment(result.roster).get("AFTER", [])


def test_on_a_large_day_only_the_events_neighbourhood_is_re_solved() -> None:
    # Decomposition from 0 stops makes this a "large" day: WEST_2 is the one caregiver near
    # the added visit's client; FAR's route, far east, stays as published, and the added
    # visit's lag after FAR's insulin visit becomes a window (08:30-09:30), which the west
    # caregivers, starting at 09:45, cannot reach.
    params = SolveParams(
        time_limit_s=3, seed=1, solution_limit=300, decompose_above_stops=0, part_routes=2
    )
    caregivers = [
        caregiver("WEST_1", home=place(-10, 0), shift=("09:45", "16:00")),
        caregiver("WEST_2", home=place(-9.8, 0), shift=("09:45", "16:00")),
        caregiver("FAR", home=place(10, 0), shift=("07:00", "15:00")),
    ]
    clients = [client("E", where=place(10.2, 0)), client("W", where=place(-9.9, 0))]
    day = scenario(caregivers, clients, [visit("INSULIN", "E", window=("08:00", "08:00"))])
    roster = solve_checked(day)
    assert assignment(roster) == {"INSULIN": ["FAR"]}
    lag = {"after": "INSULIN", "min_lag_min": 30, "max_lag_min": 90}
    breakfast = visit("BREAKFAST", "W", window=("08:00", "12:00"), dependency=lag)
    result = repair(day, roster, _events(VisitAdded(visit=breakfast)), at("07:00"), params)
    assert check_roster(result.day, result.roster) == []
    assert result.roster.solve_info is not None
    assert "2 of 3 caregivers" in result.roster.solve_info.status
    assert "BREAKFAST" not in assignment(result.roster)
    assert assignment(result.roster)["INSULIN"] == ["FAR"]


@pytest.mark.parametrize(
    ("event", "when"),
    [
        (CaregiverUnavailable(caregiver_id="WEST", start=at("15:00")), "09:20"),
        (CaregiverLate(caregiver_id="EAST", minutes=5), "09:20"),
        (ClientUnavailable(client_id="E2", start=at("14:00"), end=at("15:00")), "09:20"),
        (VisitChanged(visit_id="E_LATE", duration_min=40), "09:20"),
        (VisitCancelled(visit_id="E_AM"), "08:00"),  # binds: listed, nothing else moves
    ],
    ids=["sick-after-the-day", "late-within-slack", "client-away-later", "longer", "cancel"],
)
def test_an_event_that_does_not_bind_moves_nobody_else(
    published: Roster, event: object, when: str
) -> None:
    result = _repaired(DAY, published, event, when=when)
    others = [c for c in result.changes if c.kind != "cancelled"]
    assert others == []
    kept = {v: cg for v, cg in assignment(published).items() if v in assignment(result.roster)}
    assert kept == {v: assignment(result.roster)[v] for v in kept}


def test_a_skill_the_visit_now_needs_moves_it_to_who_has_it() -> None:
    day = scenario(
        [caregiver("A"), caregiver("B", home=place(1, 0), skills=("personal_care", "wound"))],
        [client("P", where=place(0.1, 0))],
        [visit("DRESSING", "P", window=("10:00", "11:00"))],
    )
    roster = solve_checked(day)
    assert assignment(roster) == {"DRESSING": ["A"]}
    wound = VisitChanged(visit_id="DRESSING", required_skills=frozenset({"wound"}))
    result = _repaired(day, roster, wound, when="08:00")
    assert assignment(result.roster) == {"DRESSING": ["B"]}
    (change,) = result.changes
    assert change.visit_id == "DRESSING" and change.kind.startswith("reassigned")
