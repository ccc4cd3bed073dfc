"""Rules that span days: credentials that lapse, working time per calendar week.

TWO_DAYS: one client 1 km east, a wound-care visit on Tuesday 2026-11-24 and on Wednesday
2026-11-25 (09:00-10:00, 30 min). Nurse "lapsing" holds the wound_care credential up to and
including Tuesday; nurse "valid" holds it with no expiry but lives 5 km away, so the solver would
rather send "lapsing" whenever it may.
"""

from __future__ import annotations

from datetime import date

import pytest

from scheduler import Caregiver, Shift, TimeWindow, check_roster
from scheduler.domain.model import Credential
from tests.builders import assignment, at, caregiver, client, place, scenario, solve_checked, visit

TUE, WED = "2026-11-24", "2026-11-25"


def two_day_nurse(
    cid: str, *, home_km: float, credentials: tuple[Credential, ...], **kw
) -> Caregiver:
    shifts = tuple(Shift(start=at("08:00", d), end=at("16:00", d)) for d in (TUE, WED))
    return caregiver(cid, role="lpn", skills=(), home=place(home_km, 0), **kw).model_copy(
        update={"shifts": shifts, "credentials": credentials}
    )


def wound_visit(vid: str, day: str):
    return visit(
        vid,
        "c1",
        skills=("wound_care",),
        windows=(TimeWindow(start=at("09:00", day), end=at("10:00", day)),),
    )


def two_days():
    lapsing = two_day_nurse(
        "lapsing",
        home_km=1.0,
        credentials=(Credential(name="wound_care", valid_until=date(2026, 11, 24)),),
    )
    valid = two_day_nurse("valid", home_km=6.0, credentials=(Credential(name="Wound_Care"),))
    return scenario(
        [lapsing, valid], [client("c1")], [wound_visit("tue", TUE), wound_visit("wed", WED)]
    )


def test_a_lapsed_credential_bars_the_caregiver_from_that_day_on() -> None:
    roster = solve_checked(two_days())
    assert assignment(roster) == {"tue": ["lapsing"], "wed": ["valid"]}


def test_the_validator_checks_credentials_on_the_visit_date() -> None:
    sc = two_days()
    roster = solve_checked(sc)
    swapped = roster.model_copy(
        update={
            "routes": tuple(
                r.model_copy(
                    update={"caregiver_id": "lapsing" if r.caregiver_id == "valid" else "valid"}
                )
                for r in roster.routes
            )
        }
    )
    rules = {v.rule for v in check_roster(sc, swapped)}
    assert "skills" in rules  # "lapsing" on Wednesday


def test_credentials_read_from_text() -> None:
    nurse = two_day_nurse("n", home_km=0, credentials=()).model_validate(
        {
            **two_day_nurse("n", home_km=0, credentials=()).model_dump(),
            "credentials": "wound_care:2026-11-24; CPR",
        }
    )
    assert nurse.skills_on(date(2026, 11, 24)) == {"wound_care", "cpr"}
    assert nurse.skills_on(date(2026, 11, 25)) == {"cpr"}


def test_weekly_working_time_limit_holds_across_days() -> None:
    # One aide, two 8-hour days, two 45-min visits a day; at most 120 min in the week. The limit
    # is shared among the week's shifts in proportion to their length (60 min each), so one
    # visit a day fits; without the limit all four are served, which the validator flags.
    days = (TUE, WED)
    aide = caregiver("a", max_work_min_per_week=120).model_copy(
        update={"shifts": tuple(Shift(start=at("08:00", d), end=at("16:00", d)) for d in days)}
    )
    visits = [
        visit(
            f"v{d[-2:]}{k}",
            "c1",
            duration_min=45,
            windows=(TimeWindow(start=at("09:00", d), end=at("14:00", d)),),
        )
        for d in days
        for k in (1, 2)
    ]
    sc = scenario([aide], [client("c1", where=place(0.2, 0))], visits)
    roster = solve_checked(sc)
    served_days = sorted(v[1:3] for v in assignment(roster))
    assert served_days == ["24", "25"]
    loose = sc.model_copy(
        update={"caregivers": (aide.model_copy(update={"max_work_min_per_week": None}),)}
    )
    every = solve_checked(loose)
    assert len(assignment(every)) == 4
    assert {v.rule for v in check_roster(sc, every)} == {"weekly_working_time"}


