"""Day benchmarks of issue 2: the sample day, and a synthetic day of 500 visits / 60 caregivers.

    python benchmarks/day.py            # full: sample + synthetic at 10, 30, 60 s
    python benchmarks/day.py --quick    # smoke: sample at 2 s, synthetic 100 visits at 2 s

Prints one line per run (wall time, assigned/unassigned, travel) and the validator's verdict;
every roster is checked by the independent validator, and a violation fails the run.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from pathlib import Path

from scheduler import check_roster, load_scenario, solve
from scheduler.synthetic import generate_day

ROOT = Path(__file__).resolve().parent.parent


def run(label: str, scenario, time_limit_s: float, seed: int) -> bool:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    roster = solve(scenario, time_limit_s=time_limit_s, seed=seed)
    wall_s = time.monotonic() - started
    violations = check_roster(scenario, roster)
    k = roster.kpis
    assert k is not None
    print(
        f"| {label} | {time_limit_s:g} | {wall_s:.1f} | {k.visits_assigned}/{k.visits_total} | "
        f"{k.visits_unassigned} | {k.travel_min:.0f} | {len(violations)} |",
        flush=True,
    )
    return not violations


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(
        f"{date.today()} · {platform.machine()} · {platform.python_version()} · "
        f"{platform.processor() or 'cpu'}"
    )
    print("| run | limit s | wall s | assigned | unassigned | travel min | violations |")
    print("|---|---|---|---|---|---|---|")
    sample = load_scenario(ROOT / "data/samples/bayreuth")
    ok = True
    if args.quick:
        ok &= run("sample day (120 visits)", sample, 2, args.seed)
        ok &= run("synthetic 100 v / 12 c", generate_day(100, 12, seed=args.seed), 2, args.seed)
    else:
        ok &= run("sample day (120 visits)", sample, 8, args.seed)
        synthetic = generate_day(500, 60, seed=args.seed)
        for limit in (10, 30, 60):
            ok &= run("synthetic 500 v / 60 c", synthetic, limit, args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
