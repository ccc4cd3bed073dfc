"""Demand generation: care plans + caseload + policy + history + horizon -> the visits to schedule.

Fixed recurrences become one visit per occurrence date (dateutil's rrule does the calendar);
"N times a week" orders become N *movable* visits per calendar week whose windows cover every
allowed day, chained by a start-to-start lag of at least the minimum gap, so the solver picks
the days. Compliance rules (``plans/policy.py``) add assessment and supervisory visits, reading
the last such visit from history so that a rule holds across horizon boundaries. Nothing is
cut silently: demand beyond a payer's authorisation and compliance visits that are overdue or
cannot be placed come back as flags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from dateutil import rrule

from scheduler.domain.model import Dependency, TimeWindow, Visit
from scheduler.errors import Problem, ScenarioError
from scheduler.plans.model import (
    CarePlan,
    CaseloadEntry,
    DayWindow,
    PastVisit,
    Recurrence,
    RecurrenceKind,
    ServiceOrder,
    Weekday,
)
from scheduler.plans.policy import (
    AIDE_LEVEL,
    AppliesTo,
    ComplianceRule,
    Policy,
    RuleKind,
    roles_at_least,
)

_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


class FlagKind(StrEnum):
    OVER_AUTHORISATION = "over_authorisation"  # planned billable minutes above the authorisation
    COMPLIANCE_OVERDUE = "compliance_overdue"  # the rule's due date passed before the horizon
    NOT_PLACEABLE = "not_placeable"  # no day in the horizon the client can be visited on
    TOO_FEW_DAYS = "too_few_days"  # an N-times-a-week order has fewer allowed days than N


@dataclass(frozen=True)
class DemandFlag:
    client_id: str
    kind: FlagKind
    message: str  # ids, dates and numbers only: no patient data

    def __str__(self) -> str:
        return f"{self.client_id}: {self.kind.value}: {self.message}"


@dataclass(frozen=True)
class VisitOrigin:
    """Where a generated visit comes from: an order occurrence or a compliance rule."""

    client_id: str
    service: str
    order_id: str | None = None
    rule: str | None = None
    day: date | None = None  # fixed occurrence date
    week: tuple[int, int] | None = None  # ISO (year, week) of a movable visit
    movable: bool = False
    billable: bool = True


@dataclass(frozen=True)
class Horizon:
    start: date
    days: int

    @property
    def end(self) -> date:  # first day after the horizon
        return self.start + timedelta(days=self.days)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end


@dataclass(frozen=True)
class Demand:
    visits: tuple[Visit, ...]
    origins: Mapping[str, VisitOrigin]
    flags: tuple[DemandFlag, ...]
    billable_min: Mapping[tuple[str, tuple[int, int]], int] = field(default_factory=dict)


def occurrence_dates(
    recurrence: Recurrence, valid_from: date, valid_until: date | None, horizon: Horizon
) -> list[date]:
    """Dates of a fixed recurrence inside the horizon and the order's validity."""
    kind = recurrence.kind
    if kind is RecurrenceKind.TIMES_PER_WEEK:
        raise ValueError("times_per_week orders have no fixed dates")
    rules: dict[RecurrenceKind, tuple[int, dict[str, Any]]] = {
        RecurrenceKind.DAILY: (rrule.DAILY, {}),
        RecurrenceKind.EVERY_N_DAYS: (rrule.DAILY, {"interval": recurrence.interval}),
        RecurrenceKind.WEEKDAYS: (rrule.WEEKLY, {"byweekday": _WEEKDAYS[:5]}),
        RecurrenceKind.WEEKLY: (
            rrule.WEEKLY,
            {
                "interval": recurrence.interval,
                "byweekday": [_WEEKDAYS[d] for d in sorted(recurrence.days)],
            },
        ),
        RecurrenceKind.MONTHLY: (
            rrule.MONTHLY,
            {"interval": recurrence.interval, "bymonthday": recurrence.day_of_month},
        ),
    }
    last = horizon.end - timedelta(days=1)
    if valid_until is not None:
        last = min(last, valid_until)
    if kind is RecurrenceKind.RRULE:
        assert recurrence.rule is not None
        given = rrule.rrulestr(recurrence.rule, dtstart=_midnight(valid_from))
        dates = given.between(_midnight(horizon.start), _midnight(last), inc=True)
        return [d.date() for d in dates]
    freq, options = rules[kind]
    until = _midnight(valid_until) if valid_until is not None else None
    rule = rrule.rrule(freq, dtstart=_midnight(valid_from), until=until, wkst=rrule.MO, **options)
    return [d.date() for d in rule.between(_midnight(horizon.start), _midnight(last), inc=True)]