def test_overtime_is_a_cost_that_moves_work_to_who_has_time() -> None:
    # Two aides, the client 1 km from "near" and 3 km from "far". Without overtime "near" gets
    # both visits; with a 30-min weekly threshold for "near" (15 min per shift) at a high cost
    # they go to "far", and the KPI counts no overtime; without the cost they stay with "near"
    # and the KPI counts what is over the threshold.
    days = (TUE, WED)
    shifts = tuple(Shift(start=at("08:00", d), end=at("16:00", d)) for d in days)
    near = caregiver("near", home=place(0, 0), overtime_after_min_per_week=30)
    far = caregiver("far", home=place(-2, 0))
    near, far = (c.model_copy(update={"shifts": shifts}) for c in (near, far))
    visits = [
        visit(
            f"v{d[-2:]}",
            "c1",
            duration_min=30,
            windows=(TimeWindow(start=at("09:00", d), end=at("11:00", d)),),
        )
        for d in days
    ]
    sc = scenario([near, far], [client("c1", where=place(1, 0))], visits)
    costly = sc.model_copy(
        update={
            "settings": sc.settings.model_copy(
                update={"weights": sc.settings.weights.model_copy(update={"overtime_per_s": 50})}
            )
        }
    )
    roster = solve_checked(costly)
    assert assignment(roster) == {"v24": ["far"], "v25": ["far"]}
    assert roster.kpis is not None and roster.kpis.overtime_min == 0
    free = sc.model_copy(
        update={
            "settings": sc.settings.model_copy(
                update={"weights": sc.settings.weights.model_copy(update={"overtime_per_s": 0})}
            )
        }
    )
    cheap = solve_checked(free)
    assert assignment(cheap) == {"v24": ["near"], "v25": ["near"]}
    assert cheap.kpis is not None and cheap.kpis.overtime_min > 30


def test_daily_rest_moves_the_next_start_and_the_validator_checks_it() -> None:
    # A late shift Tuesday until 22:00 and an early one Wednesday from 05:00, 11 h rest needed:
    # Wednesday's work cannot start before 09:00, so the 06:00-08:00 visit cannot be served.
    aide = caregiver("a", min_rest_min=11 * 60).model_copy(
        update={
            "shifts": (
                Shift(start=at("14:00", TUE), end=at("22:00", TUE)),
                Shift(start=at("05:00", WED), end=at("13:00", WED)),
            )
        }
    )
    late = visit("late", "c1", windows=(TimeWindow(start=at("21:00", TUE), end=at("21:20", TUE)),))
    early = visit(
        "early", "c1", windows=(TimeWindow(start=at("06:00", WED), end=at("08:00", WED)),)
    )
    later = visit(
        "later", "c1", windows=(TimeWindow(start=at("09:00", WED), end=at("12:00", WED)),)
    )
    sc = scenario([aide], [client("c1", where=place(0.3, 0))], [late, early, later])
    roster = solve_checked(sc)
    assert set(assignment(roster)) == {"late", "later"}
    # Without the rule both Wednesday visits fit; the validator flags the short rest.
    free = sc.model_copy(update={"caregivers": (aide.model_copy(update={"min_rest_min": None}),)})
    both = solve_checked(free)
    assert set(assignment(both)) == {"late", "early", "later"}
    assert {v.rule for v in check_roster(sc, both)} == {"rest"}


def test_a_long_day_gets_its_break_and_the_validator_checks_it() -> None:
    # Five 60-min visits 08:00-14:40 next door; at most 4 h of work without a 30-min break.
    aide = caregiver("a", shift=("07:30", "16:00"), break_after_min=240, break_min=30)
    visits = [
        visit(f"v{k}", "c1", duration_min=60, window=(f"{8 + k:02d}:00", f"{8 + k:02d}:40"))
        for k in range(5)
    ]
    sc = scenario([aide], [client("c1", where=place(0.1, 0))], visits)
    roster = solve_checked(sc)
    (route,) = roster.routes
    assert len(route.stops) == 5 and len(route.breaks) == 1
    pause = route.breaks[0]
    assert (pause.end - pause.start).total_seconds() == 30 * 60
    assert all(pause.end <= s.start or s.end <= pause.start for s in route.stops)
    # The same roster without its break breaks the rule.
    bare = roster.model_copy(update={"routes": (route.model_copy(update={"breaks": ()}),)})
    assert {v.rule for v in check_roster(sc, bare)} == {"break"}
    # A short day needs none.
    short = sc.model_copy(update={"visits": tuple(visits[:2])})
    (short_route,) = solve_checked(short).routes
    assert short_route.breaks == ()


def test_workload_is_measured_against_each_contract() -> None:
    # One day: "full" (contract 2,100 min a week: 300 min a day) and "half" (1,050: 150 a day)
    # each serve one 60-min visit next door; "casual" has no contract and is not compared; the
    # physiotherapist has no work today but is compared only with other physiotherapists.
    full = caregiver("full", contracted_min_per_week=2100, home=place(1, 0))
    half = caregiver("half", contracted_min_per_week=1050, home=place(0, 1))
    casual = caregiver("casual", home=place(5, 5))
    physio = caregiver("physio", role="pt", skills=("physiotherapy",), contracted_min_per_week=600)
    clients = [client("c1", where=place(1, 0)), client("c2", where=place(0, 1))]
    visits = [
        visit("v1", "c1", duration_min=60, pinned_caregiver="full"),
        visit("v2", "c2", duration_min=60, pinned_caregiver="half"),
    ]
    roster = solve_checked(scenario([full, half, casual, physio], clients, visits))
    kpis = roster.kpis
    assert kpis is not None
    shares = {c.caregiver_id: c.contract_share for c in kpis.caregivers}
    # The whole roster spans one day, so the fair share is a seventh of the week's contract.
    assert shares["casual"] is None and shares["physio"] == 0
    assert shares["full"] == pytest.approx(60 / 300, abs=0.01)
    assert shares["half"] == pytest.approx(60 / 150, abs=0.01)
    assert kpis.workload_spread_pct == pytest.approx(20, abs=1)
