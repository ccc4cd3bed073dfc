"""The independent validator: a valid roster passes; each hand-broken rule is caught by name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler import Roster, check_roster
from scheduler.solution.roster import Route, Stop, Unassigned
from tests.builders import caregiver, client, place, scenario, solve_checked, visit

SC = scenario(
    [
        caregiver(
            "A", home=place(0, 0), max_work_min_per_day=240, skills=("personal_care", "wound")
        ),
        caregiver("B", home=place(-2, 0)),
    ],
    [client("P"), client("Q", where=place(3, 0), excluded_caregivers=["B"])],
    [
        visit("V1", "P", window=("09:00", "10:00")),
        visit("V2", "P", window=("10:00", "11:00"), dependency={"after": "V1", "min_lag_min": 30}),
        visit("D", "P", window=("12:00", "13:00"), caregivers_required=2),
        visit("W", "Q", window=("09:00", "15:00"), skills=("wound",)),
    ],
)


@pytest.fixture(scope="module")
def roster() -> Roster:
    r = solve_checked(SC)
    assert not r.unassigned  # everything fits: the mutations below start from a full roster
    return r


def rules_broken(r: Roster) -> set[str]:
    return {v.rule for v in check_roster(SC, r)}


def edit_stop(r: Roster, target: str, **changes: object) -> Roster:
    routes = []
    for route in r.routes:
        stops = tuple(
            s.model_copy(update=changes) if s.visit_id == target else s for s in route.stops
        )
        routes.append(route.model_copy(update={"stops": stops}))
    return r.model_copy(update={"routes": tuple(routes)})


def route_of(r: Roster, visit_id: str) -> Route:
    return next(route for route in r.routes if any(s.visit_id == visit_id for s in route.stops))


def stop_of(r: Roster, visit_id: str) -> Stop:
    return next(s for s in route_of(r, visit_id).stops if s.visit_id == visit_id)


def test_solved_roster_is_valid(roster: Roster) -> None:
    assert check_roster(SC, roster) == []


def test_shifted_start_breaks_window(roster: Roster) -> None:
    s = stop_of(roster, "V1")
    moved = edit_stop(
        roster, "V1", start=s.start - timedelta(hours=2), end=s.end - timedelta(hours=2)
    )
    assert "visit_window" in rules_broken(moved)


def test_shortened_visit_breaks_duration(roster: Roster) -> None:
    s = stop_of(roster, "V1")
    assert "duration" in rules_broken(edit_stop(roster, "V1", end=s.end - timedelta(minutes=5)))


def test_unknown_visit_and_missing_visit_are_caught(roster: Roster) -> None:
    broken = rules_broken(edit_stop(roster, "V1", visit_id="NOPE"))
    assert {"known_ids", "coverage"} <= broken


def test_listing_a_served_visit_as_unassigned_is_caught(roster: Roster) -> None:
    extra = Unassigned(visit_id="V1", client_id="P", reason_code="x", reason="x")
    assert "coverage" in rules_broken(roster.model_copy(update={"unassigned": (extra,)}))


def test_wrong_caregiver_breaks_skill_and_exclusion(roster: Roster) -> None:
    routes = tuple(
        r.model_copy(update={"caregiver_id": "B"}) if any(s.visit_id == "W" for s in r.stops) else r
        for r in roster.routes
    )
    broken = rules_broken(roster.model_copy(update={"routes": routes}))
    assert {"skills", "exclusion"} <= broken


def test_late_return_breaks_shift(roster: Roster) -> None:
    route = route_of(roster, "W")
    late = route.model_copy(update={"return_home": route.return_home + timedelta(hours=8)})
    routes = tuple(late if r is route else r for r in roster.routes)
    assert "shift" in rules_broken(roster.model_copy(update={"routes": routes}))


def test_too_early_departure_breaks_working_time(roster: Roster) -> None:
    route = route_of(roster, "W")
    early = route.model_copy(
        update={
            "departure": route.departure.replace(hour=8, minute=0),
            "return_home": route.return_home.replace(hour=15, minute=59),
        }
    )
    routes = tuple(early if r is route else r for r in roster.routes)
    assert "working_time" in rules_broken(roster.model_copy(update={"routes": routes}))


def test_no_time_to_travel_is_caught(roster: Roster) -> None:
    route = route_of(roster, "W")
    first = route.stops[0]
    tight = route.model_copy(update={"departure": first.start - timedelta(seconds=30)})
    routes = tuple(tight if r is route else r for r in roster.routes)
    assert "travel" in rules_broken(roster.model_copy(update={"routes": routes}))


def test_desynchronised_double_handed_visit_is_caught(roster: Roster) -> None:
    routes, done = [], False
    for route in roster.routes:
        if not done and any(s.visit_id == "D" for s in route.stops):
            done = True
            stops = tuple(
                s.model_copy(
                    update={
                        "start": s.start + timedelta(minutes=1),
                        "end": s.end + timedelta(minutes=1),
                    }
                )
                if s.visit_id == "D"
                else s
                for s in route.stops
            )
            route = route.model_copy(update={"stops": stops})
        routes.append(route)
    assert "synchronised" in rules_broken(roster.model_copy(update={"routes": tuple(routes)}))


def test_dependency_lag_is_checked(roster: Roster) -> None:
    v1 = stop_of(roster, "V1")
    # Put V2 10 minutes after V1: the dependency asks for 30.
    moved = edit_stop(
        roster, "V2", start=v1.start + timedelta(minutes=10), end=v1.start + timedelta(minutes=40)
    )
    assert "dependency" in rules_broken(moved)


def test_overlapping_visits_are_caught(roster: Roster) -> None:
    route = route_of(roster, "V1")
    assert len(route.stops) >= 2
    a, b = route.stops[0], route.stops[1]
    clash = b.model_copy(
        update={
            "start": a.start + timedelta(minutes=1),
            "end": a.start + (b.end - b.start) + timedelta(minutes=1),
        }
    )
    bad = route.model_copy(update={"stops": (a, clash, *route.stops[2:])})
    routes = tuple(bad if r is route else r for r in roster.routes)
    assert "overlap" in rules_broken(roster.model_copy(update={"routes": routes}))


def test_overloaded_route_breaks_capacity(roster: Roster) -> None:
    # The fixture's caregivers carry no limit; give the serving one a capacity of 0 and the
    # first visit a load: the same roster now breaks the capacity rule.
    served = roster.routes[0]
    visit_id = served.stops[0].visit_id
    sc = SC.model_copy(
        update={
            "caregivers": tuple(
                c.model_copy(update={"capacity": 0}) if c.id == served.caregiver_id else c
                for c in SC.caregivers
            ),
            "visits": tuple(
                v.model_copy(update={"load": 2}) if v.id == visit_id else v for v in SC.visits
            ),
        }
    )
    assert {v.rule for v in check_roster(sc, roster)} == {"capacity"}


def test_one_caregiver_on_both_visits_of_a_different_caregiver_dependency_is_caught(
    roster: Roster,
) -> None:
    apart = {"after": "V1", "min_lag_min": 30, "different_caregiver": True}
    visits = tuple(
        v.model_copy(update={"dependency": v.dependency.model_copy(update=apart)})
        if v.id == "V2" and v.dependency is not None
        else v
        for v in SC.visits
    )
    strict = SC.model_copy(update={"visits": visits})
    # The solved roster gives both to A (B lives 2 km further): now a broken rule.
    assert route_of(roster, "V1").caregiver_id == route_of(roster, "V2").caregiver_id == "A"
    found = [v for v in check_roster(strict, roster) if "different caregivers" in v.message]
    assert [v.rule for v in found] == ["dependency"]
    apart_roster = solve_checked(strict)
    assert route_of(apart_roster, "V1").caregiver_id != route_of(apart_roster, "V2").caregiver_id
