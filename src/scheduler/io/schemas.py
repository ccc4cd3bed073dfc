"""JSON Schemas of the files the engine reads and writes, generated from the pydantic models
(``scheduler schema KIND``; copies in docs/schemas/, checked current by the tests)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

from scheduler.domain.events import Event
from scheduler.domain.model import Scenario
from scheduler.ops.whatif import Changes
from scheduler.plans.week import PlanInput
from scheduler.solution.roster import Roster

KINDS = ("scenario", "plan", "roster", "events", "changes")
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _EventsFile(BaseModel):
    events: list[Event]


def json_schema(kind: str) -> dict[str, Any]:
    """The schema of one kind of file (``KINDS``)."""
    if kind == "scenario":
        schema = Scenario.model_json_schema()
        schema["description"] = (
            "A scenario as one JSON file; a CSV folder's scenario.json holds its header "
            "(name, time zone, settings)."
        )
    elif kind == "plan":
        schema = PlanInput.model_json_schema()
        props = schema["properties"]
        props["agency"] = {
            "type": "string",
            "description": "the agency's scenario, a .json file or a CSV folder (relative paths "
            "from the plan's folder)",
        }
        props["policy"] = {
            "type": "string",
            "description": "a compliance policy (.toml; relative paths from the plan's folder); "
            "default: the bundled one",
        }
        schema["required"] = [r for r in schema.get("required", []) if r != "policy"]
    elif kind == "roster":
        schema = Roster.model_json_schema(by_alias=True)
    elif kind == "events":
        schema = TypeAdapter(_EventsFile | list[Event]).json_schema()
        schema["description"] = 'A repair\'s events: a list, or {"events": [...]}.'
    elif kind == "changes":
        schema = Changes.model_json_schema()
    else:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    schema["title"] = f"homecare-scheduler {kind}"
    return {"$schema": DIALECT, **schema}
