"""One binds / does-not-bind pair per rule of the routing model (scheduler.solve.rules).

Layout used throughout: the client lives 1 km east of the origin. Caregiver NEAR lives at the
origin (1 km straight, 156 s of travel each way); FAR lives 2 km west (3 km, 468 s each way). With
nothing else in play the optimiser sends NEAR (312 s of travel instead of 936 s).
"""

from __future__ import annotations

from datetime import timedelta

from scheduler import TimeWindow
from tests.builders import (
    assignment,
    at,
    caregiver,
    client,
    place,
    reason,
    scenario,
    solve_checked,
    start_of,
    visit,
)

NEAR = dict(home=place(0, 0))
FAR = dict(home=place(-2, 0))


def pair(**far_kw: object):  # type: ignore[no-untyped-def]
    return [caregiver("NEAR", **NEAR), caregiver("FAR", **{**FAR, **far_kw})]  # type: ignore[arg-type]


# --- travel (soft) and the default choice ---------------------------------------------------------


def test_travel_cost_prefers_the_nearer_caregiver() -> None:
    roster = solve_checked(scenario(pair(), [client("P")], [visit("V", "P")]))
    assert assignment(roster) == {"V": ["NEAR"]}
    # 1 km x 1.3 / (30 km/h) = 156 s each way, rounded up to the whole second (so 156 or 157).
    route = roster.routes[0]
    assert route.stops[0].travel_before_min == route.travel_home_min
    assert 156 <= round(route.travel_home_min * 60) <= 157


# --- skills and roles ----------------------------------------------------------------------------


def test_skill_binds_far_caregiver_with_the_skill_serves() -> None:
    caregivers = [
        caregiver("NEAR", **NEAR),
        caregiver("FAR", skills=("personal_care", "wound_care"), **FAR),
    ]
    roster = solve_checked(
        scenario(caregivers, [client("P")], [visit("V", "P", skills=("wound_care",))])
    )
    assert assignment(roster) == {"V": ["FAR"]}


def test_skill_nobody_has_leaves_visit_unassigned_with_reason() -> None:
    roster = solve_checked(scenario(pair(), [client("P")], [visit("V", "P", skills=("catheter",))]))
    assert reason(roster, "V") == "no_qualified_caregiver"


def test_role_binds() -> None:
    caregivers = [caregiver("NEAR", **NEAR), caregiver("FAR", role="rn", **FAR)]
    roster = solve_checked(scenario(caregivers, [client("P")], [visit("V", "P", roles=["rn"])]))
    assert assignment(roster) == {"V": ["FAR"]}


def test_role_not_required_does_not_bind() -> None:
    caregivers = [caregiver("NEAR", **NEAR), caregiver("FAR", role="rn", **FAR)]
    roster = solve_checked(scenario(caregivers, [client("P")], [visit("V", "P")]))
    assert assignment(roster) == {"V": ["NEAR"]}


# --- exclusions, household, pins ------------------------------------------------------------------


def test_client_exclusion_binds() -> None:
    sc = scenario(pair(), [client("P", excluded_caregivers=["NEAR"])], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["FAR"]}


def test_household_pets_bind_for_a_caregiver_who_avoids_them() -> None:
    caregivers = [caregiver("NEAR", avoids_pets=True, **NEAR), caregiver("FAR", **FAR)]
    sc = scenario(caregivers, [client("P", has_pets=True)], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["FAR"]}


def test_household_without_pets_does_not_bind() -> None:
    caregivers = [caregiver("NEAR", avoids_pets=True, **NEAR), caregiver("FAR", **FAR)]
    sc = scenario(caregivers, [client("P")], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["NEAR"]}


def test_smoking_household_binds() -> None:
    caregivers = [caregiver("NEAR", avoids_smoking=True, **NEAR), caregiver("FAR", **FAR)]
    sc = scenario(caregivers, [client("P", smoker=True)], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["FAR"]}


def test_pinned_caregiver_binds() -> None:
    sc = scenario(pair(), [client("P")], [visit("V", "P", pinned_caregiver="FAR")])
    assert assignment(solve_checked(sc)) == {"V": ["FAR"]}


# --- time windows -----------------------------------------------------------------------------


def test_visit_window_binds_start() -> None:
    # The caregiver could arrive at 08:02:36; the window makes it 13:00 at the earliest.
    sc = scenario(
        [caregiver("NEAR", **NEAR)], [client("P")], [visit("V", "P", window=("13:00", "13:30"))]
    )
    roster = solve_checked(sc)
    assert at("13:00") <= start_of(roster, "V").replace(tzinfo=None) <= at("13:30")


