"""Write a roster (JSON, CSV, readable summary) and read roster.json back.

The files are staged and moved into place only once every one was written
(``scheduler.atomic.staged_files``): a reader never sees a half-written file, and nothing existing
is touched unless the whole set was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from scheduler.atomic import staged_files
from scheduler.domain.model import Scenario
from scheduler.errors import Problem, RosterFileError
from scheduler.io.scenario_files import read_csv_table, read_json
from scheduler.io.summary import format_summary
from scheduler.ops.retime import OrderedStop
from scheduler.solution.roster import Roster

ROSTER_JSON = "roster.json"
ROSTER_CSV = "roster.csv"
UNASSIGNED_CSV = "unassigned.csv"
SUMMARY_TXT = "summary.txt"


def roster_frame(roster: Roster) -> pd.DataFrame:
    rows = [
        {
            "caregiver_id": route.caregiver_id,
            "visit_id": stop.visit_id,
            "client_id": stop.client_id,
            "start": stop.start.isoformat(),
            "end": stop.end.isoformat(),
            "duration_min": round((stop.end - stop.start).total_seconds() / 60.0, 2),
            "travel_before_min": stop.travel_before_min,
        }
        for route in roster.routes
        for stop in route.stops
    ]
    columns = [
        "caregiver_id",
        "visit_id",
        "client_id",
        "start",
        "end",
        "duration_min",
        "travel_before_min",
    ]
    return pd.DataFrame(rows, columns=columns)


def unassigned_frame(roster: Roster) -> pd.DataFrame:
    columns = ["visit_id", "client_id", "reason_code", "reason"]
    return pd.DataFrame([u.model_dump() for u in roster.unassigned], columns=columns)


def write_roster(
    scenario: Scenario,
    roster: Roster,
    out_dir: str | Path,
    *,
    summary: str | None = None,
    extra_files: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write the roster files (and ``extra_files``: name -> text) all at once: each file is
    staged first and moved into place only when every one has been written."""
    out = Path(out_dir)
    extra = dict(extra_files or {})
    with staged_files(out) as staging:
        (staging / ROSTER_JSON).write_text(
            roster.model_dump_json(indent=2, by_alias=True) + "\n", encoding="utf-8"
        )
        roster_frame(roster).to_csv(staging / ROSTER_CSV, index=False)
        unassigned_frame(roster).to_csv(staging / UNASSIGNED_CSV, index=False)
        summary = summary if summary is not None else format_summary(scenario, roster)
        (staging / SUMMARY_TXT).write_text(summary, encoding="utf-8")
        for name, text in extra.items():
            (staging / name).write_text(text, encoding="utf-8")
    return [out / name for name in (ROSTER_JSON, ROSTER_CSV, UNASSIGNED_CSV, SUMMARY_TXT, *extra)]


def read_roster(path: str | Path) -> Roster:
    path = Path(path)
    if path.is_dir():
        path = path / ROSTER_JSON
    source = str(path)
    raw = read_json(path, RosterFileError)
    try:
        return Roster.model_validate(raw)
    except ValidationError as exc:
        raise RosterFileError(
            [
                Problem(source, str(e["msg"]), field=".".join(map(str, e["loc"])))
                for e in exc.errors()
            ]
        ) from None


def read_orders(path: str | Path) -> dict[str, list[OrderedStop]]:
    """A hand-edited roster as each caregiver's visits in order: ``roster.json`` (its routes,
    with their times) or a CSV with ``caregiver_id`` and ``visit_id`` columns, one row per
    stop in order, and an optional ``start`` (a time to keep, when later than the earliest)."""
    path = Path(path)
    if path.is_dir():
        path = path / ROSTER_JSON
    if path.suffix.lower() != ".csv":
        roster = read_roster(path)
        orders: dict[str, list[OrderedStop]] = {}
        for route in roster.routes:
            orders.setdefault(route.caregiver_id, []).extend(
                OrderedStop(s.visit_id, s.start) for s in route.stops
            )
        return orders
    source = str(path)
    frame = read_csv_table(path, RosterFileError)
    missing = [c for c in ("caregiver_id", "visit_id") if c not in frame.columns]
    if missing:
        raise RosterFileError([Problem(source, "column is missing", 1, c) for c in missing])
    problems = []
    orders = {}
    for position, row in enumerate(frame.to_dict(orient="records")):
        line = position + 2
        caregiver_id, visit_id = str(row["caregiver_id"]).strip(), str(row["visit_id"]).strip()
        start = None
        text = str(row.get("start", "")).strip()
        if text:
            try:
                start = datetime.fromisoformat(text)
            except ValueError:
                problems.append(Problem(source, f"not a date and time: {text!r}", line, "start"))
        for field, value in (("caregiver_id", caregiver_id), ("visit_id", visit_id)):
            if not value:
                problems.append(Problem(source, "empty", line, field))
        orders.setdefault(caregiver_id, []).append(OrderedStop(visit_id, start))
    if problems:
        raise RosterFileError(problems)
    return orders
