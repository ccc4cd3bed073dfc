"""Reading a plan file: the agency scenario it points to, the policy, and the care-plan records.

A plan file is JSON (docs/care-plans.md)::

    {"agency": "../bayreuth", "policy": "policy.toml",
     "availability": [...], "time_off": [...], "care_plans": [...], "caseload": [...],
     "history": [...], "continuity_weight": 1800}

Paths are relative to the plan file. Every problem names the file, the record (``care_plans[2]``)
and the field; all of them are reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from scheduler.domain.model import TravelModelName
from scheduler.errors import Problem, ScenarioError
from scheduler.io.roster_files import write_roster
from scheduler.io.scenario_files import json_problem, load_scenario, read_json
from scheduler.io.summary import format_summary
from scheduler.plans.policy import load_policy
from scheduler.plans.week import PlanInput, WeekResult, plan_problems


def is_plan(path: Path) -> bool:
    """A plan file is a JSON object naming its agency (``"agency"``); a scenario never does."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False  # the scenario reader reports it
    return isinstance(raw, dict) and "agency" in raw


def load_plan(
    path: str | Path,
    *,
    policy_file: str | Path | None = None,
    map_file: str | Path | None = None,
    travel_model: TravelModelName | str | None = None,
) -> PlanInput:
    path = Path(path)
    source = str(path)
    raw = read_json(path, ScenarioError)
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(source, "the top level must be an object")])
    agency_ref = raw.get("agency")
    if not isinstance(agency_ref, str) or not agency_ref:
        raise ScenarioError(
            [Problem(source, "names no agency scenario (a folder or .json)", field="agency")]
        )
    agency = load_scenario(path.parent / agency_ref, map_file=map_file, travel_model=travel_model)
    policy_ref = policy_file or (path.parent / raw["policy"] if raw.get("policy") else None)
    policy = load_policy(Path(policy_ref) if policy_ref is not None else None)

    record: dict[str, Any] = {**raw, "agency": agency, "policy": policy}
    try:
        plan = PlanInput.model_validate(record)
    except ValidationError as exc:
        raise ScenarioError([json_problem(source, raw, err) for err in exc.errors()]) from None
    problems = plan_problems(plan)
    if problems:
        raise ScenarioError(
            [
                Problem(
                    source,
                    p.message,
                    row=f"{p.source}[{p.row}]" if p.row is not None else None,
                    field=p.field,
                    item_id=p.item_id,
                )
                for p in problems
            ]
        )
    return plan


# --- writing ------------------------------------------------------------------------------------


def _csv(rows: Sequence[Mapping[str, object]], columns: list[str]) -> str:
    return pd.DataFrame(rows, columns=columns).to_csv(index=False)


def week_files(result: WeekResult) -> dict[str, str]:
    """demand.csv (every generated visit, where it came from, who serves it), flags.csv,
    continuity.csv, scenario.json (the horizon's visits and shifts): name -> text."""
    served: dict[str, list[str]] = {}
    starts: dict[str, str] = {}
    for route in result.roster.routes:
        for stop in route.stops:
            served.setdefault(stop.visit_id, []).append(route.caregiver_id)
            starts[stop.visit_id] = stop.start.isoformat()
    demand_rows: list[dict[str, object]] = []
    for visit in result.week.demand.visits:
        origin = result.week.demand.origins[visit.id]
        demand_rows.append(
            {
                "visit_id": visit.id,
                "client_id": visit.client_id,
                "service": origin.service,
                "order_id": origin.order_id or "",
                "rule": origin.rule or "",
                "movable": origin.movable,
                "billable": origin.billable,
                "duration_min": visit.duration_min,
                "caregivers": ";".join(served.get(visit.id, [])),
                "start": starts.get(visit.id, ""),
            }
        )
    flags = [
        {"client_id": f.client_id, "kind": f.kind.value, "message": f.message}
        for f in result.week.demand.flags
    ]
    continuity_rows = [
        {
            "client_id": c.client_id,
            "visits": c.visits,
            "distinct_caregivers": c.distinct_caregivers,
            "main_caregiver": c.main_caregiver or "",
            "main_share": round(c.main_share, 3),
            "from_history": round(c.from_history, 3),
        }
        for c in result.continuity
    ]
    return {
        "demand.csv": _csv(demand_rows, list(demand_rows[0]) if demand_rows else ["visit_id"]),
        "flags.csv": _csv(flags, ["client_id", "kind", "message"]),
        "continuity.csv": _csv(
            continuity_rows,
            [
                "client_id",
                "visits",
                "distinct_caregivers",
                "main_caregiver",
                "main_share",
                "from_history",
            ],
        ),
        # the horizon's scenario, which the roster is valid for (scheduler check DIR/scenario.json)
        "scenario.json": result.week.scenario.model_dump_json(indent=2, exclude_defaults=True)
        + "\n",
    }


