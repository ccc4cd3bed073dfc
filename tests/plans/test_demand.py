"""Demand generation from care plans, caseload, policy and history.

Horizon WEEK: Monday 2026-11-30 to Sunday 2026-12-06 (ISO week 2026-W49), seven days.
Client "c1" was admitted long before; "new" is admitted on Wednesday 2026-12-02 at 10:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from scheduler.domain.model import Role
from scheduler.errors import ScenarioError
from scheduler.plans.demand import FlagKind, Horizon, expand_demand, occurrence_dates
from scheduler.plans.model import (
    After,
    CarePlan,
    CaseloadEntry,
    DayWindow,
    Hold,
    PastVisit,
    Recurrence,
    ServiceOrder,
)
from scheduler.plans.policy import Policy, load_policy

WEEK = Horizon(date(2026, 11, 30), 7)
LONG_AGO = datetime(2026, 1, 5, 9, 0)
MORNING = DayWindow(start=time(8, 0), end=time(10, 0))


def no_rules() -> Policy:
    return load_policy().model_copy(update={"rules": ()})


def order(id: str, recurrence: dict, **kw: object) -> ServiceOrder:
    kw.setdefault("service", "personal_care")
    kw.setdefault("duration_min", 45)
    kw.setdefault("valid_from", date(2026, 1, 1))
    kw.setdefault("windows", (MORNING,))
    return ServiceOrder(id=id, recurrence=Recurrence(**recurrence), **kw)  # type: ignore[arg-type]


def entry(client: str = "c1", **kw: object) -> CaseloadEntry:
    kw.setdefault("admitted", LONG_AGO)
    return CaseloadEntry(client_id=client, **kw)  # type: ignore[arg-type]


def days_of(demand, prefix: str) -> list[int]:
    return sorted(v.windows[0].start.day for v in demand.visits if v.id.startswith(prefix))


@pytest.mark.parametrize(
    ("recurrence", "valid_from", "expected_days"),
    [
        ({"kind": "daily"}, date(2026, 1, 1), [30, 1, 2, 3, 4, 5, 6]),
        ({"kind": "weekdays"}, date(2026, 1, 1), [30, 1, 2, 3, 4]),
        ({"kind": "weekly", "days": ["MO", "TH"]}, date(2026, 1, 1), [30, 3]),
        # every 2 weeks, anchored on the week of valid_from (Mon 2026-11-23): not this week
        ({"kind": "weekly", "days": ["TU"], "interval": 2}, date(2026, 11, 23), []),
        ({"kind": "weekly", "days": ["TU"], "interval": 2}, date(2026, 11, 16), [1]),
        ({"kind": "every_n_days", "interval": 3}, date(2026, 11, 28), [1, 4]),
        ({"kind": "monthly", "day_of_month": 1}, date(2026, 1, 1), [1]),
        ({"kind": "monthly", "day_of_month": 31}, date(2026, 1, 1), []),  # Nov has no 31st
    ],
)
def test_fixed_recurrences_use_the_calendar(
    recurrence: dict, valid_from: date, expected_days: list[int]
) -> None:
    dates = occurrence_dates(Recurrence(**recurrence), valid_from, None, WEEK)
    assert [d.day for d in dates] == expected_days


def test_validity_holds_discharge_and_admission_time_bound_the_visits() -> None:
    plans = [
        CarePlan(
            client_id="c1", orders=(order("pc", {"kind": "daily"}, valid_until=date(2026, 12, 5)),)
        ),
        CarePlan(client_id="new", orders=(order("pn", {"kind": "daily"}),)),
    ]
    caseload = [
        entry(
            "c1", holds=(Hold(start=date(2026, 12, 1), end=date(2026, 12, 2), reason="hospital"),)
        ),
        entry("new", admitted=datetime(2026, 12, 2, 9, 30), discharged=date(2026, 12, 5)),
    ]
    demand = expand_demand(plans, caseload, no_rules(), WEEK)
    assert days_of(demand, "pc-") == [3, 4, 5, 30]  # not on hold (1st, 2nd), not after the 5th
    assert days_of(demand, "pn-") == [2, 3, 4]  # from admission, not on the discharge day
    first = next(v for v in demand.visits if v.id == "pn-20261202")
    assert first.windows[0].start == datetime(2026, 12, 2, 9, 30)  # cut at the admission time


def test_service_type_sets_skills_and_least_role() -> None:
    plans = [
        CarePlan(
            client_id="c1",
            orders=(order("wc", {"kind": "weekly", "days": ["MO"]}, service="wound_care"),),
        )
    ]
    (visit,) = expand_demand(plans, [entry()], no_rules(), WEEK).visits
    assert visit.required_skills == {"wound_care"}
    assert visit.roles == {Role.LPN, Role.RN}


def test_same_day_dependency_links_the_occurrences() -> None:
    plans = [
        CarePlan(
            client_id="c1",
            orders=(
                order("ins", {"kind": "daily"}, service="insulin", duration_min=15),
                order(
                    "bf",
                    {"kind": "weekdays"},
                    service="homemaking",
                    after=After(order="ins", min_lag_min=30),
                ),
            ),
        )
    ]
    demand = expand_demand(plans, [entry()], no_rules(), WEEK)
    bf = (
        demand.visits_by_id if hasattr(demand, "visits_by_id") else {v.id: v for v in demand.visits}
    )
    assert bf["bf-20261202"].dependency is not None
    assert bf["bf-20261202"].dependency.after == "ins-20261202"
    assert bf["bf-20261202"].dependency.min_lag_min == 30
    assert bf["ins-20261205"].dependency is None


def test_times_per_week_become_movable_chained_visits_counting_history() -> None:
    three = order(
        "pt",
        {
            "kind": "times_per_week",
            "times": 3,
            "min_gap_h": 36,
            "days": ["MO", "TU", "WE", "TH", "FR"],
        },
        service="physio",
    )
    plans = [CarePlan(client_id="c1", orders=(three,))]
    demand = expand_demand(plans, [entry()], no_rules(), WEEK)
    visits = [v for v in demand.visits if v.id.startswith("pt-")]
    assert [v.id for v in visits] == ["pt-2026W49-1", "pt-2026W49-2", "pt-2026W49-3"]
    assert all(len(v.windows) == 5 for v in visits)  # one window per allowed day
    assert visits[0].dependency is None
    assert visits[1].dependency is not None and visits[1].dependency.after == "pt-2026W49-1"
    assert visits[1].dependency.min_lag_min == 36 * 60
    assert all(demand.origins[v.id].movable for v in visits)
    # A horizon starting on Wednesday, with one session done on Monday: two left, from Tue 21:00.
    midweek = Horizon(date(2026, 12, 2), 5)
    done = [
        PastVisit(
            client_id="c1", service="physio", order_id="pt", start=datetime(2026, 11, 30, 9, 0)
        )
    ]
    later = expand_demand(plans, [entry()], no_rules(), midweek, done)
    left = [v for v in later.visits if v.id.startswith("pt-2026W49")]
    assert len(left) == 2 and left[0].windows[0].start == datetime(2026, 12, 2, 8, 0)
    assert {w.start.weekday() for w in left[0].windows} == {2, 3, 4}


def test_too_few_days_are_flagged_not_hidden() -> None:
    many = order(
        "pt",
        {"kind": "times_per_week", "times": 3, "min_gap_h": 24, "days": ["MO", "TU", "WE"]},
        service="physio",
    )
    plans = [CarePlan(client_id="c1", orders=(many,))]
    hold = Hold(start=date(2026, 12, 1), end=date(2026, 12, 1))
    demand = expand_demand(plans, [entry(holds=(hold,))], no_rules(), WEEK)
    assert [f.kind for f in demand.flags] == [FlagKind.TOO_FEW_DAYS]
    assert len([v for v in demand.visits if v.id.startswith("pt-")]) == 3


def test_demand_over_the_authorisation_is_flagged_and_kept() -> None:
    plans = [
        CarePlan(client_id="c1", orders=(order("pc", {"kind": "daily"}, caregivers_required=2),))
    ]
    demand = expand_demand(plans, [entry(authorised_min_per_week=300)], no_rules(), WEEK)
    assert len(demand.visits) == 7
    assert demand.billable_min[("c1", (2026, 49))] == 7 * 45 * 2
    (flag,) = demand.flags
    assert flag.kind is FlagKind.OVER_AUTHORISATION and "630 min planned, 300 min" in flag.message
    within = expand_demand(plans, [entry(authorised_min_per_week=630)], no_rules(), WEEK)
    assert within.flags == ()


def test_a_week_planned_from_wednesday_counts_the_visits_delivered_on_monday_and_tuesday() -> None:
    plans = [CarePlan(client_id="c1", orders=(order("pc", {"kind": "daily"}),))]
    from_wednesday = Horizon(date(2026, 12, 2), 5)  # Wed 2 Dec to Sun 6 Dec: 5 x 45 = 225
    delivered = [
        PastVisit(
            client_id="c1", service="personal_care", start=datetime(2026, 11, d, 8), order_id="pc"
        )
        for d in (30,)
    ] + [
        PastVisit(
            client_id="c1", service="personal_care", start=datetime(2026, 12, 1, 8), duration_min=60
        )
    ]
    last_week = [
        PastVisit(
            client_id="c1",
            service="personal_care",
            start=datetime(2026, 11, 27, 8),
            duration_min=60,
        )
    ]
    limit = [entry(authorised_min_per_week=300)]
    alone = expand_demand(plans, limit, no_rules(), from_wednesday, last_week)
    assert alone.flags == ()  # 225 planned; last week's visit is another week's
    demand = expand_demand(plans, limit, no_rules(), from_wednesday, delivered + last_week)
    (flag,) = demand.flags
    assert flag.kind is FlagKind.OVER_AUTHORISATION
    assert "330 min planned (105 of them delivered before the horizon), 300 min" in flag.message


def test_unknown_service_client_and_dependency_are_reported_together() -> None:
    plans = [
        CarePlan(client_id="ghost", orders=(order("a", {"kind": "daily"}, service="juggling"),)),
        CarePlan(client_id="c1", orders=(order("b", {"kind": "daily"}, after=After(order="zzz")),)),
    ]
    with pytest.raises(ScenarioError) as err:
        expand_demand(plans, [entry()], no_rules(), WEEK)
    text = str(err.value)
    assert "not in the caseload" in text and "juggling" in text and "zzz" in text


# --- compliance ---------------------------------------------------------------------------------


def aide_plan(client: str = "c1") -> CarePlan:
    return CarePlan(client_id=client, orders=(order(f"pc-{client}", {"kind": "weekdays"}),))


def compliance(demand, client: str) -> dict[str, object]:
    return {
        demand.origins[v.id].rule: v
        for v in demand.visits
        if demand.origins[v.id].rule and v.client_id == client
    }


def test_initial_assessment_within_48_hours_of_admission() -> None:
    admitted = datetime(2026, 12, 2, 10, 0)
    demand = expand_demand(
        [aide_plan("new")], [entry("new", admitted=admitted)], load_policy(), WEEK
    )
    visit = compliance(demand, "new")["initial_assessment"]
    assert visit.windows[0].start == admitted
    assert visit.windows[-1].end <= datetime(2026, 12, 4, 10, 0)
    assert {w.start.date() for w in visit.windows} == {
        date(2026, 12, 2),
        date(2026, 12, 3),
        date(2026, 12, 4),
    }
    assert Role.RN in visit.roles and Role.LPN not in visit.roles
    # Done already (history): not generated again.
    done = [PastVisit(client_id="new", service="rn_assessment", start=datetime(2026, 12, 2, 11, 0))]
    again = expand_demand(
        [aide_plan("new")],
        [entry("new", admitted=datetime(2026, 12, 1, 10))],
        load_policy(),
        Horizon(date(2026, 12, 3), 7),
        done,
    )
    assert "initial_assessment" not in compliance(again, "new")


def test_supervisory_visit_due_from_the_last_one_in_history_across_horizons() -> None:
    last = PastVisit(client_id="c1", service="rn_supervision", start=datetime(2026, 11, 19, 9, 0))
    demand = expand_demand([aide_plan()], [entry()], load_policy(), WEEK, [last])
    visit = compliance(demand, "c1")["supervisory_visit"]
    # due by the end of 2026-12-03 (14 days after the 19th)
    assert max(w.end for w in visit.windows) <= datetime(2026, 12, 4, 0, 0)
    assert min(w.start for w in visit.windows) >= datetime(2026, 11, 30, 8, 0)
    # One made on 2026-11-25 is due on 2026-12-09: not in this horizon, so none generated.
    recent = PastVisit(client_id="c1", service="rn_supervision", start=datetime(2026, 11, 25, 9, 0))
    assert "supervisory_visit" not in compliance(
        expand_demand([aide_plan()], [entry()], load_policy(), WEEK, [recent]), "c1"
    )
    # Clients without aide services get none.
    nurse_only = CarePlan(
        client_id="c1", orders=(order("wc", {"kind": "daily"}, service="wound_care"),)
    )
    assert "supervisory_visit" not in compliance(
        expand_demand([nurse_only], [entry()], load_policy(), WEEK, [last]), "c1"
    )


def test_overdue_supervision_is_flagged_and_scheduled_first_thing() -> None:
    old = PastVisit(client_id="c1", service="rn_supervision", start=datetime(2026, 11, 1, 9, 0))
    demand = expand_demand([aide_plan()], [entry()], load_policy(), WEEK, [old])
    assert any(
        f.kind is FlagKind.COMPLIANCE_OVERDUE and "supervisory_visit" in f.message
        for f in demand.flags
    )
    assert "supervisory_visit" in compliance(demand, "c1")


def test_supervisory_visits_chain_over_a_long_horizon() -> None:
    last = PastVisit(client_id="c1", service="rn_supervision", start=datetime(2026, 11, 29, 9, 0))
    month = Horizon(date(2026, 11, 30), 30)
    demand = expand_demand([aide_plan()], [entry()], load_policy(), month, [last])
    chain = sorted(
        (v for v in demand.visits if (demand.origins[v.id].rule or "") == "supervisory_visit"),
        key=lambda v: v.id,
    )
    assert len(chain) == 2  # due 12-13 and, at the latest, 12-27
    assert chain[1].dependency is not None and chain[1].dependency.after == chain[0].id
    assert chain[1].dependency.max_lag_min == 14 * 1440


def test_reassessment_in_the_last_five_days_of_each_60_day_period() -> None:
    # Start of care 2026-10-06: the first period ends 2026-12-05, its window opens 2026-11-30.
    soc = entry(admitted=datetime(2026, 10, 6, 9, 0))
    done_initial = PastVisit(
        client_id="c1", service="rn_assessment", start=datetime(2026, 10, 6, 11, 0)
    )
    demand = expand_demand([aide_plan()], [soc], load_policy(), WEEK, [done_initial])
    visit = next(v for v in demand.visits if (demand.origins[v.id].rule or "") == "reassessment")
    assert {w.start.date() for w in visit.windows} == {
        date(2026, 11, 30) + timedelta(days=i) for i in range(5)
    }
    # Already done inside the window: nothing generated.
    done = [
        done_initial,
        PastVisit(client_id="c1", service="rn_assessment", start=datetime(2026, 11, 30, 9, 0)),
    ]
    later = expand_demand([aide_plan()], [soc], load_policy(), Horizon(date(2026, 12, 1), 7), done)
    assert not any((later.origins[v.id].rule or "") == "reassessment" for v in later.visits)


def test_the_default_policy_cites_its_sources_and_a_bad_policy_names_the_field(tmp_path) -> None:
    from scheduler.plans.policy import default_policy_text

    text = default_policy_text()
    assert "484.55(a)(1)" in text and "484.80(h)" in text and "484.55(d)(1)" in text
    bad = tmp_path / "policy.toml"
    bad.write_text('[services.x]\nmin_role = "wizard"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_policy(bad)
    assert "policy.toml" in str(err.value) and "services.x.min_role" in str(err.value)


def test_a_missed_reassessment_and_the_next_window_in_the_horizon_give_one_visit() -> None:
    # Start of care 2026-08-07: the period ending 2026-10-06 (window from 10-01) was missed;
    # the next ends 2026-12-05, its window opens 2026-11-30, in this week.
    soc = entry(admitted=datetime(2026, 8, 7, 9, 0))
    done_initial = PastVisit(
        client_id="c1", service="rn_assessment", start=datetime(2026, 8, 7, 11)
    )
    demand = expand_demand([aide_plan()], [soc], load_policy(), WEEK, [done_initial])
    visits = [v for v in demand.visits if (demand.origins[v.id].rule or "") == "reassessment"]
    assert [v.id for v in visits] == ["c1-reassessment-20261204"]  # dated by its last day
    (flag,) = [f for f in demand.flags if "reassessment" in f.message]
    assert "due by 2026-10-05" in flag.message and "scheduled for both" in flag.message


@pytest.mark.parametrize(
    ("rule", "valid_from", "expected_days"),
    [
        ("FREQ=DAILY", date(2026, 1, 1), [30, 1, 2, 3, 4, 5, 6]),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,TH", date(2026, 1, 1), [30, 3]),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2026, 11, 23), []),  # as kind weekly
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2026, 11, 16), [1]),
        ("FREQ=MONTHLY;BYDAY=1TU", date(2026, 1, 1), [1]),  # the first Tuesday of the month
        ("FREQ=DAILY;COUNT=3", date(2026, 11, 29), [30, 1]),  # 29th, 30th, 1st
        ("FREQ=DAILY;UNTIL=20261202", date(2026, 1, 1), [30, 1, 2]),
    ],
)
def test_an_rrule_recurs_as_rfc_5545_says(
    rule: str, valid_from: date, expected_days: list[int]
) -> None:
    recurrence = Recurrence.model_validate(rule)  # a bare RRULE string is a recurrence
    assert recurrence.kind == "rrule"
    dates = occurrence_dates(recurrence, valid_from, None, WEEK)
    assert [d.day for d in dates] == expected_days


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ("FREQ=HOURLY", "FREQ must be one of"),
        ("FREQ=DAILY;BYHOUR=8", "BYHOUR not allowed"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a valid RRULE"),
        ("FREQ=DAILY;DTSTART=20260101", "DTSTART not allowed"),
        ("FREQ", "not NAME=VALUE"),
    ],
)
def test_a_bad_rrule_says_what_is_wrong(rule: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Recurrence.model_validate({"kind": "rrule", "rule": rule})


def test_twice_a_day_is_one_order_with_two_daily_times() -> None:
    twice = ServiceOrder.model_validate(
        {
            "id": "c1-twice",
            "service": "personal_care",
            "duration_min": 30,
            "recurrence": "daily",
            "daily_times": ["18:00-20:00", "08:00-09:00"],
            "valid_from": "2026-01-01",
        }
    )
    alternatives = order(
        "c2-am-or-pm", {"kind": "daily"}, windows=(MORNING, DayWindow(start=time(16), end=time(18)))
    )
    plans = [
        CarePlan(client_id="c1", orders=(twice,)),
        CarePlan(client_id="c2", orders=(alternatives,)),
    ]
    demand = expand_demand(plans, [entry("c1"), entry("c2")], no_rules(), WEEK)
    mine = sorted((v for v in demand.visits if v.client_id == "c1"), key=lambda v: v.id)
    assert len(mine) == 14  # two a day
    assert [v.id for v in mine[:2]] == ["c1-twice-20261130-1", "c1-twice-20261130-2"]
    assert [(v.windows[0].start.hour, v.windows[0].end.hour) for v in mine[:2]] == [
        (8, 9),
        (18, 20),
    ]
    theirs = [v for v in demand.visits if v.client_id == "c2"]
    assert len(theirs) == 7 and all(len(v.windows) == 2 for v in theirs)  # one visit, either window


def test_daily_times_that_overlap_or_come_with_windows_are_refused() -> None:
    base = {"id": "o", "service": "personal_care", "duration_min": 30, "recurrence": "daily",
            "valid_from": "2026-01-01"}  # fmt: skip
    with pytest.raises(ValueError, match="overlap"):
        ServiceOrder.model_validate({**base, "daily_times": ["08:00-10:00", "09:00-11:00"]})
    with pytest.raises(ValueError, match="not both"):
        ServiceOrder.model_validate({**base, "daily_times": ["08:00"], "windows": ["12:00-13:00"]})
