"""What the commands share: the travel options, and failing cleanly on bad input (exit 2, no
traceback) while showing doubtful-input warnings as one plain line each."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from scheduler.atomic import OutputFolder
from scheduler.domain.model import Scenario, TravelModelName
from scheduler.errors import InputFileError
from scheduler.io.roster_files import read_roster
from scheduler.io.scenario_files import load_scenario
from scheduler.io.summary import format_summary, summary_tables
from scheduler.solution.roster import Roster
from scheduler.solve.params import MAX_TIME_LIMIT_S, SolveParams
from scheduler.solve.routing import Progress
from scheduler.stop import request_stop, reset

EXIT_BAD_INPUT = 2
T = TypeVar("T")

TravelOption = Annotated[
    TravelModelName | None,
    typer.Option(
        "--travel",
        help="Travel model (default: the scenario's; road when --map is given).",
        case_sensitive=False,
    ),
]
SeedOption = Annotated[int, typer.Option(min=0, help="Seed for reproducible runs.")]
SolutionLimitOption = Annotated[
    int | None,
    typer.Option(min=1, help="Stop after this many solutions (deterministic budget)."),
]
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Folder for the roster files.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no summary.")]
TimeLimitOption = Annotated[
    float,
    typer.Option(
        "--time-limit", "-t", min=0.1, max=MAX_TIME_LIMIT_S, help="Search time limit, seconds."
    ),
]
ReportOption = Annotated[
    bool,
    typer.Option(
        "--report/--no-report",
        help="Also write report.html (map, timeline, tables), itineraries.html and "
        "calendars/CAREGIVER.ics.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Local worker processes for a large day's parts (default: one per core).",
    ),
]
ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        metavar="tcp://HOST:PORT",
        help="An existing Dask scheduler to run a large day's parts on (needs the dask extra).",
    ),
]
MapOption = Annotated[
    Path | None,
    typer.Option(
        "--map",
        exists=True,
        dir_okay=False,
        help="Local OpenStreetMap extract (.osm, .osm.bz2) for road travel and addresses.",
    ),
]


def solve_params(
    time_limit_s: float,
    seed: int,
    solution_limit: int | None,
    workers: int | None,
    cluster: str | None,
) -> SolveParams:
    """The search parameters the solving commands share; at debug level (``-vv``), with
    OR-Tools' own search log (on stderr)."""
    return SolveParams(
        time_limit_s=time_limit_s,
        seed=seed,
        solution_limit=solution_limit,
        workers=workers,
        cluster=cluster,
        log_search=logging.getLogger("scheduler").isEnabledFor(logging.DEBUG),
    )


