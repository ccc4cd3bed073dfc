"""`scheduler schema`: the JSON Schema of a file kind, for integrators."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from scheduler.io.schemas import KINDS, json_schema

Kind = StrEnum("Kind", {k: k for k in KINDS})  # type: ignore[misc]


def schema(
    kind: Annotated[Kind, typer.Argument(help="scenario, plan, roster, events or changes")],
) -> None:
    """Print the JSON Schema of KIND (generated from the models the readers validate with)."""
    typer.echo(json.dumps(json_schema(str(kind.value)), indent=2))
