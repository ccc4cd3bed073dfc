"""The `scheduler` command: thin over the library, one module per command."""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from typing import Annotated

import typer

from scheduler.cli.check import check
from scheduler.cli.db import db_app, publish_roster
from scheduler.cli.matrix import matrix
from scheduler.cli.plan import plan
from scheduler.cli.repair import repair, repair_in_store
from scheduler.cli.report import report
from scheduler.cli.retime import retime
from scheduler.cli.schema import schema
from scheduler.cli.solve import solve
from scheduler.cli.validate import validate
from scheduler.cli.whatif import compare, whatif

# Locals are never shown in a traceback: they may hold client data.
app = typer.Typer(
    name="scheduler",
    help="Home-care rosters: who goes where, when, in what order.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


class LogLevel(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


@app.callback()
def _logging(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help="Log what the engine does (-v info, -vv debug)."
        ),
    ] = 0,
    log_level: Annotated[
        LogLevel | None,
        typer.Option(
            "--log-level",
            case_sensitive=False,
            help="Log level on stderr (default: warning); debug adds OR-Tools' search log.",
        ),
    ] = None,
) -> None:
    """Home-care rosters: who goes where, when, in what order."""
    level = log_level.upper() if log_level else ("WARNING", "INFO", "DEBUG")[min(verbose, 2)]
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # Only the engine's own loggers speak at the chosen level; libraries keep to warnings.
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("scheduler").setLevel(level)


app.command()(solve)
app.command()(validate)
app.command()(check)
app.command()(plan)
app.command()(repair)
app.command()(retime)
app.command()(whatif)
app.command()(compare)
app.command()(report)
app.command()(schema)
app.command()(matrix)
app.command("publish")(publish_roster)
db_app.command("repair")(repair_in_store)
app.add_typer(db_app, name="db")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