def test_visit_window_before_shift_is_unreachable() -> None:
    sc = scenario(
        [caregiver("NEAR", **NEAR)], [client("P")], [visit("V", "P", window=("07:00", "07:30"))]
    )
    roster = solve_checked(sc)
    assert reason(roster, "V") == "window_unreachable"


def test_second_window_is_used_when_the_first_is_unreachable() -> None:
    windows = (
        TimeWindow(start=at("07:00"), end=at("07:30")),
        TimeWindow(start=at("14:00"), end=at("15:00")),
    )
    sc = scenario([caregiver("NEAR", **NEAR)], [client("P")], [visit("V", "P", windows=windows)])
    start = start_of(solve_checked(sc), "V").replace(tzinfo=None)
    assert at("14:00") <= start <= at("15:00")


def test_shift_end_binds() -> None:
    # 11:50 start + 30 min + 2.6 min home = 12:22:36 > 12:00 shift end.
    sc = scenario(
        [caregiver("NEAR", shift=("08:00", "12:00"), **NEAR)],
        [client("P")],
        [visit("V", "P", window=("11:50", "12:00"))],
    )
    assert reason(solve_checked(sc), "V") == "window_unreachable"


def test_shift_end_does_not_bind_with_a_longer_shift() -> None:
    sc = scenario(
        [caregiver("NEAR", shift=("08:00", "13:00"), **NEAR)],
        [client("P")],
        [visit("V", "P", window=("11:50", "12:00"))],
    )
    assert assignment(solve_checked(sc)) == {"V": ["NEAR"]}


# --- working time -------------------------------------------------------------------------------


def test_max_working_time_binds() -> None:
    # Two 30-min visits at one client: 2.6 + 30 + 30 + 2.6 = 65.2 min > 60.
    visits = [
        visit("V1", "P", window=("09:00", "12:00")),
        visit("V2", "P", window=("09:00", "12:00")),
    ]
    sc = scenario([caregiver("NEAR", max_work_min_per_day=60, **NEAR)], [client("P")], visits)
    roster = solve_checked(sc)
    assert len(assignment(roster)) == 1 and len(roster.unassigned) == 1


def test_max_working_time_does_not_bind_when_generous() -> None:
    visits = [
        visit("V1", "P", window=("09:00", "12:00")),
        visit("V2", "P", window=("09:00", "12:00")),
    ]
    sc = scenario([caregiver("NEAR", max_work_min_per_day=66, **NEAR)], [client("P")], visits)
    assert len(assignment(solve_checked(sc))) == 2


def _split_shifts(max_work_min: int):  # type: ignore[no-untyped-def]
    from scheduler import Shift

    cg = caregiver("NEAR", max_work_min_per_day=max_work_min, **NEAR).model_copy(
        update={
            "shifts": (
                Shift(start=at("08:00"), end=at("10:00")),
                Shift(start=at("14:00"), end=at("16:00")),
            )
        }
    )
    visits = [
        visit("AM", "P", window=("08:30", "09:00")),
        visit("PM", "P", window=("14:30", "15:00")),
    ]
    return scenario([cg], [client("P")], visits)


def test_max_working_time_is_shared_by_a_days_shifts() -> None:
    # Each shift's visit takes 35.2 min from home to home; both 70.4 min > 60.
    assert len(assignment(solve_checked(_split_shifts(60)))) < 2


def test_max_working_time_across_shifts_does_not_bind_when_generous() -> None:
    # 80 min shared by two equal shifts is 40 min each: 35.2 fits in both.
    assert len(assignment(solve_checked(_split_shifts(80)))) == 2


# --- double-handed visits -----------------------------------------------------------------------


def test_double_handed_visit_gets_two_people_starting_together() -> None:
    # FAR needs 7.8 min to arrive, so both start at 08:07:48 at the earliest, together.
    sc = scenario(
        pair(), [client("P")], [visit("V", "P", window=("08:00", "09:00"), caregivers_required=2)]
    )
    roster = solve_checked(sc)
    assert sorted(assignment(roster)["V"]) == ["FAR", "NEAR"]
    starts = {s.start for r in roster.routes for s in r.stops}
    assert len(starts) == 1


def test_double_handed_visit_with_one_caregiver_is_unassigned() -> None:
    sc = scenario(
        [caregiver("NEAR", **NEAR)], [client("P")], [visit("V", "P", caregivers_required=2)]
    )
    roster = solve_checked(sc)
    assert reason(roster, "V") == "too_few_caregivers"


def test_double_handed_sync_follows_the_later_caregiver() -> None:
    # FAR starts work at 10:00: the visit cannot start before 10:07:48.
    sc = scenario(
        pair(shift=("10:00", "16:00")),
        [client("P")],
        [visit("V", "P", window=("08:00", "12:00"), caregivers_required=2)],
    )
    roster = solve_checked(sc)
    assert start_of(roster, "V").replace(tzinfo=None) >= at("10:07")


