"""Build the sample week (data/samples/bayreuth-week) from the sample day's agency.

    python data/samples/make_week.py

The agency (caregivers, clients, the map) is the sample day's (data/samples/bayreuth). Each
client's visits of that day become standing care-plan orders (daily, weekdays or given weekdays,
by service); the caregivers' shift of that day becomes their weekly availability. On top, the
situations a coordinator meets in a week: a new admission on Wednesday (RN assessment within
48 h), a hospital stay, a wound-care credential that lapses mid-week, double-handed transfers,
a physiotherapy order of 3 sessions a week, a client whose plan exceeds the payer's authorised
hours, and last week's history (who served whom; when the last supervisory visit was).
Everything is seeded; the people are invented.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from scheduler.domain.model import Credential
from scheduler.io.scenario_files import load_scenario, save_scenario

HERE = Path(__file__).parent
DAY_SAMPLE = HERE / "bayreuth"
OUT = HERE / "bayreuth-week"
MONDAY = date(2026, 11, 30)
SEED = 2026
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
# How often each service recurs in a standing plan.
RECURRENCE = {
    "companionship": {"kind": "weekly", "days": ["MO", "TH"]},
    "wound_care": {"kind": "weekly", "days": ["MO", "WE", "FR"]},
    "vitals": {"kind": "weekdays"},
    "homemaking": {"kind": "weekdays"},
}


def hhmm(moment: datetime) -> str:
    return moment.time().strftime("%H:%M")


def build() -> None:
    rng = random.Random(SEED)
    day = load_scenario(DAY_SAMPLE)
    agency_dir = OUT / "agency"

    # The agency: the day's caregivers and clients, no visits; weekly limits and credentials.
    caregivers = []
    for c in day.caregivers:
        update: dict[str, object] = {
            "shifts": (),
            "max_work_min_per_week": 2700,
            "overtime_after_min_per_week": 2400,
            "min_rest_min": 11 * 60,  # EU Working Time Directive 2003/88/EC, art. 3
            "break_after_min": 6 * 60,  # German Arbeitszeitgesetz § 4
            "break_min": 30,
        }
        if c.id == "CG002":  # an LPN whose wound-care certificate lapses after Wednesday
            update["skills"] = c.skills - {"wound_care"}
            update["credentials"] = (Credential(name="wound_care", valid_until=date(2026, 12, 2)),)
        caregivers.append(c.model_copy(update=update))
    agency = day.model_copy(
        update={"name": "bayreuth-north-agency", "caregivers": tuple(caregivers), "visits": ()}
    )
    save_scenario(agency, agency_dir)
    for name, columns in {
        "caregivers.csv": ["home_lat", "home_lon"],
        "clients.csv": ["lat", "lon"],
    }.items():
        frame = pd.read_csv(agency_dir / name, dtype=str, keep_default_na=False)
        frame.drop(columns=[c for c in columns if c in frame]).to_csv(
            agency_dir / name, index=False
        )
    settings = json.loads((agency_dir / "scenario.json").read_text(encoding="utf-8"))
    settings["settings"]["travel"]["map_file"] = "../../../maps/north-bayreuth.osm.bz2"
    (agency_dir / "scenario.json").write_text(
        json.dumps(settings, indent=2) + "\n", encoding="utf-8"
    )

    # Weekly availability: the day's shift, Monday to Friday; every third caregiver also
    # works the weekend; the physiotherapist Monday, Wednesday, Friday.
    availability = []
    for i, c in enumerate(day.caregivers):
        for shift in c.shifts:
            days = ["MO", "TU", "WE", "TH", "FR"] + (["SA", "SU"] if i % 3 == 0 else [])
            if c.role.value == "pt":
                days = ["MO", "WE", "FR"]
            availability.append(
                {
                    "caregiver_id": c.id,
                    "days": days,
                    "start": hhmm(shift.start),
                    "end": hhmm(shift.end),
                }
            )
    time_off = [
        {"caregiver_id": "CG005", "start": "2026-12-03", "end": "2026-12-04", "reason": "leave"}
    ]

    # Care plans: one standing order per visit of the day.
    plans: dict[str, list[dict[str, object]]] = {}
    order_of_visit: dict[str, str] = {}
    for visit in day.visits:
        skill = sorted(visit.required_skills)[0] if visit.required_skills else "companionship"
        service = SERVICE_OF_SKILL[skill]
        order_id = f"{visit.client_id}-{visit.id[1:]}"
        order_of_visit[visit.id] = order_id
        w = visit.windows[0]
        order: dict[str, object] = {
            "id": order_id,
            "service": service,
            "duration_min": visit.duration_min,
            "recurrence": RECURRENCE.get(service, {"kind": "daily"}),
            "windows": [{"start": hhmm(w.start), "end": hhmm(w.end)}],
            "valid_from": "2026-01-01",
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
    for visit in day.visits:  # same-day dependencies (insulin, then breakfast)
        if visit.dependency is not None:
            order = next(o for o in plans[visit.client_id] if o["id"] == order_of_visit[visit.id])
            order["after"] = {
                "order": order_of_visit[visit.dependency.after],
                "min_lag_min": visit.dependency.min_lag_min,
                "max_lag_min": visit.dependency.max_lag_min,
            }
            order["recurrence"] = {"kind": "daily"}
            earlier = next(
                o
                for o in plans[visit.client_id]
                if o["id"] == order_of_visit[visit.dependency.after]
            )
            earlier["recurrence"] = {"kind": "daily"}

    clients = [c.id for c in day.clients]
    newcomer, in_hospital, over_authorised = clients[-1], clients[10], clients[0]
    caseload = []
    for client_id in clients:
        entry: dict[str, object] = {
            "client_id": client_id,
            "admitted": (MONDAY - timedelta(days=rng.randint(20, 400))).isoformat() + "T10:00",
        }
        if client_id == newcomer:
            entry["admitted"] = "2026-12-02T10:00"
        if client_id == in_hospital:
            entry["holds"] = [{"start": "2026-12-01", "end": "2026-12-03", "reason": "hospital"}]
        if client_id == over_authorised:
            entry["authorised_min_per_week"] = 420
        caseload.append(entry)

    # History: last week's caregivers per client (one or two regulars) and, for aide-served
    # clients, the last supervisory visit (a few are already overdue, most fall due this week
    # or next); the last reassessment in the window of each client's current 60-day period.
    nurses = [c.id for c in day.caregivers if c.role.value == "rn"]
    history = []
    by_client: dict[str, list] = {}
    for visit in day.visits:
        by_client.setdefault(visit.client_id, []).append(visit)
    for client_id in clients:
        if client_id == newcomer:
            continue
        excluded = day.clients_by_id[client_id].excluded_caregivers
        eligible = [
            c.id
            for c in day.caregivers
            if c.id not in excluded
            and all(
                visit.required_skills <= c.skills_on(None)
                and (not visit.roles or c.role in visit.roles)
                for visit in by_client.get(client_id, [])[:1]
            )
        ]
        regulars = rng.sample(eligible, k=min(2, len(eligible))) if eligible else []
        for k, visit in enumerate(by_client.get(client_id, [])):
            for back in (7, 6, 5):
                start = datetime.combine(
                    MONDAY - timedelta(days=back), visit.windows[0].start.time()
                )
                history.append(
                    {
                        "client_id": client_id,
                        "service": "personal_care",
                        "start": start.isoformat(timespec="minutes"),
                        "caregiver_ids": [regulars[k % len(regulars)]] if regulars else [],
                    }
                )
        # One client's supervision is overdue (16 days); the others fall due this week or next.
        gap = 16 if client_id == clients[1] else rng.choice([2, 4, 6, 8, 10, 12, 13])
        last_supervision = MONDAY - timedelta(days=gap)
        history.append(
            {
                "client_id": client_id,
                "service": "rn_supervision",
                "start": datetime.combine(last_supervision, time(11, 0)).isoformat(
                    timespec="minutes"
                ),
                "caregiver_ids": nurses[:1],
            }
        )
    # Every established client had an assessment at admission and a reassessment in the last
    # 5 days of every 60-day period since (the generator reads them from history).
    for entry in caseload:
        if entry["client_id"] != newcomer:
            admitted = datetime.fromisoformat(str(entry["admitted"]))
            done = [admitted + timedelta(hours=20)]
            period_end = admitted.date() + timedelta(days=60)
            while period_end <= MONDAY:
                done.append(datetime.combine(period_end - timedelta(days=2), time(14, 0)))
                period_end += timedelta(days=60)
            history += [
                {
                    "client_id": entry["client_id"],
                    "service": "rn_assessment",
                    "start": moment.isoformat(timespec="minutes"),
                    "caregiver_ids": nurses[:1],
                }
                for moment in done
            ]

    plan = {
        "agency": "agency",
        "availability": availability,
        "time_off": time_off,
        "care_plans": [{"client_id": c, "orders": plans[c]} for c in clients if c in plans],
        "caseload": caseload,
        "history": history,
        "continuity_weight": 1800,
    }
    (OUT / "plan.json").write_text(json.dumps(plan, indent=1) + "\n", encoding="utf-8")
    orders = sum(len(o) for o in plans.values())
    print(f"{len(caregivers)} caregivers, {len(clients)} clients, {orders} orders -> {OUT}")


if __name__ == "__main__":
    build()
