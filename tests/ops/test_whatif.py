"""What-if on small named days and tests/data/tiny_plan: changes applied as stated, the rows
equal independent solves, and two rosters compared visit by visit."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from scheduler import SolveParams, check_roster, solve
from scheduler.io.plan_files import load_plan
from scheduler.ops.whatif import (
    Changes,
    apply_changes,
    apply_plan_changes,
    compare_rows,
    plan_variants,
    roster_changes,
    solve_variants,
)
from scheduler.plans.week import build_week, plan_week
from scheduler.scale.workers import InlineWorkers
from tests.builders import at, caregiver, client, place, scenario, visit

DAY = scenario(
    [caregiver("A"), caregiver("B", home=place(0.5, 0))],
    [client("P"), client("Q", where=place(2, 0))],
    [
        visit("V1", "P", window=("09:00", "09:30"), duration_min=60),
        visit("V2", "Q", window=("09:00", "09:30"), duration_min=60),
        visit("V3", "P", window=("09:15", "09:45"), duration_min=60),
    ],
)
PARAMS = SolveParams(time_limit_s=3, seed=1, solution_limit=200)


def test_changes_are_applied_as_stated() -> None:
    changes = Changes.model_validate(
        {
            "remove_caregivers": ["B"],
            "add_caregivers": [caregiver("C", home=place(2, 0)).model_dump()],
            "widen_windows_min": 30,
            "weights": {"travel_per_s": 2},
        }
    )
    variant = apply_changes(DAY, changes)
    assert [c.id for c in variant.caregivers] == ["A", "C"]
    window = variant.visits_by_id["V1"].windows[0]
    assert (window.start, window.end) == (at("08:30"), at("10:00"))
    assert variant.settings.weights.travel_per_s == 2
    narrower = apply_changes(DAY, Changes(scale_windows=0.0))
    assert narrower.visits_by_id["V1"].windows[0].start == at("09:15")


def test_variant_rows_equal_independent_solves() -> None:
    one_more = apply_changes(DAY, Changes(add_caregivers=(caregiver("C", home=place(2, 0)),)))
    base, variant = solve_variants([DAY, one_more], PARAMS, InlineWorkers())
    assert base is not None and variant is not None
    alone = [solve(DAY, params=PARAMS), solve(one_more, params=PARAMS)]
    rows = dict(compare_rows([("base", base), ("more", variant)]))
    again = dict(compare_rows([("base", alone[0]), ("more", alone[1])]))
    assert rows == again
    assert rows["visits assigned"] == ["2", "3"]  # the third caregiver takes the third visit
    assert "  unassigned: fully_booked" in rows


def test_two_rosters_compared_visit_by_visit() -> None:
    a = solve(DAY, params=PARAMS)
    b = solve(apply_changes(DAY, Changes(remove_caregivers=frozenset({"B"}))), params=PARAMS)
    changed = {c["visit_id"]: c["kind"] for c in roster_changes(a, b)}
    served_by_b = {s.visit_id for r in a.routes if r.caregiver_id == "B" for s in r.stops}
    assert served_by_b and all(
        changed[v] in ("reassigned", "reassigned+moved", "unassigned") for v in served_by_b
    )
    assert roster_changes(a, a) == []


# --- a plan's week: tests/data/tiny_plan, Monday 2026-11-30 and the two days after ------------

PLAN = Path(__file__).parents[1] / "data" / "tiny_plan" / "plan.json"
MONDAY = date(2026, 11, 30)


def test_plan_changes_reach_availability_time_off_and_order_windows() -> None:
    plan = load_plan(PLAN)
    changes = Changes.model_validate(
        {
            "remove_caregivers": ["ann"],
            "add_time_off": [{"caregiver_id": "bob", "start": "2026-12-01", "end": "2026-12-01"}],
            "widen_windows_min": 30,
        }
    )
    variant = apply_plan_changes(plan, changes)
    assert {c.id for c in variant.agency.caregivers} == {"bob", "rita"}
    assert all(a.caregiver_id != "ann" for a in (*variant.availability, *variant.time_off))
    shifts = {
        c.id: [s.start.strftime("%a") for s in c.shifts]
        for c in build_week(variant, MONDAY, 3).scenario.caregivers
    }
    assert shifts["bob"] == ["Mon", "Wed"]
    am = next(o for cp in variant.care_plans for o in cp.orders if o.id == "c1-am")
    assert (am.windows[0].start, am.windows[0].end) == (time(7, 30), time(10, 30))


def test_a_plan_variant_row_equals_its_own_plan() -> None:
    plan = load_plan(PLAN)
    fewer = apply_plan_changes(plan, Changes(remove_caregivers=frozenset({"bob"})))
    # The solution limit ends every search, not the clock: a week shares its time limit among
    # its days, and at 5 s the first day's search met its share before 1,500 solutions.
    params = SolveParams(time_limit_s=60, seed=1, solution_limit=1500)
    base, variant = plan_variants([plan, fewer], MONDAY, 3, params)
    for result in (base, variant):
        assert check_roster(result.week.scenario, result.roster) == []
    rows = dict(compare_rows([("base", base.roster), ("fewer", variant.roster)]))
    alone = plan_week(fewer, MONDAY, 3, params=params)
    assert rows["visits assigned"][1] == str(alone.roster.kpis.visits_assigned)
    assert int(rows["visits assigned"][1]) < int(rows["visits assigned"][0])  # bob did most
