"""`scheduler db ...` and `scheduler publish`: the agency's store (SQLite file or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from scheduler.cli.common import MapOption, TravelOption, exit_on_bad_input
from scheduler.errors import Problem, StoreError
from scheduler.io.plan_files import is_plan, load_plan
from scheduler.io.scenario_files import load_scenario, read_csv_table
from scheduler.store.agency import export_files, import_plan, import_scenario
from scheduler.store.db import default_url, migrate, open_store
from scheduler.store.rosters import (
    Actual,
    deliver,
    list_versions,
    planned_vs_actual,
    publish,
    record_actuals,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL: sqlite:///agency.db (the default, or $SCHEDULER_DB) or "
        "postgresql+psycopg://user@host/name.",
        show_default=False,
    ),
]

db_app = typer.Typer(help="The agency's store: records, roster versions, delivered visits.")


def url_of(db: str | None) -> str:
    return db or default_url()


@db_app.command("init")
def init(db: DbOption = None) -> None:
    """Create the store's schema, or bring it to the latest migration."""
    with exit_on_bad_input():
        revision = migrate(url_of(db))
    typer.echo(f"store at schema {revision}")


@db_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A plan file (.json) or a scenario.")],
    db: DbOption = None,
    travel: TravelOption = None,
    map_file: MapOption = None,
) -> None:
    """Replace the store's agency by PATH's records, validated as the file readers do (every
    problem at once); nothing is imported when one is found. Delivered visits and rosters
    stay."""
    with exit_on_bad_input(), open_store(url_of(db)) as engine:
        if is_plan(path):
            plan = load_plan(path, map_file=map_file, travel_model=travel)
            import_plan(engine, plan)
            what = f"plan: {len(plan.care_plans)} care plans, {len(plan.history)} past visits"
            agency = plan.agency
        else:
            agency = load_scenario(path, map_file=map_file, travel_model=travel)
            import_scenario(engine, agency)
            what = f"scenario: {len(agency.visits)} visits"
    typer.echo(
        f"imported {path} ({what}; {len(agency.caregivers)} caregivers, "
        f"{len(agency.clients)} clients)"
    )


@db_app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="Folder for the files.")],
    db: DbOption = None,
) -> None:
    """Write the store's agency back as files (plan.json, agency.json, policy.toml, or a
    scenario.json)."""
    with exit_on_bad_input(), open_store(url_of(db)) as engine:
        written = export_files(engine, out)
    typer.echo("Wrote " + ", ".join(str(p) for p in written))


@db_app.command("rosters")
def rosters(db: DbOption = None) -> None:
    """Every roster version: id, status, days, when and by whom, visits assigned and left."""
    with exit_on_bad_input(), open_store(url_of(db)) as engine:
        versions = list_versions(engine)
    for v in versions:
        typer.echo(
            f"{v.id:>4}  {v.status:<10} {v.first_day} .. {v.last_day}  "
            f"{v.created_at:%Y-%m-%d %H:%M} UTC by {v.created_by}, seed {v.seed}: "
            f"{v.visits_assigned} assigned, {v.visits_unassigned} unassigned"
            + (f"; repairs {v.repaired_from}" if v.repaired_from is not None else "")
        )


@db_app.command("deliver")
def deliver_(
    db: DbOption = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"],
            help="Record visits ended before this time (UTC; default: now).",
        ),
    ] = None,
) -> None:
    """Record every visit of a published roster that has ended as delivered (history)."""
    cut = until.replace(tzinfo=UTC) if until is not None else None
    with exit_on_bad_input(), open_store(url_of(db)) as engine:
        added = deliver(engine, cut)
    typer.echo(f"{added} visits recorded as delivered")


@db_app.command("actuals")
def actuals(
    file: Annotated[Path, typer.Argument(help="CSV: visit_id,actual_start,actual_end.")],
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write planned_vs_actual.csv here.")
    ] = None,
) -> None:
    """Import actual start and end times per delivered visit (an EVV export) and report
    planned against actual."""
    with exit_on_bad_input():
        rows = _read_actuals(file)
        with open_store(url_of(db)) as engine:
            recorded = record_actuals(engine, rows, str(file))
            report = planned_vs_actual(engine)
    typer.echo(f"{recorded} actual times recorded; {len(report)} visits with actuals")
    frame = pd.DataFrame(report)
    if not frame.empty:
        late = frame["late_min"]
        typer.echo(f"started late by more than 15 min: {int((late > 15).sum())}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / "planned_vs_actual.csv", index=False)
        typer.echo(f"Wrote {out / 'planned_vs_actual.csv'}")


def _read_actuals(file: Path) -> list[Actual]:
    source = str(file)
    frame = read_csv_table(file, StoreError)
    missing = [c for c in ("visit_id", "actual_start", "actual_end") if c not in frame.columns]
    if missing:
        raise StoreError([Problem(source, "missing column", field=c) for c in missing])
    problems: list[Problem] = []
    rows: list[Actual] = []
    for i, record in enumerate(frame.to_dict("records")):
        moments = []
        for name in ("actual_start", "actual_end"):
            try:
                moment = datetime.fromisoformat(str(record[name]))
            except ValueError:
                problems.append(Problem(source, "not an ISO date and time", i + 2, name))
                continue
            if moment.tzinfo is None:
                problems.append(Problem(source, "needs its UTC offset (+01:00)", i + 2, name))
                continue
            moments.append(moment)
        if len(moments) == 2:
            if moments[1] < moments[0]:
                problems.append(Problem(source, "ends before it starts", i + 2, "actual_end"))
            else:
                rows.append(Actual(str(record["visit_id"]), moments[0], moments[1]))
    if problems:
        raise StoreError(problems)
    return rows


def publish_roster(
    roster_id: Annotated[int, typer.Argument(metavar="ROSTER_ID", help="A draft's id.")],
    db: DbOption = None,
) -> None:
    """Publish a draft roster; a published roster of overlapping days is superseded."""
    with exit_on_bad_input(), open_store(url_of(db)) as engine:
        superseded = publish(engine, roster_id)
    note = f"; superseded {', '.join(map(str, superseded))}" if superseded else ""
    typer.echo(f"roster {roster_id} published{note}")


__all__ = ["DbOption", "db_app", "publish_roster", "url_of"]
