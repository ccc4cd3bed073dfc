"""What-if files: a variant's changes (JSON) in; the side-by-side table (compare.csv,
compare.md) and each variant's roster folder out, all moved into place together."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from scheduler.domain.model import Scenario
from scheduler.errors import Problem, ScenarioError
from scheduler.io.roster_files import write_roster
from scheduler.io.scenario_files import _message, read_json
from scheduler.ops.whatif import Changes, apply_changes, compare_rows, table_markdown
from scheduler.solution.roster import Roster

COMPARE_CSV = "compare.csv"
COMPARE_MD = "compare.md"


def read_variant(base: Scenario, path: str | Path) -> Scenario:
    """The base scenario with the changes of ``path`` applied; every problem named with the
    file and field (ScenarioError)."""
    source = str(path)
    raw = read_json(Path(path), ScenarioError)
    try:
        changes = Changes.model_validate(raw)
        return apply_changes(base, changes)
    except ValidationError as exc:
        raise ScenarioError(
            [
                Problem(source, _message(e), field=".".join(str(p) for p in e["loc"]) or None)
                for e in exc.errors()
            ]
        ) from None


def compare_frame(names: Sequence[str], rosters: Sequence[Roster]) -> pd.DataFrame:
    rows = compare_rows(list(zip(names, rosters, strict=True)))
    return pd.DataFrame([[label.strip(), *cells] for label, cells in rows], columns=["", *names])


def write_whatif(
    names: Sequence[str],
    scenarios: Sequence[Scenario],
    rosters: Sequence[Roster],
    out_dir: str | Path,
) -> list[Path]:
    """compare.csv, compare.md and a roster folder per name under ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".whatif-", dir=out))
    try:
        for name, scenario, roster in zip(names, scenarios, rosters, strict=True):
            write_roster(scenario, roster, staging / name)
        compare_frame(names, rosters).to_csv(staging / COMPARE_CSV, index=False)
        rows = compare_rows(list(zip(names, rosters, strict=True)))
        (staging / COMPARE_MD).write_text(table_markdown(names, rows), encoding="utf-8")
        written = []
        for entry in [*names, COMPARE_CSV, COMPARE_MD]:
            target = out / entry
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(staging / entry, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
