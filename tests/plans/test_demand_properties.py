"""Properties of demand generation over random caseloads (hypothesis).

Fixed recurrences are checked against a day-by-day oracle written without dateutil, so the
rrule mapping is tested, not restated.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.plans.demand import FlagKind, Horizon, expand_demand
from scheduler.plans.model import (
    CarePlan,
    CaseloadEntry,
    DayWindow,
    Hold,
    Recurrence,
    RecurrenceKind,
    ServiceOrder,
)
from scheduler.plans.policy import load_policy

POLICY = load_policy().model_copy(update={"rules": ()})
BASE = date(2026, 11, 2)  # a Monday
WINDOW = DayWindow(start=time(8, 0), end=time(12, 0))


def oracle_occurs(recurrence: Recurrence, valid_from: date, day: date) -> bool:
    """Does a fixed recurrence fall on ``day``? Plain calendar arithmetic."""
    if day < valid_from:
        return False
    kind = recurrence.kind
    if kind is RecurrenceKind.DAILY:
        return True
    if kind is RecurrenceKind.WEEKDAYS:
        return day.weekday() < 5
    if kind is RecurrenceKind.EVERY_N_DAYS:
        return (day - valid_from).days % recurrence.interval == 0
    if kind is RecurrenceKind.WEEKLY:
        monday = valid_from - timedelta(days=valid_from.weekday())
        weeks = (day - monday).days // 7
        return weeks % recurrence.interval == 0 and day.weekday() in recurrence.days
    if kind is RecurrenceKind.MONTHLY:
        months = (day.year - valid_from.year) * 12 + day.month - valid_from.month
        return day.day == recurrence.day_of_month and months % recurrence.interval == 0
    raise AssertionError(kind)


fixed_recurrences = st.one_of(
    st.just(Recurrence(kind=RecurrenceKind.DAILY)),
    st.just(Recurrence(kind=RecurrenceKind.WEEKDAYS)),
    st.builds(
        lambda n: Recurrence(kind=RecurrenceKind.EVERY_N_DAYS, interval=n),
        st.integers(1, 5),
    ),
    st.builds(
        lambda days, n: Recurrence(kind=RecurrenceKind.WEEKLY, days=frozenset(days), interval=n),
        st.sets(st.integers(0, 6), min_size=1),
        st.integers(1, 3),
    ),
    st.builds(
        lambda d, n: Recurrence(kind=RecurrenceKind.MONTHLY, day_of_month=d, interval=n),
        st.integers(1, 31),
        st.integers(1, 2),
    ),
)
movable_recurrences = st.builds(
    lambda times, gap, days: Recurrence(
        kind=RecurrenceKind.TIMES_PER_WEEK, times=times, min_gap_h=gap, days=frozenset(days)
    ),
    st.integers(1, 3),
    st.sampled_from([0, 24, 36]),
    st.sets(st.integers(0, 6), min_size=3),
)


@st.composite
def caseloads(draw):
    n_clients = draw(st.integers(1, 4))
    plans, entries = [], []
    for c in range(n_clients):
        client = f"c{c}"
        orders = []
        for k in range(draw(st.integers(1, 3))):
            recurrence = draw(st.one_of(fixed_recurrences, movable_recurrences))
            orders.append(
                ServiceOrder(
                    id=f"{client}-o{k}",
                    service=draw(st.sampled_from(["personal_care", "homemaking", "physio"])),
                    duration_min=draw(st.integers(15, 90)),
                    recurrence=recurrence,
                    windows=(WINDOW,),
                    valid_from=BASE + timedelta(days=draw(st.integers(-60, 20))),
                    caregivers_required=draw(st.integers(1, 2)),
                )
            )
        plans.append(CarePlan(client_id=client, orders=tuple(orders)))
        admitted = datetime.combine(BASE + timedelta(days=draw(st.integers(-30, 15))), time(10))
        holds = ()
        if draw(st.booleans()):
            start = BASE + timedelta(days=draw(st.integers(0, 20)))
            holds = (Hold(start=start, end=start + timedelta(days=draw(st.integers(0, 4)))),)
        discharged = None
        if draw(st.booleans()):
            discharged = admitted.date() + timedelta(days=draw(st.integers(1, 30)))
        authorised = draw(st.one_of(st.none(), st.integers(0, 2000)))
        entries.append(
            CaseloadEntry(
                client_id=client,
                admitted=admitted,
                holds=holds,
                discharged=discharged,
                authorised_min_per_week=authorised,
            )
        )
    horizon = Horizon(BASE + timedelta(days=draw(st.integers(0, 10))), draw(st.integers(1, 14)))
    return plans, entries, horizon


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(caseloads())
def test_generated_demand_matches_the_calendar_and_the_caseload(case) -> None:
    plans, entries, horizon = case
    demand = expand_demand(plans, entries, POLICY, horizon)
    entry_of = {e.client_id: e for e in entries}
    ids = [v.id for v in demand.visits]
    assert len(ids) == len(set(ids))

    for visit in demand.visits:  # inside the horizon, on active days, after admission
        entry = entry_of[visit.client_id]
        for w in visit.windows:
            assert w.start.date() in horizon and entry.active_on(w.start.date())
            assert w.start >= entry.admitted

    for plan in plans:
        entry = entry_of[plan.client_id]
        for order in plan.orders:
            mine = [v for v in demand.visits if demand.origins[v.id].order_id == order.id]
            if order.recurrence.kind is RecurrenceKind.TIMES_PER_WEEK:
                per_week = Counter(demand.origins[v.id].week for v in mine)
                assert all(n == order.recurrence.times for n in per_week.values())
                allowed = order.recurrence.days
                assert all(w.start.weekday() in allowed for v in mine for w in v.windows)
                continue
            expected = {
                day
                for day in horizon.dates()
                if oracle_occurs(order.recurrence, order.valid_from, day)
                and entry.active_on(day)
                and datetime.combine(day, WINDOW.end) >= entry.admitted
            }
            assert {v.windows[0].start.date() for v in mine} == expected

    # Authorisation: flagged exactly where planned billable minutes exceed it.
    minutes: Counter = Counter()
    for visit in demand.visits:
        origin = demand.origins[visit.id]
        week = origin.week or visit.windows[0].start.isocalendar()[:2]
        minutes[(visit.client_id, tuple(week))] += visit.duration_min * visit.caregivers_required
    over = {
        client
        for (client, _), total in minutes.items()
        if entry_of[client].authorised_min_per_week is not None
        and total > entry_of[client].authorised_min_per_week
    }
    flagged = {f.client_id for f in demand.flags if f.kind is FlagKind.OVER_AUTHORISATION}
    assert flagged == over
