"""`scheduler whatif` and `scheduler compare`: variants of a day side by side, and two rosters."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from scheduler.cli.common import (
    EXIT_BAD_INPUT,
    ClusterOption,
    MapOption,
    OutOption,
    QuietOption,
    ReportOption,
    SeedOption,
    SolutionLimitOption,
    TimeLimitOption,
    TravelOption,
    WorkersOption,
    command_output,
    commit_output,
    exit_on_bad_input,
    interruptible,
    read_roster_or_exit,
    read_scenario_or_exit,
    solve_params,
)
from scheduler.cli.report import report_beside
from scheduler.domain.model import TravelModelName
from scheduler.errors import SolverError
from scheduler.io.plan_files import is_plan, load_plan
from scheduler.io.report_files import write_comparison, write_report, write_week_report
from scheduler.io.whatif_files import (
    read_plan_variant,
    read_variant,
    write_week_whatif,
    write_whatif,
)
from scheduler.ops.whatif import (
    compare_rows,
    plan_variants,
    roster_changes,
    solve_variants,
    table_markdown,
)
from scheduler.scale.workers import workers_for
from scheduler.solution.roster import Roster
from scheduler.solve.params import SolveParams


def whatif(
    base: Annotated[
        Path,
        typer.Argument(help="The base scenario (.json or a folder of CSVs), or a plan (.json)."),
    ],
    variant: Annotated[
        list[str],
        typer.Option(
            "--variant", help="NAME=CHANGES.json: a variant of the base (repeat the option)."
        ),
    ],
    out: OutOption = Path("out/whatif"),
    time_limit: TimeLimitOption = 10.0,
    seed: SeedOption = 0,
    solution_limit: SolutionLimitOption = None,
    quiet: QuietOption = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    start: Annotated[
        datetime | None,
        typer.Option("--start", formats=["%Y-%m-%d"], help="A plan's first day (YYYY-MM-DD)."),
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=31, help="A plan's days.")] = 7,
    report: ReportOption = True,
) -> None:
    """Solve BASE and each --variant with the same seed and limit, at once on the workers,
    and write compare.csv, compare.md, each one's roster folder (with its report) and
    report.html (the base's, with the variants side by side) into --out. A plan BASE
    plans --days days from --start for each variant."""
    params = solve_params(time_limit, seed, solution_limit, workers, cluster)
    if is_plan(base):
        if start is None:
            typer.echo("a plan's what-if needs --start (YYYY-MM-DD)", err=True)
            raise typer.Exit(EXIT_BAD_INPUT)
        _plan_whatif(
            base, variant, start.date(), days, params, out, quiet, travel, map_file, report
        )
        return
    data = read_scenario_or_exit(base, map_file=map_file, travel=travel)
    names, scenarios = ["base"], [data]
    for name, file in _variant_specs(variant):
        with exit_on_bad_input():
            scenarios.append(read_variant(data, file))
        names.append(name)
    with command_output(out) as folder, interruptible() as interrupt:
        with exit_on_bad_input(), workers_for(params.workers, params.cluster) as pool:
            rosters = solve_variants(scenarios, params, pool)
        if any(r is None for r in rosters):
            failed = [n for n, r in zip(names, rosters, strict=True) if r is None]
            raise SolverError(f"no roster for {', '.join(failed)}: its worker failed twice")
        solved = [r for r in rosters if r is not None]
        staged = folder.path
        written = write_whatif(names, scenarios, solved, staged)
        named = list(zip(names, solved, strict=True))

        def reports() -> list[Path]:
            for name, scenario, roster in zip(names, scenarios, solved, strict=True):
                write_report(scenario, roster, staged / name)
            return write_report(scenarios[0], solved[0], staged, variants=named)[:1]

        written += report_beside(reports, report)
        written = commit_output(folder, written)
    if not quiet:
        _echo_side_by_side(names, solved, written)
    interrupt.exit_if_stopped()


def _variant_specs(specs: list[str]) -> list[tuple[str, str]]:
    """NAME=CHANGES.json pairs, each name new and usable as a folder name (else exit 2)."""
    pairs: list[tuple[str, str]] = []
    for spec in specs:
        name, _, file = spec.partition("=")
        if not name or not file or name in ("base", *(n for n, _ in pairs)) or "/" in name:
            typer.echo(f"--variant {spec!r}: expected a new NAME=CHANGES.json", err=True)
            raise typer.Exit(EXIT_BAD_INPUT)
        pairs.append((name, file))
    return pairs


def _plan_whatif(
    base: Path,
    variant: list[str],
    start: date,
    days: int,
    params: SolveParams,
    out: Path,
    quiet: bool,
    travel: TravelModelName | None,
    map_file: Path | None,
    report: bool,
) -> None:
    """The plan's horizon planned for the base and each variant, one after another (each
    week spreads its regions and days over the workers itself)."""
    with exit_on_bad_input():
        plan = load_plan(base, map_file=map_file, travel_model=travel)
    names, plans = ["base"], [plan]
    for name, file in _variant_specs(variant):
        with exit_on_bad_input():
            plans.append(read_plan_variant(plan, file))
        names.append(name)
    with command_output(out) as folder, interruptible() as interrupt:
        with exit_on_bad_input():
            results = plan_variants(plans, start, days, params)
        staged = folder.path
        written = write_week_whatif(names, results, staged)
        named = [(name, r.roster) for name, r in zip(names, results, strict=True)]

        def reports() -> list[Path]:
            for name, result in zip(names, results, strict=True):
                write_week_report(result, staged / name)
            return write_week_report(results[0], staged, variants=named)[:1]

        written += report_beside(reports, report)
        written = commit_output(folder, written)
    if not quiet:
        _echo_side_by_side(names, [r.roster for r in results], written)
    interrupt.exit_if_stopped()


def _echo_side_by_side(names: list[str], rosters: list[Roster], written: list[Path]) -> None:
    typer.echo(table_markdown(names, compare_rows(list(zip(names, rosters, strict=True)))))
    typer.echo("Wrote " + ", ".join(str(p) for p in written))


def compare(
    roster_a: Annotated[Path, typer.Argument(help="A roster (roster.json or its folder).")],
    roster_b: Annotated[Path, typer.Argument(help="Another roster of the same scenario.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for compare.md, changes.csv and compare.html.",
        ),
    ] = None,
) -> None:
    """The side-by-side table of two rosters and every visit that differs between them."""
    a, b = read_roster_or_exit(roster_a), read_roster_or_exit(roster_b)
    names = ["A", "B"]
    table = table_markdown(names, compare_rows([("A", a), ("B", b)]))
    changes = roster_changes(a, b)
    typer.echo(table)
    typer.echo(f"{len(changes)} visits differ")
    if out is not None:
        columns = ["visit_id", "client_id", "kind", "a_caregivers", "a_start"]
        columns += ["b_caregivers", "b_start"]
        with command_output(out) as folder:
            (folder.path / "compare.md").write_text(table, encoding="utf-8")
            frame = pd.DataFrame(changes, columns=columns)
            frame.to_csv(folder.path / "changes.csv", index=False)
            write_comparison(list(zip(names, (a, b), strict=True)), len(changes), folder.path)
            commit_output(folder, [])
