"""What-if files: a variant's changes (JSON) in; the side-by-side table (compare.csv,
compare.md) and each variant's roster folder out, all moved into place together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

import pandas as pd
from pydantic import ValidationError

from scheduler.atomic import staged_files
from scheduler.domain.model import Scenario
from scheduler.errors import Problem, ScenarioError
from scheduler.io.plan_files import write_week
from scheduler.io.roster_files import write_roster
from scheduler.io.scenario_files import _message, read_json
from scheduler.ops.whatif import (
    DAY_ONLY,
    PLAN_ONLY,
    Changes,
    apply_changes,
    apply_plan_changes,
    compare_rows,
    table_markdown,
)
from scheduler.plans.week import PlanInput, WeekResult, plan_problems
from scheduler.solution.roster import Roster

_T = TypeVar("_T")

COMPARE_CSV = "compare.csv"
COMPARE_MD = "compare.md"


def read_variant(base: Scenario, path: str | Path) -> Scenario:
    """The base scenario with the changes of ``path`` applied; every problem named with the
    file and field (ScenarioError)."""
    return _read_changes(path, PLAN_ONLY, "a plan's week", lambda c: apply_changes(base, c))


def read_plan_variant(base: PlanInput, path: str | Path) -> PlanInput:
    """The base plan with the changes of ``path`` applied, checked as a plan file is."""
    source = str(path)
    variant = _read_changes(path, DAY_ONLY, "a day", lambda c: apply_plan_changes(base, c))
    problems = plan_problems(variant)
    if problems:
        raise ScenarioError(
            [
                Problem(source, p.message, field=f"{p.source}.{p.field}", item_id=p.item_id)
                for p in problems
            ]
        )
    return variant


def _read_changes(
    path: str | Path, not_here: tuple[str, ...], where: str, apply: Callable[[Changes], _T]
) -> _T:
    source = str(path)
    raw = read_json(Path(path), ScenarioError)
    try:
        changes = Changes.model_validate(raw)
        misplaced = [name for name in not_here if getattr(changes, name)]
        if misplaced:
            raise ScenarioError(
                [Problem(source, f"applies only to {where}", field=n) for n in misplaced]
            )
        return apply(changes)
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
    folders = [
        partial(write_roster, scenario, roster)
        for scenario, roster in zip(scenarios, rosters, strict=True)
    ]
    return _write_side_by_side(names, rosters, folders, out_dir)


def write_week_whatif(
    names: Sequence[str], results: Sequence[WeekResult], out_dir: str | Path
) -> list[Path]:
    """As ``write_whatif``, each variant's folder a plan's (demand.csv, flags.csv, ...)."""
    folders = [partial(write_week, result) for result in results]
    return _write_side_by_side(names, [r.roster for r in results], folders, out_dir)


def _write_side_by_side(
    names: Sequence[str],
    rosters: Sequence[Roster],
    folders: Sequence[Callable[[Path], object]],
    out_dir: str | Path,
) -> list[Path]:
    out = Path(out_dir)
    with staged_files(out) as staging:
        for name, write_folder in zip(names, folders, strict=True):
            write_folder(staging / name)
        compare_frame(names, rosters).to_csv(staging / COMPARE_CSV, index=False)
        rows = compare_rows(list(zip(names, rosters, strict=True)))
        (staging / COMPARE_MD).write_text(table_markdown(names, rows), encoding="utf-8")
    return [out / entry for entry in [*names, COMPARE_CSV, COMPARE_MD]]
