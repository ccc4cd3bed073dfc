"""Compliance intervals checked on the result: history plus the roster against the policy's rules.

Written apart from the generator (``plans/demand.py``): it reads the rules and decides from the
visits that took place (history) and the visits the roster serves whether each interval holds
up to the end of the horizon. A gap is a *finding* for the coordinator, not a broken roster: a
compliance visit that no one could take is a legitimate, reported outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Protocol
from zoneinfo import ZoneInfo

from scheduler.plans.model import CarePlan, CaseloadEntry, PastVisit
from scheduler.plans.policy import AIDE_LEVEL, AppliesTo, ComplianceRule, Policy, RuleKind
from scheduler.solution.roster import Roster


class Plan(Protocol):
    """What the check reads of a plan (``plans.week.PlanInput`` has it)."""

    @property
    def policy(self) -> Policy: ...
    @property
    def care_plans(self) -> tuple[CarePlan, ...]: ...
    @property
    def caseload(self) -> tuple[CaseloadEntry, ...]: ...
    @property
    def history(self) -> tuple[PastVisit, ...]: ...


def compliance_findings(
    plan: Plan,
    roster: Roster,
    service_of_visit: Mapping[str, str],
    start: date,
    days: int,
) -> list[str]:
    """Every compliance interval that does not hold by the end of the horizon."""
    end = _midnight(start + timedelta(days=days))
    zone = ZoneInfo(roster.time_zone)
    done: dict[tuple[str, str], list[datetime]] = {}
    for past in plan.history:
        done.setdefault((past.client_id, past.service), []).append(past.start)
    for route in roster.routes:
        for stop in route.stops:
            service = service_of_visit.get(stop.visit_id)
            if service is not None:
                local = stop.start.astimezone(zone).replace(tzinfo=None)
                done.setdefault((stop.client_id, service), []).append(local)
    findings = []
    for entry in plan.caseload:
        admitted = entry.admitted
        if admitted >= end or (entry.discharged and entry.discharged <= start):
            continue
        for rule in plan.policy.rules:
            if not _applies(plan, rule, entry.client_id, start, days):
                continue
            times = sorted(
                t for t in done.get((entry.client_id, rule.service), []) if t >= admitted
            )
            findings += [
                f"{entry.client_id}: {rule.name}: {text}"
                for text in _gaps(rule, admitted, times, start, end)
            ]
    return findings


def _gaps(
    rule: ComplianceRule, admitted: datetime, times: list[datetime], start: date, end: datetime
) -> list[str]:
    if rule.kind is RuleKind.AFTER_ADMISSION:
        assert rule.within_h is not None
        due = admitted + timedelta(hours=rule.within_h)
        in_horizon = _midnight(start) <= due <= end
        overdue_still = due < _midnight(start) and not times
        if (in_horizon or overdue_still) and not any(admitted <= t <= due for t in times):
            return [f"none within {rule.within_h} h of admission ({due:%Y-%m-%d %H:%M})"]
        return []
    assert rule.every_days is not None
    if rule.kind is RuleKind.ROLLING:
        out = []
        first_day = datetime.combine(start, datetime.min.time())
        for before, after in pairwise([admitted, *times, end]):
            # Due by the end of the day every_days after the previous one; gaps whose due date
            # falls in the horizon, or that were overdue before it and still are at its end.
            due = _midnight(before.date() + timedelta(days=rule.every_days + 1))
            missed = after > due or (after == end and after >= due)
            if missed and due <= end and (due > first_day or after == end):
                out.append(f"none from {before:%Y-%m-%d} to {due - timedelta(days=1):%Y-%m-%d}")
        return out
    assert rule.window_days is not None  # PERIODIC
    out = []
    period_end = admitted.date() + timedelta(days=rule.every_days)
    while period_end <= end.date():
        opens = period_end - timedelta(days=rule.window_days)
        if period_end > start and not any(opens <= t.date() < period_end for t in times):
            out.append(f"none in {opens} to {period_end - timedelta(days=1)}")
        period_end += timedelta(days=rule.every_days)
    return out


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _applies(plan: Plan, rule: ComplianceRule, client_id: str, start: date, days: int) -> bool:
    if rule.applies_to is AppliesTo.ALL:
        return True
    last = start + timedelta(days=days - 1)
    services = plan.policy.services
    return any(
        services[order.service].min_role in AIDE_LEVEL
        and order.valid_from <= last
        and (order.valid_until is None or order.valid_until >= start)
        for care_plan in plan.care_plans
        if care_plan.client_id == client_id
        for order in care_plan.orders
    )