# --- dependencies -------------------------------------------------------------------------------


def _insulin_meal(meal_window: tuple[str, str], **dep: int):  # type: ignore[no-untyped-def]
    meal_dep = {"after": "INS", **dep} if dep is not None else None
    return scenario(
        [caregiver("NEAR", **NEAR)],
        [client("P")],
        [
            visit("INS", "P", window=("08:00", "08:10"), duration_min=15),
            visit("MEAL", "P", window=meal_window, dependency=meal_dep),
        ],
    )


def test_dependency_min_lag_binds() -> None:
    roster = solve_checked(_insulin_meal(("08:00", "12:00"), min_lag_min=30))
    lag = start_of(roster, "MEAL") - start_of(roster, "INS")
    assert lag >= timedelta(minutes=30)


def test_without_dependency_meal_follows_right_away() -> None:
    sc = scenario(
        [caregiver("NEAR", **NEAR)],
        [client("P")],
        [
            visit("INS", "P", window=("08:00", "08:10"), duration_min=15),
            visit("MEAL", "P", window=("08:00", "12:00")),
        ],
    )
    roster = solve_checked(sc)
    assert assignment(roster) == {"INS": ["NEAR"], "MEAL": ["NEAR"]}
    # Least working time: meal directly after insulin (or before it), never 30 min later.
    assert abs(start_of(roster, "MEAL") - start_of(roster, "INS")) <= timedelta(minutes=30)


def test_dependency_max_lag_binds() -> None:
    # Insulin starts by 08:10; the meal window opens 10:00, beyond the 60-min maximum lag.
    roster = solve_checked(_insulin_meal(("10:00", "11:00"), min_lag_min=0, max_lag_min=60))
    assert "INS" in assignment(roster)
    assert reason(roster, "MEAL") == "dependency"


def test_dependency_max_lag_does_not_bind_when_wide() -> None:
    roster = solve_checked(_insulin_meal(("10:00", "11:00"), min_lag_min=0, max_lag_min=180))
    assert set(assignment(roster)) == {"INS", "MEAL"}


def _second_opinion(different: bool):  # type: ignore[no-untyped-def]
    """Two visits an hour apart at one client; NEAR could do both, FAR lives 2 km away."""
    dep = {"after": "FIRST", "min_lag_min": 60, "different_caregiver": different}
    return scenario(
        pair(),
        [client("P")],
        [
            visit("FIRST", "P", window=("09:00", "09:00")),
            visit("SECOND", "P", window=("09:00", "12:00"), dependency=dep),
        ],
    )


def test_one_caregiver_serves_both_visits_of_a_dependency_when_allowed() -> None:
    assert assignment(solve_checked(_second_opinion(False))) == {
        "FIRST": ["NEAR"],
        "SECOND": ["NEAR"],
    }


def test_different_caregiver_dependency_takes_two_caregivers() -> None:
    served = assignment(solve_checked(_second_opinion(True)))
    assert set(served) == {"FIRST", "SECOND"}
    assert served["FIRST"] != served["SECOND"]


# --- soft preferences ---------------------------------------------------------------------------


def test_preferred_caregiver_outweighs_extra_travel() -> None:
    # FAR costs 624 s more travel; not being preferred costs 900.
    sc = scenario(pair(), [client("P", preferred_caregivers=["FAR"])], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["FAR"]}


def test_shared_language_outweighs_extra_travel() -> None:
    # FAR_ISH lives 1.5 km west: 390 s each way, 468 s more travel than NEAR; cost 600 saved.
    caregivers = [
        caregiver("NEAR", languages=["de"], **NEAR),
        caregiver("FAR", languages=["de", "tr"], home=place(-1.5, 0)),
    ]
    sc = scenario(caregivers, [client("P", languages=["tr"])], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["FAR"]}


def test_language_preference_yields_to_much_longer_travel() -> None:
    # 12 km west: 13 km, 2028 s each way; 3744 s extra travel > 600 language cost.
    caregivers = [
        caregiver("NEAR", languages=["de"], **NEAR),
        caregiver("FAR", languages=["tr"], home=place(-12, 0)),
    ]
    sc = scenario(caregivers, [client("P", languages=["tr"])], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["NEAR"]}


def test_preferred_gender_outweighs_extra_travel() -> None:
    caregivers = [
        caregiver("NEAR", gender="male", **NEAR),
        caregiver("FAR", gender="female", **FAR),
    ]
    sc = scenario(caregivers, [client("P", preferred_gender="female")], [visit("V", "P")])
    assert assignment(solve_checked(sc)) == {"V": ["FAR"]}


