"""What-if on small named days: changes applied as stated, the rows equal independent solves,
and two rosters compared visit by visit."""

from __future__ import annotations

from scheduler import SolveParams, solve
from scheduler.ops.whatif import (
    Changes,
    apply_changes,
    compare_rows,
    roster_changes,
    solve_variants,
)
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
