"""`scheduler whatif` and `scheduler compare`: variants of a day side by side, and two rosters."""

from __future__ import annotations

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
    SeedOption,
    SolutionLimitOption,
    TimeLimitOption,
    TravelOption,
    WorkersOption,
    exit_on_bad_input,
    read_roster_or_exit,
    read_scenario_or_exit,
    solve_params,
)
from scheduler.errors import SolverError
from scheduler.io.whatif_files import read_variant, write_whatif
from scheduler.ops.whatif import compare_rows, roster_changes, solve_variants, table_markdown
from scheduler.scale.workers import workers_for


def whatif(
    base: Annotated[Path, typer.Argument(help="The base scenario (.json or a folder of CSVs).")],
    variant: Annotated[
        list[str],
        typer.Option(
            "--variant", help="NAME=CHANGES.json: a variant of the base (repeat the option)."
        ),
    ],
    out: OutOption = Path("out"),
    time_limit: TimeLimitOption = 10.0,
    seed: SeedOption = 0,
    solution_limit: SolutionLimitOption = None,
    quiet: QuietOption = False,
    travel: TravelOption = None,
    map_file: MapOption = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
) -> None:
    """Solve BASE and each --variant with the same seed and limit, at once on the workers,
    and write compare.csv, compare.md and each one's roster folder into --out."""
    data = read_scenario_or_exit(base, map_file=map_file, travel=travel)
    names, scenarios = ["base"], [data]
    for spec in variant:
        name, _, file = spec.partition("=")
        if not name or not file or name in names or "/" in name:
            typer.echo(f"--variant {spec!r}: expected a new NAME=CHANGES.json", err=True)
            raise typer.Exit(EXIT_BAD_INPUT)
        with exit_on_bad_input():
            scenarios.append(read_variant(data, file))
        names.append(name)
    params = solve_params(time_limit, seed, solution_limit, workers, cluster)
    with exit_on_bad_input(), workers_for(params.workers, params.cluster) as pool:
        rosters = solve_variants(scenarios, params, pool)
    if any(r is None for r in rosters):
        failed = [n for n, r in zip(names, rosters, strict=True) if r is None]
        raise SolverError(f"no roster for {', '.join(failed)}: its worker failed twice")
    solved = [r for r in rosters if r is not None]
    written = write_whatif(names, scenarios, solved, out)
    if not quiet:
        typer.echo(table_markdown(names, compare_rows(list(zip(names, solved, strict=True)))))
        typer.echo("Wrote " + ", ".join(str(p) for p in written))


def compare(
    roster_a: Annotated[Path, typer.Argument(help="A roster (roster.json or its folder).")],
    roster_b: Annotated[Path, typer.Argument(help="Another roster of the same scenario.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for compare.md and changes.csv.")
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
        out.mkdir(parents=True, exist_ok=True)
        (out / "compare.md").write_text(table, encoding="utf-8")
        columns = ["visit_id", "client_id", "kind", "a_caregivers", "a_start"]
        columns += ["b_caregivers", "b_start"]
        pd.DataFrame(changes, columns=columns).to_csv(out / "changes.csv", index=False)
