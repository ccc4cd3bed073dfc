"""Wall time of `solve` against its time limit, end to end (search, timing, explanations,
key figures, validation), on days of every kind: Solomon, Mankowska, the sample day, synthetic
days above the decomposition threshold. The bound: wall <= 1.1 x limit + 2 s.

    python benchmarks/time_limit.py --time-limit 5
    python benchmarks/time_limit.py --time-limit 60 --days mk-F1 mk-G1 syn500 syn1000 sample
    python benchmarks/time_limit.py --time-limit 60 --days gh-C1_2_1 gh-R1_4_1
    python benchmarks/time_limit.py --time-limit 300 --days mk-G1 syn2000
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import INSTANCES, instance_files  # noqa: E402
from scheduler import load_scenario, solve  # noqa: E402
from scheduler.domain.model import Scenario  # noqa: E402
from scheduler.io.hhcrsp_instances import (  # noqa: E402
    hhcrsp_scenario,
    hhcrsp_travel,
    read_hhcrsp,
)
from scheduler.io.vrp_instances import read_vrptw, vrptw_scenario  # noqa: E402
from scheduler.synthetic import generate_day  # noqa: E402
from scheduler.travel.base import TravelModel  # noqa: E402

Day = tuple[Scenario, TravelModel | None]


def _mankowska(path: Path) -> Day:
    instance = read_hhcrsp(path)
    return hhcrsp_scenario(instance), hhcrsp_travel(instance)


def days() -> dict[str, Callable[[], Day]]:
    found: dict[str, Callable[[], Day]] = {}
    for name in ("C101", "R101", "RC201"):
        path = INSTANCES / "solomon" / "instances" / f"{name}.txt"
        found[name] = lambda path=path: (vrptw_scenario(read_vrptw(path)), None)
    for name, path in instance_files("gehring_homberger", ["C1_2_1", "R1_4_1"]):
        found[f"gh-{name}"] = lambda path=path: (vrptw_scenario(read_vrptw(path)), None)
    for name, path in instance_files("mankowska", ["A1", "E1", "F1", "G1"]):
        found[f"mk-{name}"] = lambda path=path: _mankowska(path)
    found["sample"] = lambda: (load_scenario(ROOT / "data" / "samples" / "bayreuth"), None)
    found["syn500"] = lambda: (generate_day(500, 60, seed=1), None)
    found["syn1000"] = lambda: (generate_day(1000, 125, seed=1), None)
    found["syn2000"] = lambda: (generate_day(2000, 250, seed=1), None)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--days", nargs="*", help="default: the days of 300 visits or fewer")
    args = parser.parse_args()
    known = days()
    names = args.days or [n for n in known if not n.startswith(("syn", "gh-"))]
    limit = args.time_limit
    print("| day | limit s | wall s | wall / limit | search s | within 1.1 x limit + 2 s |")
    print("|---|---|---|---|---|---|")
    for name in names:
        scenario, travel = known[name]()
        started = time.monotonic()
        roster = solve(scenario, time_limit_s=limit, seed=1, travel=travel)
        wall_s = time.monotonic() - started
        search_s = roster.solve_info.wall_s if roster.solve_info else float("nan")
        within = "yes" if wall_s <= 1.1 * limit + 2 else "**no**"
        print(
            f"| {name} | {limit:g} | {wall_s:.2f} | {wall_s / limit:.2f} | {search_s:.2f} "
            f"| {within} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