def format_week_summary(result: WeekResult) -> str:
    week, roster = result.week, result.roster
    demand = week.demand
    origins = demand.origins.values()
    unassigned = {u.visit_id for u in roster.unassigned}
    compliance = [v.id for v in demand.visits if demand.origins[v.id].rule]
    missed_compliance = [v for v in compliance if v in unassigned]
    lines = [
        f"Horizon: {week.horizon.start.isoformat()} to "
        f"{(week.horizon.end - timedelta(days=1)).isoformat()} ({week.horizon.days} days)",
        f"Demand: {len(demand.visits)} visits generated "
        f"({sum(1 for o in origins if o.order_id and not o.movable)} fixed, "
        f"{sum(1 for o in origins if o.movable)} movable, "
        f"{len(compliance)} compliance)",
    ]
    if demand.flags:
        lines += ["", f"Flags for the coordinator ({len(demand.flags)}):"]
        lines += [f"  - {flag}" for flag in demand.flags]
    if missed_compliance:
        lines += ["", f"Compliance visits NOT scheduled ({len(missed_compliance)}):"]
        lines += [f"  - {visit_id}" for visit_id in missed_compliance]
    lines += ["", f"Compliance check of history + roster: {len(result.compliance_findings)} gap(s)"]
    lines += [f"  - {finding}" for finding in result.compliance_findings]
    if result.first_stage is not None:
        stage = result.first_stage
        lines.append(
            f"First stage (days and caregivers over the horizon): {stage.tasks_placed} of "
            f"{stage.tasks} caregiver-visits placed"
        )
    if roster.kpis is not None:
        lines.append(f"Overtime: {roster.kpis.overtime_min:.0f} min beyond weekly thresholds")
        if roster.kpis.workload_spread_pct is not None:
            lines.append(
                f"Workload spread: {roster.kpis.workload_spread_pct:.0f} points between the "
                "highest and the lowest share of contracted time worked, within a role"
            )
    if result.continuity:
        n = len(result.continuity)
        distinct = sum(c.distinct_caregivers for c in result.continuity) / n
        main = sum(c.main_share for c in result.continuity) / n
        familiar = [
            c.from_history for c in result.continuity if c.client_id in week.history_caregivers
        ]
        lines += [
            "",
            "Continuity of care:",
            f"  distinct caregivers per client: {distinct:.2f} (mean over {n} clients)",
            f"  share of visits by the client's main caregiver: {100 * main:.0f} %",
        ]
        if familiar:
            lines.append(
                f"  share by caregivers who served the client before: "
                f"{100 * sum(familiar) / len(familiar):.0f} % "
                f"({len(familiar)} clients with history)"
            )
    return format_summary(week.scenario, roster) + "\n" + "\n".join(lines) + "\n"


def write_week(result: WeekResult, out_dir: str | Path) -> list[Path]:
    return write_roster(
        result.week.scenario,
        result.roster,
        out_dir,
        summary=format_week_summary(result),
        extra_files=week_files(result),
    )
