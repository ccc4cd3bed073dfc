"""The horizon's first stage (CP-SAT, ``assign_horizon``) on small hand-built models.

Each instance names its situation: two caregivers (0 and 1), a few days, tasks of 60 min that
start in a window of the day. Costs are chosen so that one rule decides the answer.
"""

from __future__ import annotations

from scheduler.solve.schedule import HorizonModel, Option, assign_horizon

UNSERVED = 100_000


def model(
    task_visit: tuple[int, ...],
    options: list[Option],
    *,
    days: int = 1,
    capacity_min: int = 480,
    fairness_groups: tuple[dict[int, float], ...] = (),
    deviation_cost_per_pct: int = 0,
    face_cost: dict[tuple[int, int], int] | None = None,
    exclusive_days: tuple[tuple[int, int, int, int], ...] = (),
    week_max_min: dict[tuple[int, int], int] | None = None,
    task_client: tuple[int, ...] | None = None,
) -> HorizonModel:
    return HorizonModel(
        task_visit=task_visit,
        task_client=task_client or tuple(0 for _ in task_visit),
        task_unserved_cost=tuple(UNSERVED for _ in task_visit),
        options=tuple(options),
        day_capacity_min={(c, d): capacity_min for c in (0, 1) for d in range(days)},
        week_of_day=tuple(0 for _ in range(days)),
        week_max_min=week_max_min or {},
        overtime_after_min={},
        overtime_cost_per_min=0,
        fairness_groups=fairness_groups,
        deviation_cost_per_pct=deviation_cost_per_pct,
        face_cost=face_cost or {},
        exclusive_days=exclusive_days,
    )


def every(tasks: int, days: int, *, window: tuple[int, int] = (480, 960), cost1: int = 0):
    """Every task on every day by either caregiver; caregiver 1 costs ``cost1`` more."""
    return [
        Option(t, d, c, 60, window[0], window[1], cost1 * c)
        for t in range(tasks)
        for d in range(days)
        for c in (0, 1)
    ]


def solve(m: HorizonModel) -> tuple[Option | None, ...]:
    return assign_horizon(m, time_limit_s=10, seed=1, deterministic=True)


def test_tasks_that_must_start_in_one_hour_do_not_all_go_to_one_person() -> None:
    # Three 60-min visits starting 08:00-09:00: one person can start at most two of them there.
    m = model((0, 1, 2), every(3, 1, window=(480, 540), cost1=10))
    chosen = solve(m)
    assert all(o is not None for o in chosen)
    by_zero = sum(o.caregiver == 0 for o in chosen if o is not None)
    assert by_zero == 2


def test_a_day_holds_no_more_work_than_its_capacity() -> None:
    m = model((0, 1, 2, 3), every(4, 1, cost1=10), capacity_min=150)
    chosen = solve(m)
    per_caregiver = [sum(o.caregiver == c for o in chosen if o is not None) for c in (0, 1)]
    assert per_caregiver == [2, 2]


def test_a_double_handed_visit_takes_two_people_on_the_same_day() -> None:
    # Visit 0 has tasks 0 and 1; caregiver 1 works only on day 1.
    options = [o for o in every(2, 2) if not (o.caregiver == 1 and o.day == 0)]
    chosen = solve(model((0, 0), options, days=2))
    assert all(o is not None for o in chosen)
    assert {o.caregiver for o in chosen if o} == {0, 1}
    assert {o.day for o in chosen if o} == {1}


def test_sessions_keep_their_gap_in_days() -> None:
    # Visit 1 may not go on the day of visit 0 or the day after (a 36 h gap on day windows).
    exclusive = tuple((0, d, 1, e) for d in range(3) for e in range(3) if e - d < 2)
    chosen = solve(model((0, 1), every(2, 3), days=3, exclusive_days=exclusive))
    first, second = chosen
    assert first is not None and second is not None
    assert (first.day, second.day) == (0, 2)


def test_the_weekly_limit_leaves_a_task_out_rather_than_break_it() -> None:
    options = [o for o in every(3, 3) if o.caregiver == 0]
    chosen = solve(model((0, 1, 2), options, days=3, week_max_min={(0, 0): 120}))
    assert sum(o is not None for o in chosen) == 2


def test_continuity_gives_a_client_one_face_when_a_new_face_costs() -> None:
    # Caregiver 1 is a little cheaper per visit, but caregiver 0 is familiar; three visits.
    options = [Option(t, t, c, 60, 480, 960, 10 * (1 - c)) for t in range(3) for c in (0, 1)]
    faces = {(0, 0): 0, (0, 1): 1000}
    chosen = solve(model((0, 1, 2), options, days=3, face_cost=faces))
    assert {o.caregiver for o in chosen if o} == {0}
    # Without the cost of a new face, the cheaper caregiver takes them all.
    chosen = solve(model((0, 1, 2), options, days=3))
    assert {o.caregiver for o in chosen if o} == {1}


def test_fairness_shares_the_work_by_contract() -> None:
    # Four visits; caregiver 0 is nearer (caregiver 1 costs 10 more per visit). Caregiver 1 has
    # twice caregiver 0's contract: fair shares are 1/3 and 2/3 of the work.
    options = every(4, 2, cost1=10)
    targets = ({0: 240.0, 1: 480.0},)
    chosen = solve(
        model((0, 1, 2, 3), options, days=2, fairness_groups=targets, deviation_cost_per_pct=50)
    )
    per_caregiver = [sum(o.caregiver == c for o in chosen if o) for c in (0, 1)]
    assert per_caregiver == [1, 3]  # 25 % and 37.5 % of contract: the closest shares
    # Without the fairness weight, the nearer caregiver takes everything.
    chosen = solve(model((0, 1, 2, 3), options, days=2, fairness_groups=targets))
    assert [sum(o.caregiver == c for o in chosen if o) for c in (0, 1)] == [4, 0]
