"""The store's speed (issue 24): importing a plan, saving a week's roster, reading a horizon back.

    python benchmarks/store.py                      # SQLite file in a temporary folder
    python benchmarks/store.py --db postgresql+psycopg://scheduler@127.0.0.1:55432/postgres

Two agencies: the sample week (data/samples/bayreuth-week) and a synthetic week of 2,000-visit
weekdays and lighter weekends, 250 caregivers (``benchmarks/week.py synthetic``'s plan). For each
it times, on a store migrated afresh: ``import_plan``; ``save_draft`` of a roster of the whole
week; ``publish`` and ``deliver``; and ``read_plan`` of the next week, which reads the agency
back with every delivered visit as its history (what ``scheduler plan --db`` does before it
solves). The synthetic week's roster is laid out, not solved (each visit at the start of its
first window, caregivers taken in turn): what saving costs depends on the number of stops, not
on the roster's quality, and solving 10,000 visits takes half an hour. The sample week's roster
is laid out the same way. Each step is run ``--repeat`` times on a new store; the table shows
min / median / max seconds.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.domain.model import Scenario  # noqa: E402
from scheduler.io.plan_files import load_plan  # noqa: E402
from scheduler.plans.policy import load_policy  # noqa: E402
from scheduler.plans.week import PlanInput, build_week  # noqa: E402
from scheduler.solution.roster import Roster, Route, Stop  # noqa: E402
from scheduler.solve.params import SolveParams  # noqa: E402
from scheduler.store import schema as t  # noqa: E402
from scheduler.store.agency import import_plan, read_plan  # noqa: E402
from scheduler.store.db import make_engine, migrate  # noqa: E402
from scheduler.store.rosters import StopOrigin, deliver, publish, save_draft  # noqa: E402
from scheduler.synthetic import generate_day, week_plan  # noqa: E402

SAMPLE = ROOT / "data" / "samples" / "bayreuth-week" / "plan.json"
MONDAY = date(2026, 11, 30)


def synthetic_plan(visits_per_day: int, caregivers: int, seed: int) -> PlanInput:
    day = generate_day(visits_per_day, caregivers, seed=seed)
    agency, records = week_plan(day, MONDAY, seed=seed)
    return PlanInput.model_validate({**records, "agency": agency, "policy": load_policy()})


def laid_out(plan: PlanInput) -> tuple[Scenario, Roster, dict[str, StopOrigin]]:
    """The week's scenario and a roster with every visit in it (see the module docstring)."""
    week = build_week(plan, MONDAY, 7)
    scenario = week.scenario
    zone = scenario.zone
    turn = 0
    by_route: dict[tuple[str, date], list[Stop]] = defaultdict(list)
    ids = [c.id for c in scenario.caregivers]
    for visit in scenario.visits:
        start = visit.windows[0].start.replace(tzinfo=zone)
        for _ in range(visit.caregivers_required):
            caregiver = ids[turn % len(ids)]
            turn += 1
            end = start + timedelta(minutes=visit.duration_min)
            by_route[caregiver, start.date()].append(
                Stop(
                    visit_id=visit.id,
                    client_id=visit.client_id,
                    start=start,
                    end=end,
                    travel_before_min=0,
                )
            )
    routes = tuple(
        Route(
            caregiver_id=caregiver,
            departure=min(s.start for s in stops),
            return_home=max(s.end for s in stops),
            travel_home_min=0,
            stops=tuple(sorted(stops, key=lambda s: s.start)),
        )
        for (caregiver, _day), stops in sorted(by_route.items())
    )
    roster = Roster(scenario=scenario.name, time_zone=str(zone), routes=routes, unassigned=())
    origins = {v: StopOrigin(o.service, o.order_id) for v, o in week.demand.origins.items()}
    return scenario, roster, origins


class Clock:
    """Seconds per named step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - started


def one_store(
    url: str, plan: PlanInput, scenario: Scenario, roster: Roster, origins: dict[str, StopOrigin]
) -> tuple[dict[str, float], int]:
    """The steps on a store migrated afresh; returns their seconds and the visits delivered."""
    migrate(url)
    engine = make_engine(url)
    clock = Clock()
    try:
        with clock.step("import_plan"):
            import_plan(engine, plan)
        with clock.step("save_draft (week roster)"):
            last = MONDAY + timedelta(days=6)
            roster_id = save_draft(
                engine,
                scenario,
                roster,
                SolveParams(),
                first_day=MONDAY,
                last_day=last,
                origins=origins,
            )
        with clock.step("publish + deliver"):
            publish(engine, roster_id)
            deliver(engine, datetime.combine(last + timedelta(days=2), time_of_day.min, UTC))
        with engine.connect() as db:
            delivered = db.execute(sa.select(sa.func.count()).select_from(t.delivered))
            count = int(delivered.scalar_one())
            with clock.step("read_plan (next week)"):
                read_plan(db, before=MONDAY + timedelta(days=7))
    finally:
        engine.dispose()
    if url.startswith("postgresql"):
        migrate(url, "base")
    return clock.seconds, count


def run(plan: PlanInput, url_for: Callable[[int], str], repeat: int) -> dict[str, list[float]]:
    scenario, roster, origins = laid_out(plan)
    stops = sum(len(r.stops) for r in roster.routes)
    print(
        f"{len(scenario.visits)} visits, {stops} stops, {len(roster.routes)} routes",
        file=sys.stderr,
    )
    seconds: dict[str, list[float]] = defaultdict(list)
    for i in range(repeat):
        steps, delivered = one_store(url_for(i), plan, scenario, roster, origins)
        for name, value in steps.items():
            seconds[name].append(value)
    print(
        f"{delivered} past visits in the store (the plan file's history and the week delivered)",
        file=sys.stderr,
    )
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="a PostgreSQL URL (emptied before and after each run)")
    parser.add_argument("--visits-per-day", type=int, default=2000)
    parser.add_argument("--caregivers", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    folder = tempfile.TemporaryDirectory()

    def url_for(i: int) -> str:
        return args.db or f"sqlite:///{folder.name}/store-{i}.db"

    if args.db:
        migrate(args.db, "base")
    backend = "PostgreSQL" if args.db else "SQLite"
    print(f"# store speed, {backend}, {platform.machine()}, {date.today()}")
    agencies = [
        ("sample week", load_plan(SAMPLE)),
        (
            f"synthetic week {args.visits_per_day}/weekday, {args.caregivers} caregivers",
            synthetic_plan(args.visits_per_day, args.caregivers, args.seed),
        ),
    ]
    print("| agency | step | min s | median s | max s |")
    print("|---|---|---|---|---|")
    for label, plan in agencies:
        for step, values in run(plan, url_for, args.repeat).items():
            print(
                f"| {label} | {step} | {min(values):.2f} | {statistics.median(values):.2f} "
                f"| {max(values):.2f} |"
            )
    folder.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