def expand_demand(
    plans: Sequence[CarePlan],
    caseload: Sequence[CaseloadEntry],
    policy: Policy,
    horizon: Horizon,
    history: Sequence[PastVisit] = (),
) -> Demand:
    """Every visit the horizon needs, with where it comes from and what the coordinator must know.

    Raises ScenarioError listing every broken reference (unknown client or service, a dependency
    on an order the plan does not have).
    """
    _check_references(plans, caseload, policy)
    entries = {e.client_id: e for e in caseload}
    builder = _Builder(policy, horizon)
    for plan in plans:
        entry = entries[plan.client_id]
        past = [p for p in history if p.client_id == plan.client_id]
        for order in plan.orders:
            if order.recurrence.kind is RecurrenceKind.TIMES_PER_WEEK:
                builder.movable(entry, order, past)
            else:
                builder.fixed(entry, order)
        builder.link_same_day(plan)
    for entry in caseload:
        found = next((p for p in plans if p.client_id == entry.client_id), None)
        past = [p for p in history if p.client_id == entry.client_id]
        for rule in policy.rules:
            if _applies(rule, found, policy, entry, horizon):
                builder.compliance(entry, rule, past)
    builder.count_delivered(plans, history)
    builder.check_authorisations(entries)
    return Demand(
        visits=tuple(builder.visits),
        origins=dict(builder.origins),
        flags=tuple(builder.flags),
        billable_min=dict(builder.billable_min),
    )


