"""The scale benchmark's relaxed day: every visit half a job, eligibility kept, and peer
routes scored on the same matrix (no timing asserted)."""

from __future__ import annotations

from benchmarks.scale import _relaxed, _score, day


def test_the_relaxed_day_has_a_job_per_visit_half_with_its_allowed_caregivers() -> None:
    scenario = day(40)
    relaxed = _relaxed(scenario)
    halves = sum(v.caregivers_required for v in scenario.visits)
    assert len(relaxed["jobs"]) == halves
    assert len(relaxed["vehicles"]) == sum(len(c.shifts) for c in scenario.caregivers)
    for job in relaxed["jobs"]:
        assert job["allowed"] <= job["qualified"]  # exclusions only take caregivers away


def test_a_double_handed_visit_counts_once_both_halves_are_served() -> None:
    scenario = day(40)
    relaxed = _relaxed(scenario)
    jobs = relaxed["jobs"]
    (first, second) = [j for j, job in enumerate(jobs) if job["half"] == 1][:1] * 2
    first -= 1  # the half before it is the same visit's first half
    assert jobs[first]["visit"] == jobs[second]["visit"]
    one = _score(scenario, relaxed, [(0, [first])])
    both = _score(scenario, relaxed, [(0, [first]), (1, [second])])
    assert (one["assigned"], both["assigned"]) == (0, 1)
    assert (one["stops"], both["stops"]) == (1, 2)
    assert (one["doubles"], both["doubles"]) == (0, 1)
    assert both["travel_min"] > 0
