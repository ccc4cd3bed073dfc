"""Same-day repair against a fresh solve of the same changed day.

    python benchmarks/repair.py                         # the sample day and the 500-visit day
    python benchmarks/repair.py --days synthetic-2000 --base-limit 240 --repair-limit 50

Each day is solved (the published roster), then at ``--at`` (07:30) the caregiver with the
most visits from 10:00 on falls sick from 10:00, an urgent visit (priority 5, 11:00–13:00)
is added at one of that caregiver's clients, and two visits of other caregivers after 10:00
are cancelled. Repair (``scheduler.ops.repair``) and a fresh solve of the same changed day
(the repair's ``day``: the events applied, nothing frozen or weighed) get the same seed and
limit; both are compared with the published roster by the same function (visits changed:
published visits now with another caregiver, moved by more than 15 minutes, cancelled or
left out; clients affected; coverage as visits and as priority served). Each row prints
wall time; every roster is checked by the validator on the changed day.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler import SolveParams, check_roster, solve  # noqa: E402
from scheduler.api import travel_model_for  # noqa: E402
from scheduler.domain.events import (  # noqa: E402
    CaregiverUnavailable,
    LocatedEvent,
    VisitAdded,
    VisitCancelled,
)
from scheduler.domain.model import Scenario, TimeWindow  # noqa: E402
from scheduler.io.scenario_files import load_scenario  # noqa: E402
from scheduler.ops.repair import changes, repair  # noqa: E402
from scheduler.solution.roster import Roster  # noqa: E402
from scheduler.solve.compile import first_day  # noqa: E402
from scheduler.synthetic import generate_day  # noqa: E402

HEADER = (
    "| day | run | limit s | wall s | assigned | priority served | visits changed "
    "| clients affected | violations |\n|---|---|---|---|---|---|---|---|---|"
)


def load_day(name: str) -> Scenario:
    if name == "sample":
        return load_scenario(ROOT / "data" / "samples" / "bayreuth")
    n = int(name.removeprefix("synthetic-"))
    return generate_day(n, n // 8, seed=1)


def events_for(day: Scenario, roster: Roster) -> list[LocatedEvent]:
    clock = first_day(day)
    ten = clock.to_local(10 * 3600)
    later: dict[str, list[str]] = {}
    for route in roster.routes:
        for stop in route.stops:
            if stop.start >= ten:
                later.setdefault(route.caregiver_id, []).append(stop.visit_id)
    sick = max(later, key=lambda c: (len(later[c]), c))
    others = sorted(v for c, vs in later.items() if c != sick for v in vs)
    visits = day.visits_by_id
    client_id = visits[later[sick][0]].client_id
    template = visits[later[sick][0]]
    naive = template.windows[0].start.tzinfo is None
    eleven, one = clock.to_local(11 * 3600), clock.to_local(13 * 3600)
    if naive:
        eleven, one = eleven.replace(tzinfo=None), one.replace(tzinfo=None)
    urgent = template.model_copy(
        update={
            "id": "URGENT-1",
            "client_id": client_id,
            "windows": (TimeWindow(start=eleven, end=one),),
            "priority": 5,
            "caregivers_required": 1,
            "dependency": None,
        }
    )
    events = [
        CaregiverUnavailable(caregiver_id=sick, start=ten.replace(tzinfo=None) if naive else ten),
        VisitAdded(visit=urgent),
        VisitCancelled(visit_id=others[0]),
        VisitCancelled(visit_id=others[len(others) // 2]),
    ]
    return [LocatedEvent(e, "benchmark", i) for i, e in enumerate(events)]


def served(day: Scenario, roster: Roster) -> tuple[int, int]:
    ids = {s.visit_id for r in roster.routes for s in r.stops}
    return len(ids), sum(v.priority for v in day.visits if v.id in ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", default="sample,synthetic-500")
    parser.add_argument("--base-limit", type=float, default=None, help="default: per day")
    parser.add_argument("--repair-limit", type=float, default=3.0)
    parser.add_argument("--at", default="07:30")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    print(f"{date.today()} · {platform.machine()} · Python {platform.python_version()}")
    print(HEADER)
    for name in args.days.split(","):
        scenario = load_day(name)
        travel = travel_model_for(scenario)
        base_limit = args.base_limit or (8.0 if name == "sample" else 60.0)
        base = solve(
            scenario,
            params=SolveParams(time_limit_s=base_limit, seed=args.seed, workers=args.workers),
            travel=travel,
        )
        events = events_for(scenario, base)
        clock = first_day(scenario)
        hh, mm = (int(x) for x in args.at.split(":"))
        now = clock.to_local(hh * 3600 + mm * 60)
        params = SolveParams(time_limit_s=args.repair_limit, seed=args.seed, workers=args.workers)
        started = time.monotonic()
        result = repair(scenario, base, events, now, params, travel=travel)
        repair_s = time.monotonic() - started
        started = time.monotonic()
        fresh = solve(result.day, params=params, travel=travel)
        fresh_s = time.monotonic() - started
        tolerance = result.day.settings.churn_tolerance_min
        for label, roster, wall_s in (
            ("repair", result.roster, repair_s),
            ("fresh solve", fresh, fresh_s),
        ):
            found = changes(scenario, result.day, base, roster, tolerance)
            changed = [c for c in found if c.kind not in ("added", "assigned")]
            assigned, priority = served(result.day, roster)
            violations = len(check_roster(result.day, roster, travel=travel))
            print(
                f"| {name} ({len(scenario.visits)} visits) | {label} | {args.repair_limit:g} "
                f"| {wall_s:.1f} | {assigned} | {priority} | {len(changed)} "
                f"| {len({c.client_id for c in changed})} | {violations} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