class _Builder:
    def __init__(self, policy: Policy, horizon: Horizon) -> None:
        self.policy, self.horizon = policy, horizon
        self.visits: list[Visit] = []
        self.origins: dict[str, VisitOrigin] = {}
        self.flags: list[DemandFlag] = []
        self.billable_min: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
        self.delivered_min: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
        self._by_order_day: dict[tuple[str, str, date], str] = {}

    # --- care-plan orders -------------------------------------------------------------------
    def fixed(self, entry: CaseloadEntry, order: ServiceOrder) -> None:
        dates = occurrence_dates(
            order.recurrence, order.valid_from, order.valid_until, self.horizon
        )
        several = len(order.day_visits) > 1
        for day in dates:
            if not entry.active_on(day):
                continue
            for k, day_windows in enumerate(order.day_visits, start=1):
                windows = _clip(_day_windows(day, day_windows), entry.admitted)
                if not windows:
                    continue
                visit_id = f"{order.id}-{day:%Y%m%d}" + (f"-{k}" if several else "")
                self._add(entry, order, visit_id, windows, day=day)
                if not several:  # an order with several daily times is never a lag's end
                    self._by_order_day[(entry.client_id, order.id, day)] = visit_id

    def movable(self, entry: CaseloadEntry, order: ServiceOrder, past: list[PastVisit]) -> None:
        recurrence = order.recurrence
        assert recurrence.times is not None
        allowed = recurrence.days or frozenset(Weekday)
        for week, days in _weeks(self.horizon).items():
            usable = [
                d
                for d in days
                if d.weekday() in allowed
                and order.valid_from <= d
                and (order.valid_until is None or d <= order.valid_until)
                and entry.active_on(d)
            ]
            done = [
                p
                for p in past
                if p.order_id == order.id
                and p.start.date().isocalendar()[:2] == week
                and p.start.date() < self.horizon.start
            ]
            needed = recurrence.times - len(done)
            if needed <= 0:
                continue
            earliest = None
            if done and recurrence.min_gap_h:
                earliest = max(p.start for p in done) + timedelta(hours=recurrence.min_gap_h)
            windows = [w for d in usable for w in _day_windows(d, order.windows)]
            windows = _clip(windows, max(filter(None, [entry.admitted, earliest])))
            if not windows:
                self._flag(entry, FlagKind.NOT_PLACEABLE, f"order {order.id}, week {_w(week)}")
                continue
            if recurrence.min_gap_h >= 24 and len({w.start.date() for w in windows}) < needed:
                self._flag(
                    entry,
                    FlagKind.TOO_FEW_DAYS,
                    f"order {order.id}, week {_w(week)}: {needed} visits, "
                    f"{len({w.start.date() for w in windows})} usable days",
                )
            previous: str | None = None
            for k in range(1, needed + 1):
                visit_id = f"{order.id}-{week[0]}W{week[1]:02d}-{k}"
                dependency = None
                if previous is not None:  # in order, at least the gap apart (breaks symmetry)
                    dependency = Dependency(after=previous, min_lag_min=recurrence.min_gap_h * 60)
                self._add(entry, order, visit_id, windows, week=week, dependency=dependency)
                previous = visit_id

    def link_same_day(self, plan: CarePlan) -> None:
        """Attach "B after A on the same day" dependencies between fixed occurrences."""
        for order in plan.orders:
            if order.after is None:
                continue
            for (client, order_id, day), visit_id in list(self._by_order_day.items()):
                if client != plan.client_id or order_id != order.id:
                    continue
                earlier = self._by_order_day.get((client, order.after.order, day))
                if earlier is None:
                    continue
                i = next(i for i, v in enumerate(self.visits) if v.id == visit_id)
                dependency = Dependency(
                    after=earlier,
                    min_lag_min=order.after.min_lag_min,
                    max_lag_min=order.after.max_lag_min,
                )
                self.visits[i] = self.visits[i].model_copy(update={"dependency": dependency})

    # --- compliance ---------------------------------------------------------------------------
    def compliance(self, entry: CaseloadEntry, rule: ComplianceRule, past: list[PastVisit]) -> None:
        since_admission = [
            p for p in past if p.service == rule.service and p.start >= entry.admitted
        ]
        horizon = self.horizon
        if rule.kind is RuleKind.AFTER_ADMISSION:
            assert rule.within_h is not None
            if since_admission:
                return
            due = entry.admitted + timedelta(hours=rule.within_h)
            self._compliance_visit(entry, rule, entry.admitted, due, rule.name)
        elif rule.kind is RuleKind.ROLLING:
            assert rule.every_days is not None
            last = max((p.start for p in since_admission), default=entry.admitted)
            last_day = horizon.end - timedelta(days=1)
            # Due dates that fall in the horizon if each visit were made on its due day; each
            # later visit follows the one before within every_days (a start-to-start lag).
            first_due = max(last.date() + timedelta(days=rule.every_days), horizon.start)
            count = 0
            if first_due <= last_day:
                count = 1 + (last_day - first_due).days // rule.every_days
            previous: str | None = None
            for k in range(1, count + 1):
                due = _midnight(last.date() + timedelta(days=rule.every_days + 1))
                not_before = last
                dependency = None
                if previous is not None:
                    due, not_before = _midnight(horizon.end), entry.admitted
                    dependency = Dependency(after=previous, max_lag_min=rule.every_days * 1440)
                name = f"{rule.name}-{k}" if count > 1 else rule.name
                previous = self._compliance_visit(
                    entry, rule, not_before, due, name, dependency=dependency
                )
                if previous is None:
                    break
        else:  # PERIODIC: the last window_days of every every_days from the admission date
            assert rule.every_days is not None and rule.window_days is not None
            start_of_care = entry.admitted.date()
            # From the period before the one the horizon starts in (it may be overdue).
            period = max(0, (horizon.start - start_of_care).days // rule.every_days - 1)
            while True:
                period_end = start_of_care + timedelta(days=(period + 1) * rule.every_days)
                opens = period_end - timedelta(days=rule.window_days)
                if opens >= horizon.end:
                    break
                next_opens = period_end + timedelta(days=rule.every_days - rule.window_days)
                done = any(opens <= p.start.date() < period_end for p in since_admission)
                if not done and period_end <= horizon.start and next_opens < horizon.end:
                    # Missed, and the next window opens in the horizon: its visit serves both.
                    self._flag(
                        entry,
                        FlagKind.COMPLIANCE_OVERDUE,
                        f"{rule.name} was due by {_last_day(period_end)}; the next one "
                        f"(from {next_opens.isoformat()}) is scheduled for both",
                    )
                elif not done:
                    self._compliance_visit(
                        entry,
                        rule,
                        _midnight(opens),
                        _midnight(period_end),
                        f"{rule.name}-{period_end - timedelta(days=1):%Y%m%d}",
                    )
                period += 1

    def _compliance_visit(
        self,
        entry: CaseloadEntry,
        rule: ComplianceRule,
        not_before: datetime,
        due: datetime,
        visit_name: str,
        dependency: Dependency | None = None,
    ) -> str | None:
        """Add the visit (windows: compliance hours from ``not_before`` to ``due``); its id."""
        horizon = self.horizon
        if due <= _midnight(horizon.start):
            self._flag(
                entry,
                FlagKind.COMPLIANCE_OVERDUE,
                f"{rule.name} was due by {_due_text(due)}; scheduled as soon as possible",
            )
            not_before, due = _midnight(horizon.start), _midnight(horizon.end)
        hours = self.policy.compliance_hours
        days = [d for d in horizon.dates() if entry.active_on(d)]
        windows = _clip(
            [w for d in days for w in _day_windows(d, (hours,))], max(not_before, entry.admitted)
        )
        windows = [w for w in windows if w.start < due]
        windows = [w.model_copy(update={"end": min(w.end, due)}) for w in windows]
        if not windows:
            if due.date() <= horizon.end:
                self._flag(
                    entry,
                    FlagKind.NOT_PLACEABLE,
                    f"{rule.name} due by {due:%Y-%m-%d %H:%M}: no visiting day before then",
                )
            return None
        service = self.policy.services[rule.service]
        visit = Visit(
            id=f"{entry.client_id}-{visit_name}",
            client_id=entry.client_id,
            duration_min=rule.duration_min,
            windows=tuple(windows),
            required_skills=service.skills,
            roles=roles_at_least(service.min_role),
            priority=rule.priority,
            dependency=dependency,
        )
        self.visits.append(visit)
        self.origins[visit.id] = VisitOrigin(
            client_id=entry.client_id,
            service=rule.service,
            rule=rule.name,
            day=windows[0].start.date() if len(windows) == 1 else None,
            billable=service.billable,
        )
        return visit.id

    # --- authorisation ------------------------------------------------------------------------
    def count_delivered(self, plans: Sequence[CarePlan], history: Sequence[PastVisit]) -> None:
        """The billable minutes already delivered in the horizon's calendar weeks before it
        starts (a week planned from Wednesday counts its Monday and Tuesday)."""
        weeks = {d.isocalendar()[:2] for d in self.horizon.dates()}
        durations = {(p.client_id, o.id): o.duration_min for p in plans for o in p.orders}
        for past in history:
            day = past.start.date()
            week = day.isocalendar()[:2]
            if week not in weeks or day >= self.horizon.start:
                continue
            service = self.policy.services.get(past.service)
            if service is None or not service.billable:
                continue
            minutes = past.duration_min or durations.get((past.client_id, past.order_id or ""))
            if minutes:
                people = max(1, len(past.caregiver_ids))
                self.delivered_min[(past.client_id, week)] += minutes * people

    def check_authorisations(self, entries: Mapping[str, CaseloadEntry]) -> None:
        keys = sorted(set(self.billable_min) | set(self.delivered_min))
        for client_id, week in keys:
            if client_id not in entries:
                continue
            planned = self.billable_min.get((client_id, week), 0)
            delivered = self.delivered_min.get((client_id, week), 0)
            minutes = planned + delivered
            limit = entries[client_id].authorised_min_per_week
            if limit is not None and minutes > limit and planned:
                before = f" ({delivered} of them delivered before the horizon)" if delivered else ""
                self._flag(
                    entries[client_id],
                    FlagKind.OVER_AUTHORISATION,
                    f"week {_w(week)}: {minutes} min planned{before}, {limit} min authorised "
                    f"({minutes - limit} min over); visits kept for the coordinator to decide",
                )

    # --- shared -------------------------------------------------------------------------------
    def _add(
        self,
        entry: CaseloadEntry,
        order: ServiceOrder,
        visit_id: str,
        windows: list[TimeWindow],
        *,
        day: date | None = None,
        week: tuple[int, int] | None = None,
        dependency: Dependency | None = None,
    ) -> None:
        service = self.policy.services[order.service]
        visit = Visit(
            id=visit_id,
            client_id=entry.client_id,
            duration_min=order.duration_min,
            windows=tuple(windows),
            required_skills=service.skills,
            roles=roles_at_least(service.min_role),
            priority=order.priority,
            caregivers_required=order.caregivers_required,
            dependency=dependency,
        )
        self.visits.append(visit)
        self.origins[visit_id] = VisitOrigin(
            client_id=entry.client_id,
            service=order.service,
            order_id=order.id,
            day=day,
            week=week,
            movable=week is not None,
            billable=service.billable,
        )
        if service.billable:
            key_week = week or (
                day.isocalendar()[:2] if day else windows[0].start.isocalendar()[:2]
            )
            self.billable_min[(entry.client_id, key_week)] += (
                order.duration_min * order.caregivers_required
            )

    def _flag(self, entry: CaseloadEntry, kind: FlagKind, message: str) -> None:
        self.flags.append(DemandFlag(entry.client_id, kind, message))


def _applies(
    rule: ComplianceRule,
    plan: CarePlan | None,
    policy: Policy,
    entry: CaseloadEntry,
    horizon: Horizon,
) -> bool:
    if entry.admitted.date() >= horizon.end:
        return False
    if entry.discharged is not None and entry.discharged <= horizon.start:
        return False
    if rule.applies_to is AppliesTo.ALL:
        return True
    orders = plan.orders if plan is not None else ()
    return any(
        policy.services[o.service].min_role in AIDE_LEVEL
        and o.valid_from < horizon.end
        and (o.valid_until is None or o.valid_until >= horizon.start)
        for o in orders
    )


def _check_references(
    plans: Sequence[CarePlan], caseload: Sequence[CaseloadEntry], policy: Policy
) -> None:
    problems = plan_reference_problems(plans, caseload, policy)
    if problems:
        raise ScenarioError(problems)


def plan_reference_problems(
    plans: Sequence[CarePlan], caseload: Sequence[CaseloadEntry], policy: Policy
) -> list[Problem]:
    """Broken references in care plans; ``source`` is "care_plans", ``row`` the plan's index."""
    problems: list[Problem] = []
    clients = {e.client_id for e in caseload}
    seen_orders: set[str] = set()
    for i, plan in enumerate(plans):
        if plan.client_id not in clients:
            problems.append(
                Problem(
                    "care_plans", "client is not in the caseload", i, "client_id", plan.client_id
                )
            )
        own = {o.id: o for o in plan.orders}
        for order in plan.orders:
            if order.id in seen_orders:
                problems.append(Problem("care_plans", "order id used twice", i, "id", order.id))
            seen_orders.add(order.id)
            if order.service not in policy.services:
                problems.append(
                    Problem(
                        "care_plans",
                        f"unknown service {order.service!r} (the policy's catalogue has "
                        f"{', '.join(sorted(policy.services))})",
                        i,
                        "service",
                        order.id,
                    )
                )
            if order.after is not None:
                if len(getattr(own.get(order.after.order), "daily_times", ())) > 1:
                    problems.append(
                        Problem(
                            "care_plans",
                            f"depends on order {order.after.order!r}, which has several daily "
                            "times (which of its visits?)",
                            i,
                            "after",
                            order.id,
                        )
                    )
                if order.after.order not in own:
                    problems.append(
                        Problem(
                            "care_plans",
                            f"depends on order {order.after.order!r}, not in this client's plan",
                            i,
                            "after",
                            order.id,
                        )
                    )
                if order.recurrence.kind is RecurrenceKind.TIMES_PER_WEEK:
                    problems.append(
                        Problem(
                            "care_plans",
                            "a times_per_week order cannot depend on another order's day",
                            i,
                            "after",
                            order.id,
                        )
                    )
    return problems


def _weeks(horizon: Horizon) -> dict[tuple[int, int], list[date]]:
    weeks: dict[tuple[int, int], list[date]] = {}
    for day in horizon.dates():
        weeks.setdefault(day.isocalendar()[:2], []).append(day)
    return weeks


def _day_windows(day: date, windows: Iterable[DayWindow]) -> list[TimeWindow]:
    return [
        TimeWindow(start=datetime.combine(day, w.start), end=datetime.combine(day, w.end))
        for w in windows
    ]


def _clip(windows: Iterable[TimeWindow], not_before: datetime) -> list[TimeWindow]:
    """The windows, cut so that none opens before ``not_before``; empty ones dropped."""
    out = []
    for w in windows:
        if w.end < not_before:
            continue
        out.append(w if w.start >= not_before else w.model_copy(update={"start": not_before}))
    return out


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0))


def _last_day(end: date) -> str:
    """The last allowed day of a period that ends (exclusive) on ``end``."""
    return (end - timedelta(days=1)).isoformat()


def _due_text(due: datetime) -> str:
    """A deadline as people read it: a midnight is the end of the day before."""
    if due.time() == time(0):
        return f"the end of {_last_day(due.date())}"
    return f"{due:%Y-%m-%d %H:%M}"


def _w(week: tuple[int, int]) -> str:
    return f"{week[0]}-W{week[1]:02d}"
