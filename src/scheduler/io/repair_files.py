"""A repair's files: the new roster (as ``write_roster`` writes any), ``changes.csv``,
``notifications.csv`` and ``scenario.json`` (the day as it now is, which the roster is valid
for: ``scheduler check DIR/scenario.json DIR/roster.json``), all moved into place together."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scheduler.io.roster_files import write_roster
from scheduler.io.summary import format_summary
from scheduler.ops.repair import RepairResult

CHANGES_CSV = "changes.csv"
NOTIFICATIONS_CSV = "notifications.csv"
DAY_JSON = "scenario.json"
CHANGE_COLUMNS = [
    "visit_id",
    "client_id",
    "kind",
    "old_caregivers",
    "old_start",
    "new_caregivers",
    "new_start",
    "new_to_client",
    "note",
]


def changes_frame(result: RepairResult) -> pd.DataFrame:
    rows = [
        {
            "visit_id": c.visit_id,
            "client_id": c.client_id,
            "kind": c.kind,
            "old_caregivers": ";".join(c.old_caregivers),
            "old_start": c.old_start.isoformat() if c.old_start else "",
            "new_caregivers": ";".join(c.new_caregivers),
            "new_start": c.new_start.isoformat() if c.new_start else "",
            "new_to_client": c.new_to_client,
            "note": c.note,
        }
        for c in result.changes
    ]
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def notifications_frame(result: RepairResult) -> pd.DataFrame:
    rows = [{"whom": n.whom, "id": n.id, "message": n.message} for n in result.notifications]
    return pd.DataFrame(rows, columns=["whom", "id", "message"])


def repair_summary(result: RepairResult) -> str:
    """The roster's summary, then what the repair changed."""
    kinds: dict[str, int] = {}
    for c in result.changes:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    lines = [
        format_summary(result.day, result.roster).rstrip("\n"),
        "",
        f"Repair: {len(result.frozen)} visits frozen (started or on the way), "
        f"{result.visits_changed} published visits changed, "
        f"{result.clients_affected} clients affected",
    ]
    lines += [f"  {kind}: {n}" for kind, n in sorted(kinds.items())]
    people = sum(n.whom == "caregiver" for n in result.notifications)
    lines.append(f"To tell: {people} caregivers, {len(result.notifications) - people} clients")
    return "\n".join(lines) + "\n"


def write_repair(result: RepairResult, out_dir: str | Path) -> list[Path]:
    return write_roster(
        result.day,
        result.roster,
        out_dir,
        summary=repair_summary(result),
        extra_files={
            CHANGES_CSV: changes_frame(result).to_csv(index=False),
            NOTIFICATIONS_CSV: notifications_frame(result).to_csv(index=False),
            DAY_JSON: result.day.model_dump_json(indent=2, exclude_defaults=True) + "\n",
        },
    )
