"""Reading a plan: the agency scenario it points to, the policy, and the care-plan records.

A plan is a JSON file (docs/care-plans.md)::

    {"agency": "../bayreuth", "policy": "policy.toml",
     "availability": [...], "time_off": [...], "care_plans": [...], "caseload": [...],
     "history": [...], "continuity_weight": 1800}

or a folder holding such a ``plan.json`` (at least its ``agency``) and the records as
spreadsheets beside it: ``availability.csv``, ``time_off.csv``, ``orders.csv`` (one row per
service order, its client in ``client_id``), ``caseload.csv``, ``history.csv`` (columns in
``PLAN_CSV_COLUMNS``). Paths are relative to the plan file. Every problem names the file, the
record (``care_plans[2]``, or the CSV line) and the field; all of them are reported at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from scheduler.domain.model import TravelModelName
from scheduler.errors import Problem, ScenarioError
from scheduler.io.roster_files import write_roster
from scheduler.io.scenario_files import (
    _message,
    json_problem,
    load_scenario,
    read_csv_table,
    read_json,
)
from scheduler.io.summary import format_summary
from scheduler.plans.model import CarePlan, CaseloadEntry, PastVisit, ServiceOrder
from scheduler.plans.policy import load_policy
from scheduler.plans.week import Availability, PlanInput, TimeOff, WeekResult, plan_problems

PLAN_FILE = "plan.json"


def is_plan(path: Path) -> bool:
    """A plan file is a JSON object naming its agency (``"agency"``), a plan folder holds one
    as plan.json; a scenario never does."""
    try:
        if path.is_dir():  # a folder with a plan.json is a plan, even one that cannot be read
            return (path / PLAN_FILE).is_file()
        if path.suffix.lower() != ".json" or not path.is_file():
            return False
    except OSError:
        return False  # the scenario reader reports it
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
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
    folder = path if path.is_dir() else None
    if folder is not None:
        path = folder / PLAN_FILE
    source = str(path)
    raw = read_json(path, ScenarioError)
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(source, "the top level must be an object")])
    tables = _read_tables(folder, raw) if folder is not None else None
    agency_ref = raw.get("agency")
    if not isinstance(agency_ref, str) or not agency_ref:
        raise ScenarioError(
            [Problem(source, "names no agency scenario (a folder or .json)", field="agency")]
        )
    agency = load_scenario(path.parent / agency_ref, map_file=map_file, travel_model=travel_model)
    policy_ref = policy_file or (path.parent / raw["policy"] if raw.get("policy") else None)
    policy = load_policy(Path(policy_ref) if policy_ref is not None else None)

    record: dict[str, Any] = {**raw, "agency": agency, "policy": policy}
    if tables is not None:
        record.update(tables.records)
    try:
        plan = PlanInput.model_validate(record)
    except ValidationError as exc:
        raise ScenarioError([json_problem(source, raw, err) for err in exc.errors()]) from None
    problems = plan_problems(plan)
    if problems and tables is not None:
        raise ScenarioError([tables.locate(p, source) for p in problems])
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


# --- a folder of CSVs ----------------------------------------------------------------------------

_LIST = ";"  # several values in one cell: MO;TU, 08:00-10:00;18:00-20:00, ann;bob
PLAN_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "availability": ("caregiver_id", "days", "start", "end"),
    "time_off": ("caregiver_id", "start", "end", "reason"),
    "orders": (
        "client_id", "id", "service", "duration_min", "recurrence", "days", "interval",
        "day_of_month", "times", "min_gap_h", "windows", "daily_times", "valid_from",
        "valid_until", "caregivers_required", "after", "min_lag_min", "max_lag_min", "priority",
    ),
    "caseload": ("client_id", "admitted", "discharged", "holds", "authorised_min_per_week"),
    "history": ("client_id", "service", "start", "caregiver_ids", "order_id", "duration_min"),
}  # fmt: skip
_RECURRENCE_COLUMNS = ("days", "interval", "day_of_month", "times", "min_gap_h")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(_LIST) if part.strip()]


def _order_record(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        k: v for k, v in row.items() if k not in (*_RECURRENCE_COLUMNS, "client_id")
    }
    recurrence: dict[str, Any] | str = row.get("recurrence", "")
    extra = {k: row[k] for k in _RECURRENCE_COLUMNS if k in row}
    if extra or "=" not in str(recurrence):
        recurrence = {"kind": str(recurrence).strip().lower(), **extra}
    record["recurrence"] = recurrence
    for key in ("windows", "daily_times"):
        if key in row:
            record[key] = _split(row[key])
    if "after" in row:
        lags = {k: record.pop(k) for k in ("min_lag_min", "max_lag_min") if k in record}
        record["after"] = {"order": row["after"], **lags}
    return record


def _caseload_record(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = dict(row)
    if "holds" in row:
        holds = []
        for part in _split(row["holds"]):
            start, _, end = part.partition("/")
            holds.append({"start": start.strip(), "end": (end or start).strip()})
        record["holds"] = holds
    return record


def _history_record(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = dict(row)
    if "caregiver_ids" in row:
        record["caregiver_ids"] = _split(row["caregiver_ids"])
    return record


_TO_RECORD: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
    "availability": dict,
    "time_off": dict,
    "orders": _order_record,
    "caseload": _caseload_record,
    "history": _history_record,
}
_MODEL_OF: dict[str, type[BaseModel]] = {
    "availability": Availability,
    "time_off": TimeOff,
    "orders": ServiceOrder,
    "caseload": CaseloadEntry,
    "history": PastVisit,
}


@dataclass
class _Tables:
    """A plan folder's CSV records, each with the line it came from."""

    folder: Path
    records: dict[str, list[Any]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)
    order_lines: dict[str, tuple[str, int]] = field(default_factory=dict)  # order id -> client
    client_first_line: dict[str, int] = field(default_factory=dict)

    def locate(self, problem: Problem, source: str) -> Problem:
        """A cross-record problem (collection, index) located on its CSV line."""
        name = problem.source
        if name == "care_plans" and "orders" in self.lines:
            item = problem.item_id or ""
            line = self.order_lines[item][1] if item in self.order_lines else None
            line = line or self.client_first_line.get(item)
            orders = str(self.folder / "orders.csv")
            return Problem(orders, problem.message, line, problem.field, problem.item_id)
        if name in self.lines and isinstance(problem.row, int):
            path = self.folder / f"{name}.csv"
            line = self.lines[name][problem.row]
            return Problem(str(path), problem.message, line, problem.field, problem.item_id)
        row = f"{name}[{problem.row}]" if problem.row is not None else None
        return Problem(source, problem.message, row, problem.field, problem.item_id)