@contextmanager
def exit_on_bad_input(sources: Mapping[str, Path] | None = None) -> Iterator[None]:
    """Input errors become their message on stderr and exit status 2; warnings one line each.
    ``sources`` names the files behind the library's placeholders ("the roster")."""

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        typer.echo(f"warning: {message}", err=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        try:
            yield
        except InputFileError as exc:
            if sources:
                named = [
                    replace(p, source=str(sources[p.source])) if p.source in sources else p
                    for p in exc.problems
                ]
                exc = type(exc)(named)
            typer.echo(str(exc), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None


def _or_exit(read: Callable[[], T]) -> T:
    with exit_on_bad_input():
        return read()


def read_scenario_or_exit(
    path: Path, *, map_file: Path | None = None, travel: TravelModelName | None = None
) -> Scenario:
    return _or_exit(lambda: load_scenario(path, map_file=map_file, travel_model=travel))


def read_roster_or_exit(path: Path) -> Roster:
    return _or_exit(lambda: read_roster(path))


def echo_summary(scenario: Scenario, roster: Roster) -> None:
    """The roster's summary: rich tables on a terminal, the plain text of summary.txt else."""
    if sys.stdout.isatty():
        from rich.console import Console

        Console().print(*summary_tables(scenario, roster))
    else:
        typer.echo(format_summary(scenario, roster))


@contextmanager
def shown_progress(
    time_limit_s: float | None, quiet: bool = False
) -> Iterator[Callable[[Progress], None] | None]:
    """Within: a callback that shows the search's progress on stderr (None when ``quiet``): a
    live bar against ``time_limit_s`` on a terminal, taken down when the block ends; else a
    plain line for a new best at most twice a second (every part on a decomposed day: its
    pass, parts done, best cost, visits assigned)."""
    if quiet:
        yield None
        return
    if time_limit_s is not None and sys.stderr.isatty():
        with _progress_bar(time_limit_s) as show:
            yield show
        return
    last_print = [0.0]

    def show_line(progress: Progress) -> None:
        now = time.monotonic()
        if now - last_print[0] >= 0.5 or progress.solutions == 1:
            last_print[0] = now
            typer.echo(f"[{progress.elapsed_s:6.1f} s] {_describe(progress)}", err=True)

    yield show_line


def _describe(progress: Progress) -> str:
    if progress.parts_total is None:
        served = ""
        if progress.visits_assigned is not None and progress.travel_min is not None:
            served = (
                f", {progress.visits_assigned} visits assigned, "
                f"travel {progress.travel_min:.0f} min"
            )
        return f"solution {progress.solutions:>5}: best cost {progress.cost}{served}"
    return (
        f"pass {progress.pass_no}, part {progress.parts_done}/{progress.parts_total}: "
        f"best cost {progress.cost}, {progress.visits_assigned} visits assigned"
    )


@contextmanager
def _progress_bar(time_limit_s: float) -> Iterator[Callable[[Progress], None]]:
    """A rich progress bar against the time limit."""
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("[bold]solving"),
        BarColumn(bar_width=30),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("solve", total=time_limit_s, status="")

    def show(progress: Progress) -> None:
        bar.update(
            task, completed=min(progress.elapsed_s, time_limit_s), status=_describe(progress)
        )

    with bar:
        yield show


class Interrupt:
    """The signal that stopped the search, if one did (:func:`interruptible`)."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def exit_if_stopped(self) -> None:
        """After the best roster was written: exit 128 + the signal's number (130 for Ctrl-C,
        143 for SIGTERM), as a shell expects of a program a signal ended."""
        if self.signal is not None:
            raise typer.Exit(128 + self.signal)


@contextmanager
def interruptible() -> Iterator[Interrupt]:
    """Within: the first Ctrl-C or SIGTERM stops the search, which then finishes its best
    roster so far (validated, marked as interrupted) for the caller to write; a second one
    aborts at once, writing nothing (what was written before stays as it was)."""
    interrupt = Interrupt()
    reset()

    def stop(signum: int, _frame: object) -> None:
        if interrupt.signal is not None:
            os.write(2, b"aborted: nothing written\n")
            os._exit(128 + signum)
        interrupt.signal = signum
        request_stop()
        os.write(2, b"stopping: the best roster found so far is written (again: abort)\n")

    if threading.current_thread() is not threading.main_thread():
        yield interrupt  # signals reach the main thread only
        return
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield interrupt
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        reset()


@contextmanager
def command_output(out: Path) -> Iterator[OutputFolder]:
    """The new version of ``out`` a command writes into (``scheduler.atomic.OutputFolder``),
    checked before any work starts (exit 2 when it cannot be written); it replaces ``out``
    only on ``commit``, and is removed otherwise."""
    with exit_on_bad_input():
        folder = OutputFolder(out)
    try:
        yield folder
    finally:
        folder.discard()


def commit_output(folder: OutputFolder, written: Sequence[Path]) -> list[Path]:
    """Switch ``folder.out`` to the new version; the written paths as they now are."""
    with exit_on_bad_input():
        out = folder.commit()
    return [out / path.relative_to(folder.path) for path in written]