# --- priorities and the always-a-roster guarantee ----------------------------------------------


def _two_clashing(priority_a: int, priority_b: int):  # type: ignore[no-untyped-def]
    # Both must start 09:00-09:10 and last an hour: one caregiver can do only one.
    return scenario(
        [caregiver("NEAR", **NEAR)],
        [client("P")],
        [
            visit("A", "P", window=("09:00", "09:10"), duration_min=60, priority=priority_a),
            visit("B", "P", window=("09:00", "09:10"), duration_min=60, priority=priority_b),
        ],
    )


def test_higher_priority_visit_is_kept() -> None:
    assert set(assignment(solve_checked(_two_clashing(5, 1)))) == {"A"}
    assert set(assignment(solve_checked(_two_clashing(1, 5)))) == {"B"}


def test_clashing_visit_reason_is_fully_booked() -> None:
    roster = solve_checked(_two_clashing(5, 1))
    assert reason(roster, "B") == "fully_booked"


def test_a_roster_is_returned_with_no_caregivers_at_all() -> None:
    roster = solve_checked(scenario([], [client("P")], [visit("V", "P")]))
    assert roster.routes == () and reason(roster, "V") == "no_qualified_caregiver"


# --- capacity -------------------------------------------------------------------------------------


def _two_loaded_visits(load: int) -> list:  # type: ignore[type-arg]
    return [
        visit("V1", "P", window=("09:00", "10:00"), load=load),
        visit("V2", "P", window=("11:00", "12:00"), load=load),
    ]


def test_capacity_binds_far_caregiver_carries_both() -> None:
    # NEAR carries 5: two visits of load 3 (6 > 5) cannot both ride with NEAR. FAR doing both
    # (936 s of travel) is cheaper than splitting them (312 s + 936 s).
    roster = solve_checked(
        scenario(
            [caregiver("NEAR", capacity=5, **NEAR), caregiver("FAR", capacity=10, **FAR)],
            [client("P")],
            _two_loaded_visits(3),
        )
    )
    assert assignment(roster) == {"V1": ["FAR"], "V2": ["FAR"]}


def test_capacity_does_not_bind_when_the_loads_fit() -> None:
    roster = solve_checked(
        scenario(
            [caregiver("NEAR", capacity=6, **NEAR), caregiver("FAR", capacity=10, **FAR)],
            [client("P")],
            _two_loaded_visits(3),
        )
    )
    assert assignment(roster) == {"V1": ["NEAR"], "V2": ["NEAR"]}


# --- soft windows (lateness) ---------------------------------------------------------------------


def _back_to_back(**settings: object):  # type: ignore[no-untyped-def]
    """NEAR alone; V1 (60 min) and V2 (30 min) at one client, both to start 09:00-09:10.
    Only one can start on time; the other follows when the first is done."""
    from scheduler.domain.model import Settings

    return scenario(
        [caregiver("NEAR", **NEAR)],
        [client("P")],
        [
            visit("V1", "P", window=("09:00", "09:10"), duration_min=60, priority=5),
            visit("V2", "P", window=("09:00", "09:10"), duration_min=30, priority=1),
        ],
        settings=Settings(**settings),  # type: ignore[arg-type]
    )


def test_hard_windows_leave_the_later_visit_out() -> None:
    roster = solve_checked(_back_to_back())
    assert assignment(roster) == {"V1": ["NEAR"]}


def test_soft_windows_let_a_visit_start_late_and_lateness_decides_the_order() -> None:
    # V2 first (09:00-09:30), V1 at 09:30: 20 min late. V1 first would make V2 50 min late.
    roster = solve_checked(_back_to_back(late_start_max_min=60))
    assert set(assignment(roster)) == {"V1", "V2"}
    assert start_of(roster, "V1") - start_of(roster, "V2") == timedelta(minutes=30)
    assert roster.kpis is not None
    assert (roster.kpis.late_visits, roster.kpis.lateness_min) == (1, 20.0)


def test_soft_windows_do_not_bind_beyond_the_allowed_lateness() -> None:
    roster = solve_checked(_back_to_back(late_start_max_min=15))  # 20 min late needed
    assert assignment(roster) == {"V1": ["NEAR"]}


def test_the_validator_accepts_lateness_only_where_the_scenario_allows_it() -> None:
    from scheduler import check_roster

    roster = solve_checked(_back_to_back(late_start_max_min=60))
    assert {v.rule for v in check_roster(_back_to_back(), roster)} == {"visit_window"}
    assert {v.rule for v in check_roster(_back_to_back(late_start_max_min=19), roster)} == {
        "visit_window"
    }
