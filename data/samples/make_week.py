"""Build the sample week (data/samples/bayreuth-week) from the sample day's agency.

    python data/samples/make_week.py

The agency (caregivers, clients, the map) is the sample day's (data/samples/bayreuth);
``scheduler.synthetic.week_plan`` turns each client's visits of that day into standing care-plan
orders and each caregiver's shift into weekly availability, with labour rules (weekly limit,
overtime threshold, 11 h rest, a 30-min break after 6 h), a caseload and last weeks' history.
On top, the situations a coordinator meets in a week: a new admission on Wednesday (RN
assessment within 48 h), a hospital stay, a wound-care credential that lapses mid-week, a
caregiver on leave, an RN case manager for the compliance visits, an overdue supervisory visit,
a client whose plan exceeds the payer's authorised hours; double-handed transfers and a
3-times-a-week physiotherapy order come from the day. Everything is seeded; the people are
invented.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from scheduler.domain.model import Credential, Role
from scheduler.io.scenario_files import load_scenario, save_scenario
from scheduler.synthetic import week_plan

HERE = Path(__file__).parent
OUT = HERE / "bayreuth-week"
MONDAY = date(2026, 11, 30)


def build() -> None:
    day = load_scenario(HERE / "bayreuth")
    agency, plan = week_plan(day, MONDAY, seed=2026)

    # An LPN whose wound-care certificate lapses after Wednesday.
    caregivers = tuple(
        c.model_copy(
            update={
                "skills": c.skills - {"wound_care"},
                "credentials": (Credential(name="wound_care", valid_until=date(2026, 12, 2)),),
            }
        )
        if c.id == "CG002"
        else c
        for c in agency.caregivers
    )
    # The RN case manager who makes the assessments and supervisory visits, weekdays 08-16.
    nurse = next(c for c in agency.caregivers if c.role is Role.RN)
    manager = nurse.model_copy(
        update={
            "id": "CG017",
            "home": day.clients[20].location,
            "languages": frozenset({"de", "en"}),
        }
    )
    caregivers = (*caregivers, manager)
    plan["availability"].append(
        {
            "caregiver_id": "CG017",
            "days": ["MO", "TU", "WE", "TH", "FR"],
            "start": "08:00",
            "end": "16:00",
        }
    )
    agency = agency.model_copy(update={"name": "bayreuth-north-agency", "caregivers": caregivers})
    plan["time_off"] = [
        {"caregiver_id": "CG005", "start": "2026-12-03", "end": "2026-12-04", "reason": "leave"}
    ]
    clients = [c.id for c in day.clients]
    newcomer, in_hospital, over_authorised, overdue = (
        clients[-1],
        clients[10],
        clients[0],
        clients[1],
    )
    for entry in plan["caseload"]:
        if entry["client_id"] == newcomer:  # admitted on Wednesday: no history yet
            entry["admitted"] = "2026-12-02T10:00"
        if entry["client_id"] == in_hospital:
            entry["holds"] = [{"start": "2026-12-01", "end": "2026-12-03", "reason": "hospital"}]
        if entry["client_id"] == over_authorised:
            entry["authorised_min_per_week"] = 420
    plan["history"] = [h for h in plan["history"] if h["client_id"] != newcomer]
    for past in plan["history"]:  # one supervisory visit 16 days ago: overdue
        if past["client_id"] == overdue and past["service"] == "rn_supervision":
            past["start"] = "2026-11-14T11:00"

    agency_dir = OUT / "agency"
    save_scenario(agency, agency_dir)
    for name, columns in {
        "caregivers.csv": ["home_lat", "home_lon"],
        "clients.csv": ["lat", "lon"],
    }.items():
        frame = pd.read_csv(agency_dir / name, dtype=str, keep_default_na=False)
        frame.drop(columns=[c for c in columns if c in frame]).to_csv(
            agency_dir / name, index=False
        )
    header = json.loads((agency_dir / "scenario.json").read_text(encoding="utf-8"))
    header["settings"]["travel"]["map_file"] = "../../../maps/north-bayreuth.osm.bz2"
    (agency_dir / "scenario.json").write_text(json.dumps(header, indent=2) + "\n", encoding="utf-8")
    (OUT / "plan.json").write_text(
        json.dumps({"agency": "agency", **plan}, indent=1) + "\n", encoding="utf-8"
    )
    orders = sum(len(p["orders"]) for p in plan["care_plans"])
    print(f"{len(caregivers)} caregivers, {len(clients)} clients, {orders} orders -> {OUT}")


if __name__ == "__main__":
    build()
