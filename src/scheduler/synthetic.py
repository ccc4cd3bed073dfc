"""Seeded synthetic home-care days: for the sample agency, benchmarks and property tests.

The mix follows a typical US/German home-care caseload: mostly personal care by aides in the
morning and evening, medication rounds with tight windows, some nursing (wound care, injections)
needing an LPN or RN, a few double-handed transfers (hoist), insulin-then-meal dependencies.
The same arguments and seed always give the same scenario.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from scheduler.domain.model import (
    Caregiver,
    Client,
    Dependency,
    Gender,
    Location,
    Role,
    Scenario,
    Shift,
    TimeWindow,
    Visit,
)

# North Bayreuth extract bounds (lat 49.957–50.060, lon 11.453–11.610), used without addresses.
DEFAULT_BOX = (49.965, 50.050, 11.470, 11.600)

SKILLS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.AIDE: ("personal_care", "meal_prep", "companionship"),
    Role.HHA: ("personal_care", "meal_prep", "companionship", "transfer"),
    Role.CNA: ("personal_care", "meal_prep", "transfer", "vitals"),
    Role.LPN: ("personal_care", "transfer", "vitals", "medication", "injection", "wound_care"),
    Role.RN: (
        "personal_care",
        "transfer",
        "vitals",
        "medication",
        "injection",
        "wound_care",
        "assessment",
        "catheter",
    ),
    Role.PT: ("physiotherapy", "transfer"),
}
ROLE_MIX = (
    (Role.AIDE, 0.30),
    (Role.HHA, 0.20),
    (Role.CNA, 0.15),
    (Role.LPN, 0.17),
    (Role.RN, 0.18),
)
LANGUAGES = ("de", "en", "tr", "ru", "pl")


@dataclass(frozen=True)
class _Service:
    name: str
    duration_min: int
    window: tuple[str, str]  # local times
    skills: tuple[str, ...]
    roles: tuple[Role, ...] = ()
    priority: int = 3


SERVICES = {
    "morning_care": _Service(
        "morning_care", 45, ("07:00", "09:30"), ("personal_care",), priority=4
    ),
    "medication": _Service("medication", 15, ("08:00", "08:30"), ("medication",), priority=5),
    "lunch": _Service("lunch", 30, ("11:30", "13:00"), ("meal_prep",), priority=3),
    "evening_care": _Service(
        "evening_care", 30, ("17:00", "19:30"), ("personal_care",), priority=4
    ),
    "wound_care": _Service(
        "wound_care", 30, ("09:00", "14:00"), ("wound_care",), (Role.RN, Role.LPN), priority=4
    ),
    "companionship": _Service(
        "companionship", 60, ("10:00", "16:00"), ("companionship",), priority=1
    ),
    "vitals": _Service("vitals", 20, ("09:00", "12:00"), ("vitals",), priority=2),
    "insulin": _Service("insulin", 15, ("07:30", "08:15"), ("injection",), (Role.RN, Role.LPN), 5),
    "breakfast": _Service("breakfast", 30, ("07:30", "10:00"), ("meal_prep",), priority=4),
    "transfer": _Service("transfer", 45, ("08:00", "10:00"), ("transfer",), priority=4),
}
SHIFT_PATTERNS = (  # (start, end, max_work_min); full-time early/late and part-time halves
    ("07:00", "15:00", 480),
    ("07:00", "15:00", 480),
    ("11:30", "19:30", 480),
    ("07:00", "12:00", 300),
    ("16:00", "20:00", 240),
)


def load_addresses(path: str | Path) -> list[Location]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            Location(
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                address=f"{r['street']} {r['housenumber']}, {r['postcode']} {r['city']}".strip(),
            )
            for r in csv.DictReader(handle)
        ]


def generate_day(
    n_visits: int,
    n_caregivers: int,
    *,
    seed: int = 0,
    day: date = date(2026, 11, 24),
    addresses: list[Location] | None = None,
    time_zone: str = "Europe/Berlin",
    double_handed_share: float = 0.05,
    name: str | None = None,
) -> Scenario:
    """About ``n_visits`` visits (exactly, unless fewer than 2) for ~n_visits/2 clients."""
    rng = np.random.default_rng(seed)

    def place() -> Location:
        if addresses:
            return addresses[int(rng.integers(len(addresses)))]
        lat = rng.uniform(DEFAULT_BOX[0], DEFAULT_BOX[1])
        lon = rng.uniform(DEFAULT_BOX[2], DEFAULT_BOX[3])
        return Location(lat=round(float(lat), 6), lon=round(float(lon), 6))

    def at(hhmm: str) -> datetime:
        return datetime.combine(day, time.fromisoformat(hhmm))

    roles = [r for r, _ in ROLE_MIX]
    shares = np.array([s for _, s in ROLE_MIX])
    caregivers = []
    for i in range(n_caregivers):
        role = roles[int(rng.choice(len(roles), p=shares / shares.sum()))]
        start, end, max_work = SHIFT_PATTERNS[i % len(SHIFT_PATTERNS)]
        languages = {"de"} | ({str(rng.choice(LANGUAGES[1:]))} if rng.random() < 0.35 else set())
        caregivers.append(
            Caregiver(
                id=f"CG{i + 1:03d}",
                role=role,
                skills=frozenset(SKILLS_BY_ROLE[role]),
                home=place(),
                shifts=(Shift(start=at(start), end=at(end)),),
                max_work_min_per_day=max_work,
                languages=frozenset(languages),
                gender=Gender.FEMALE if rng.random() < 0.8 else Gender.MALE,
                avoids_pets=bool(rng.random() < 0.05),
            )
        )

    visits: list[Visit] = []
    clients: list[Client] = []
    caregiver_ids = [c.id for c in caregivers]
    while len(visits) < n_visits:
        cid = f"CL{len(clients) + 1:03d}"
        plan = _care_plan(rng)
        preferred = (
            frozenset(
                rng.choice(caregiver_ids, size=min(2, len(caregiver_ids)), replace=False).tolist()
            )
            if caregiver_ids and rng.random() < 0.3
            else frozenset()
        )
        excluded = (
            frozenset({str(rng.choice(caregiver_ids))}) - preferred
            if caregiver_ids and rng.random() < 0.1
            else frozenset()
        )
        clients.append(
            Client(
                id=cid,
                location=place(),
                preferred_caregivers=preferred,
                excluded_caregivers=excluded,
                preferred_gender=Gender.FEMALE if rng.random() < 0.15 else None,
                languages=frozenset({"tr"}) if rng.random() < 0.05 else frozenset(),
                has_pets=bool(rng.random() < 0.2),
                smoker=bool(rng.random() < 0.1),
            )
        )
        by_service: dict[str, str] = {}
        for service_name in plan:
            if len(visits) >= n_visits:
                break
            service = SERVICES[service_name]
            vid = f"V{len(visits) + 1:04d}"
            double = service_name == "transfer" or (
                service_name == "morning_care" and rng.random() < double_handed_share
            )
            dependency = None
            if service_name == "breakfast" and "insulin" in by_service:
                dependency = Dependency(after=by_service["insulin"], min_lag_min=30, max_lag_min=90)
            visits.append(
                Visit(
                    id=vid,
                    client_id=cid,
                    duration_min=service.duration_min,
                    windows=(TimeWindow(start=at(service.window[0]), end=at(service.window[1])),),
                    required_skills=frozenset(service.skills),
                    roles=frozenset(service.roles),
                    priority=service.priority,
                    caregivers_required=2 if double else 1,
                    dependency=dependency,
                )
            )
            by_service[service_name] = vid

    return Scenario(
        name=name or f"synthetic-{n_visits}v-{n_caregivers}c-s{seed}",
        time_zone=time_zone,
        caregivers=tuple(caregivers),
        clients=tuple(clients),
        visits=tuple(visits),
    )


def _care_plan(rng: np.random.Generator) -> list[str]:
    """The services one client gets in a day."""
    roll = rng.random()
    if roll < 0.10:
        return ["insulin", "breakfast", "evening_care"]
    if roll < 0.35:
        return ["morning_care", "lunch", "evening_care"]
    if roll < 0.50:
        return ["morning_care", "evening_care"]
    if roll < 0.60:
        return ["medication", "lunch"]
    if roll < 0.70:
        return ["wound_care"]
    if roll < 0.78:
        return ["transfer", "evening_care"]
    if roll < 0.88:
        return ["vitals", "companionship"]
    return ["morning_care"]


# --- a week of care plans from a day -------------------------------------------------------------

SERVICE_OF_SKILL = {
    "personal_care": "personal_care",
    "medication": "medication",
    "meal_prep": "homemaking",
    "wound_care": "wound_care",
    "companionship": "companionship",
    "vitals": "vitals",
    "injection": "insulin",
    "transfer": "transfer",
    "physiotherapy": "physio",
}
# How often each service recurs in a standing plan (daily otherwise).
WEEKLY_RECURRENCE: dict[str, dict[str, Any]] = {
    "companionship": {"kind": "weekly", "days": ["MO", "TH"]},
    "wound_care": {"kind": "weekly", "days": ["MO", "WE", "FR"]},
    "vitals": {"kind": "weekdays"},
    "homemaking": {"kind": "weekdays"},
}
# Weekly contracts: a share of the hours a caregiver is available (drawn per caregiver), at
# most full time (38.5 h); availability is what they can offer, the contract what they are paid.
CONTRACT_SHARES = (0.6, 0.8, 1.0)
FULL_TIME_MIN_PER_WEEK = 2310
# Labour rules given to every caregiver of a synthetic week.
WEEK_RULES: dict[str, Any] = {
    "max_work_min_per_week": 2700,
    "overtime_after_min_per_week": 2400,
    "min_rest_min": 11 * 60,  # EU Working Time Directive 2003/88/EC, art. 3
    "break_after_min": 6 * 60,  # German Arbeitszeitgesetz § 4
    "break_min": 30,
}


def week_plan(day: Scenario, monday: date, *, seed: int) -> tuple[Scenario, dict[str, Any]]:
    """The agency and a plan file's records for the week of ``monday``, from a (synthetic) day.

    Each visit of the day becomes a standing order (daily, weekdays or given weekdays by
    service; physiotherapy 3 times a week); each caregiver's shift becomes weekly availability
    (Monday to Friday, every other caregiver also at weekends; therapists Mon/Wed/Fri). The
    caseload admits every client 20 to 400 days before ``monday``; history holds last week's
    regulars (one or two caregivers per client), the last supervisory visit (2 to 13 days ago)
    and the assessments since admission, so that compliance visits fall due as in a running
    agency. Returns the agency (no visits, no shifts) and the records, JSON-ready.
    """
    rng = random.Random(seed)
    contract_rng = random.Random(f"contracts {seed}")  # apart, so the rest stays as it was
    availability = []
    contracts: list[int | None] = []
    for i, c in enumerate(day.caregivers):
        days = ["MO", "TU", "WE", "TH", "FR"] + (["SA", "SU"] if i % 2 == 0 else [])
        if c.role is Role.PT:
            days = ["MO", "WE", "FR"]
        daily_min = sum(int((s.end - s.start).total_seconds() // 60) for s in c.shifts)
        daily_min = min(daily_min, c.max_work_min_per_day or daily_min)
        share = contract_rng.choice(CONTRACT_SHARES)
        contracts.append(min(FULL_TIME_MIN_PER_WEEK, round(share * len(days) * daily_min)) or None)
        for shift in c.shifts:
            availability.append(
                {
                    "caregiver_id": c.id,
                    "days": days,
                    "start": _hhmm(shift.start),
                    "end": _hhmm(shift.end),
                }
            )

    plans: dict[str, list[dict[str, Any]]] = {}
    order_of_visit: dict[str, str] = {}
    for visit in day.visits:
        skill = sorted(visit.required_skills)[0] if visit.required_skills else "companionship"
        service = SERVICE_OF_SKILL[skill]
        order_id = f"{visit.client_id}-{visit.id}"
        order_of_visit[visit.id] = order_id
        w = visit.windows[0]
        order: dict[str, Any] = {
            "id": order_id,
            "service": service,
            "duration_min": visit.duration_min,
            "recurrence": WEEKLY_RECURRENCE.get(service, {"kind": "daily"}),
            "windows": [{"start": _hhmm(w.start), "end": _hhmm(w.end)}],
            "valid_from": (monday - timedelta(days=365)).isoformat(),
            "caregivers_required": visit.caregivers_required,
            "priority": visit.priority,
        }
        if service == "physio":  # three sessions a week, at least 36 h apart, on weekdays
            order["recurrence"] = {
                "kind": "times_per_week",
                "times": 3,
                "min_gap_h": 36,
                "days": ["MO", "TU", "WE", "TH", "FR"],
            }
            order["windows"] = [{"start": "09:00", "end": "15:00"}]
        plans.setdefault(visit.client_id, []).append(order)
    orders = {o["id"]: o for client_orders in plans.values() for o in client_orders}
    for visit in day.visits:  # same-day dependencies (insulin, then breakfast): both daily
        if visit.dependency is not None:
            later, earlier = (
                orders[order_of_visit[visit.id]],
                orders[order_of_visit[visit.dependency.after]],
            )
            later["after"] = {
                "order": earlier["id"],
                "min_lag_min": visit.dependency.min_lag_min,
                "max_lag_min": visit.dependency.max_lag_min,
            }
            later["recurrence"] = earlier["recurrence"] = {"kind": "daily"}

    clients = [c.id for c in day.clients]
    caseload: list[dict[str, Any]] = [
        {
            "client_id": client_id,
            "admitted": f"{(monday - timedelta(days=rng.randint(20, 400))).isoformat()}T10:00",
        }
        for client_id in clients
    ]
    nurses = [c.id for c in day.caregivers if c.role is Role.RN]
    by_client: dict[str, list[Visit]] = {}
    for visit in day.visits:
        by_client.setdefault(visit.client_id, []).append(visit)
    history: list[dict[str, Any]] = []
    for entry in caseload:
        client_id = entry["client_id"]
        excluded = day.clients_by_id[client_id].excluded_caregivers
        first = by_client.get(client_id, [])[:1]
        eligible = [
            c.id
            for c in day.caregivers
            if c.id not in excluded
            and all(
                v.required_skills <= c.skills and (not v.roles or c.role in v.roles) for v in first
            )
        ]
        regulars = rng.sample(eligible, k=min(2, len(eligible))) if eligible else []
        for k, visit in enumerate(by_client.get(client_id, [])):
            for back in (7, 6, 5):
                start = datetime.combine(
                    monday - timedelta(days=back), visit.windows[0].start.time()
                )
                history.append(
                    {
                        "client_id": client_id,
                        "service": "personal_care",
                        "start": start.isoformat(timespec="minutes"),
                        "caregiver_ids": [regulars[k % len(regulars)]] if regulars else [],
                    }
                )
        supervised = monday - timedelta(days=rng.choice([2, 4, 6, 8, 10, 12, 13]))
        admitted = datetime.fromisoformat(entry["admitted"])
        assessed = [admitted + timedelta(hours=20)]
        period_end = admitted.date() + timedelta(days=60)
        while period_end <= monday:  # a reassessment in the last 5 days of each 60-day period
            assessed.append(datetime.combine(period_end - timedelta(days=2), time(14, 0)))
            period_end += timedelta(days=60)
        for service, moments in (
            ("rn_supervision", [datetime.combine(supervised, time(11, 0))]),
            ("rn_assessment", assessed),
        ):
            history += [
                {
                    "client_id": client_id,
                    "service": service,
                    "start": moment.isoformat(timespec="minutes"),
                    "caregiver_ids": nurses[:1],
                }
                for moment in moments
            ]

    caregivers = tuple(
        c.model_copy(update={"shifts": (), "contracted_min_per_week": minutes, **WEEK_RULES})
        for c, minutes in zip(day.caregivers, contracts, strict=True)
    )
    agency = day.model_copy(update={"caregivers": caregivers, "visits": ()})
    records = {
        "availability": availability,
        "time_off": [],
        "care_plans": [{"client_id": c, "orders": plans[c]} for c in clients if c in plans],
        "caseload": caseload,
        "history": history,
        "continuity_weight": 1800,
    }
    return agency, records


def _hhmm(moment: datetime) -> str:
    return moment.time().strftime("%H:%M")