def _read_tables(folder: Path, header: dict[str, Any]) -> _Tables:
    """The plan folder's CSVs as records (validated row by row); ScenarioError naming every
    problem with file, line and column."""
    tables = _Tables(folder)
    problems: list[Problem] = []
    for name, columns in PLAN_CSV_COLUMNS.items():
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        source = str(path)
        key = "care_plans" if name == "orders" else name
        if key in header:
            message = f"{key} given in both {PLAN_FILE} and {path.name}: keep one"
            problems.append(Problem(source, message))
            continue
        try:
            frame = read_csv_table(path, ScenarioError)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        problems += [
            Problem(source, f"unknown column (expected some of {list(columns)})", row=1, field=c)
            for c in frame.columns
            if c not in columns
        ]
        models, lines = [], []
        for position, raw in enumerate(frame.to_dict(orient="records")):
            line = position + 2
            row = {k: str(v).strip() for k, v in raw.items() if k in columns and str(v).strip()}
            item_id = row.get("id") or row.get("client_id") or row.get("caregiver_id")
            if name == "orders" and not row.get("client_id"):
                problems.append(Problem(source, "no client", line, "client_id", item_id))
                continue
            try:
                if name == "orders":  # its client id, as the care plan will hold it
                    CarePlan.model_validate({"client_id": row["client_id"]})
                models.append(_MODEL_OF[name].model_validate(_TO_RECORD[name](row)))
                lines.append(line)
            except ValidationError as exc:
                problems += [
                    Problem(source, _message(err), line, _plan_column(err["loc"], columns), item_id)
                    for err in exc.errors()
                ]
            if name == "orders":
                tables.order_lines.setdefault(row.get("id", ""), (row["client_id"], line))
                tables.client_first_line.setdefault(row["client_id"], line)
        tables.lines[name] = lines
        if name == "orders":
            by_client: dict[str, list[ServiceOrder]] = {}
            for order in models:
                assert isinstance(order, ServiceOrder)
                by_client.setdefault(tables.order_lines[order.id][0], []).append(order)
            tables.records["care_plans"] = [
                CarePlan(client_id=client, orders=tuple(orders))
                for client, orders in by_client.items()
            ]
        else:
            tables.records[name] = models
    if problems:
        raise ScenarioError(problems)
    return tables


def _plan_column(loc: tuple[Any, ...], columns: tuple[str, ...]) -> str | None:
    """The CSV column a validation error's location points to."""
    named = [str(part) for part in loc if isinstance(part, str)]
    for part in reversed(named):
        if part in columns:
            return part
    if named and named[0] == "after":
        return "after"
    return named[0] if named else None


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
