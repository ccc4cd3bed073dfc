"""A repair's events from a JSON file (a list, or ``{"events": [...]}``) or a CSV file (one row
per event, a ``kind`` column and the fields that kind takes; see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from scheduler.domain.events import EVENT_KINDS, Event, LocatedEvent
from scheduler.errors import EventsError, Problem
from scheduler.io.scenario_files import (
    CellError,
    _intervals,
    _message,
    read_csv_table,
    read_json,
)

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
# CSV columns of a visit (an added visit's, or a changed visit's new values).
_VISIT_COLUMNS = ("client_id", "duration_min", "required_skills", "roles", "priority")
_CSV_COLUMNS = {
    "kind",
    "caregiver_id",
    "client_id",
    "visit_id",
    "start",
    "end",
    "minutes",
    "duration_min",
    "windows",
    "required_skills",
    "roles",
    "priority",
    "caregivers_required",
}


def read_events(path: str | Path) -> list[LocatedEvent]:
    """The events of ``path``; every problem in it at once (EventsError), none read half."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    return _read_json(path)


def _read_json(path: Path) -> list[LocatedEvent]:
    source = str(path)
    raw = read_json(path, EventsError)
    items = raw.get("events") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise EventsError([Problem(source, 'expected a list of events or {"events": [...]}')])
    events, problems = [], []
    for i, item in enumerate(items):
        row = f"events[{i}]"
        try:
            events.append(LocatedEvent(_ADAPTER.validate_python(item), source, row))
        except ValidationError as exc:
            problems += [_problem(source, row, err) for err in exc.errors()]
    if problems:
        raise EventsError(problems)
    return events


def _read_csv(path: Path) -> list[LocatedEvent]:
    source = str(path)
    frame = read_csv_table(path, EventsError)
    problems = [
        Problem(source, f"unknown column (expected some of {sorted(_CSV_COLUMNS)})", 1, c)
        for c in sorted(set(frame.columns) - _CSV_COLUMNS)
    ]
    if "kind" not in frame.columns:
        problems.append(Problem(source, "the 'kind' column is missing", row=1))
    if problems:
        raise EventsError(problems)
    events = []
    for position, raw in enumerate(frame.to_dict(orient="records")):
        line = position + 2  # the header is line 1
        row = {str(k): str(v).strip() for k, v in raw.items() if str(v).strip() != ""}
        try:
            record = _csv_record(row)
            events.append(LocatedEvent(_ADAPTER.validate_python(record), source, line))
        except ValidationError as exc:
            problems += [_problem(source, line, err) for err in exc.errors()]
        except ValueError as exc:
            column = exc.column if isinstance(exc, CellError) else None
            problems.append(Problem(source, str(exc), row=line, field=column))
    if problems:
        raise EventsError(problems)
    return events


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    kind = row.get("kind", "")
    if kind not in EVENT_KINDS:
        raise CellError("kind", f"kind {kind!r} is not one of {', '.join(EVENT_KINDS)}")
    if kind == "visit_added":
        visit: dict[str, Any] = {k: row[k] for k in _VISIT_COLUMNS if k in row}
        visit["id"] = row.get("visit_id", "")
        if "windows" in row:
            visit["windows"] = _intervals(row["windows"])
        if "caregivers_required" in row:
            visit["caregivers_required"] = row["caregivers_required"]
        return {"kind": kind, "visit": visit}
    record: dict[str, Any] = dict(row)
    if "windows" in record:
        record["windows"] = _intervals(record["windows"])
    return record


def _problem(source: str, row: int | str, err: Any) -> Problem:
    loc = [str(p) for p in err["loc"]]
    if loc and loc[0] in EVENT_KINDS:  # the union's branch, not a field
        loc = loc[1:]
    if loc[:1] == ["visit"] and isinstance(row, int):  # a CSV row's visit is the row itself
        loc = ["visit_id" if loc[1:] == ["id"] else ".".join(loc[1:])] if len(loc) > 1 else loc
    return Problem(source, _message(err), row=row, field=".".join(loc) or None)
