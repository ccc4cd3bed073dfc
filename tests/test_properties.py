"""Property: over many seeded random days, every roster passes the independent validator."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import check_roster, solve
from scheduler.synthetic import generate_day


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_visits=st.integers(min_value=2, max_value=40),
    n_caregivers=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=10_000),
    double_share=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_every_roster_is_valid(
    n_visits: int, n_caregivers: int, seed: int, double_share: float
) -> None:
    sc = generate_day(n_visits, n_caregivers, seed=seed, double_handed_share=double_share)
    roster = solve(sc, time_limit_s=5, solution_limit=60, seed=seed)
    assert check_roster(sc, roster) == []
    served = {s.visit_id for r in roster.routes for s in r.stops}
    assert served | {u.visit_id for u in roster.unassigned} == {v.id for v in sc.visits}
    assert all(u.reason for u in roster.unassigned)
