"""Benchmark runner: instance set x seeds x time limit, ours and the peers, scored alike.

    python benchmarks/run.py solomon --time-limit 30 --seeds 1 --peers pyvrp,vroom,ortools-defaults
    python benchmarks/run.py solomon --instances C101,R1* --time-limit 5
    python benchmarks/run.py solomon --quick              # smoke: 3 instances, 2 s, ours only
    python benchmarks/run.py solomon ... --write-docs     # also update docs/benchmarks.md

Ours is the engine's own path: the instance becomes a scenario (scheduler.io.vrp_instances), the
library's ``solve`` builds the roster, the independent validator checks it. Every solver's routes
are then scored by recomputation from the instance (``score_routes``): a roster the validator or
the recomputation rejects counts as a failure, never as a cost. Writes a CSV per run into
``benchmarks/results/`` and prints markdown tables (per instance, per family and set mean).
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import platform
import re
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.peers import PEERS, Routes  # noqa: E402
from scheduler import check_roster, solve  # noqa: E402
from scheduler.io.vrp_instances import (  # noqa: E402
    VrptwInstance,
    customer_of,
    read_vrptw,
    score_routes,
    vrptw_scenario,
)

INSTANCES = ROOT / "benchmarks" / "instances"
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
QUICK = {"solomon": ["C101", "R101", "RC101"], "gehring_homberger": ["C1_2_1"]}


@dataclass(frozen=True)
class Row:
    set: str
    instance: str
    solver: str
    seed: int
    time_limit_s: float
    cost: float | None
    vehicles: int | None
    best_known: float
    gap_pct: float | None
    wall_s: float
    feasible: bool
    note: str


def best_known(set_name: str) -> dict[str, float]:
    """Distance-only best known (Solomon) or the SINTEF best distance (Gehring-Homberger)."""
    with (INSTANCES / set_name / "bks.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    column = "distance_only_distance" if set_name == "solomon" else "distance"
    return {r["instance"]: float(r[column]) for r in rows if r.get(column)}


def instance_files(set_name: str, patterns: list[str] | None) -> list[Path]:
    files = sorted((INSTANCES / set_name / "instances").glob("*.txt"), key=_natural)
    if patterns:
        files = [
            f for f in files if any(fnmatch.fnmatch(f.stem.upper(), p.upper()) for p in patterns)
        ]
    return files


def _natural(path: Path) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.stem.upper())]


def solve_ours(instance: VrptwInstance, time_limit_s: float, seed: int) -> tuple[Routes, str]:
    scenario = vrptw_scenario(instance)
    roster = solve(scenario, time_limit_s=time_limit_s, seed=seed)
    violations = check_roster(scenario, roster)
    routes = [[customer_of(s.visit_id) for s in r.stops] for r in roster.routes if r.stops]
    note = f"{len(violations)} validator violations" if violations else ""
    return routes, note


def run_one(
    set_name: str, path: Path, solver: str, seed: int, time_limit_s: float, bks: dict[str, float]
) -> Row:
    instance = read_vrptw(path)
    started = time.monotonic()
    try:
        if solver == "ours":
            routes, note = solve_ours(instance, time_limit_s, seed)
        else:
            routes, note = PEERS[solver](instance, time_limit_s, seed), ""
    except Exception as exc:  # a peer that crashes is reported, not fatal to the run
        routes, note = [], f"error: {type(exc).__name__}: {exc}"
    wall_s = time.monotonic() - started
    score = score_routes(instance, routes)
    reference = bks.get(path.stem.upper(), bks.get(instance.name, float("nan")))
    feasible = score.feasible and not note
    problems = "; ".join(score.problems[:2])
    return Row(
        set=set_name,
        instance=instance.name,
        solver=solver,
        seed=seed,
        time_limit_s=time_limit_s,
        cost=round(score.distance, 3) if feasible else None,
        vehicles=score.vehicles if routes else None,
        best_known=reference,
        gap_pct=round(100 * (score.distance / reference - 1), 3) if feasible else None,
        wall_s=round(wall_s, 2),
        feasible=feasible,
        note=note or ("" if score.feasible else ("no solution" if not routes else problems)),
    )


def family(name: str) -> str:
    """C101 -> C1, RC208 -> RC2 (Solomon); C1_2_1 -> C1_2 (Gehring-Homberger)."""
    if "_" in name:
        return "_".join(name.split("_")[:2])
    return name[:-2]


def markdown(rows: list[Row], solvers: list[str]) -> str:
    by_instance: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_instance[row.instance][row.solver].append(row)
    head = "| instance | best known | " + " | ".join(f"{s} gap %" for s in solvers)
    lines = [head + " | ours vehicles |", "|---|---|" + "---|" * len(solvers) + "---|"]

    def gap_text(group: list[Row]) -> str:
        gaps = [r.gap_pct for r in group if r.gap_pct is not None]
        failed = len(group) - len(gaps)
        text = f"{mean(gaps):.2f}" if gaps else "–"
        return text + (f" ({failed} failed)" if failed else "")

    for name, per_solver in by_instance.items():
        ours = per_solver.get("ours", [])
        vehicles = "/".join(str(r.vehicles) for r in ours if r.vehicles is not None) or "–"
        cells = [gap_text(per_solver.get(s, [])) for s in solvers]
        known = next(iter(per_solver.values()))[0].best_known
        lines.append(f"| {name} | {known:.2f} | " + " | ".join(cells) + f" | {vehicles} |")

    families: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        families[family(row.instance)].append(row)
    lines += ["", "| family | instances | " + " | ".join(f"{s} mean gap %" for s in solvers)
              + " |", "|---|---|" + "---|" * len(solvers)]  # fmt: skip
    for name in [*sorted(families), "all"]:
        group = rows if name == "all" else families[name]
        count = len({r.instance for r in group})
        cells = [gap_text([r for r in group if r.solver == s]) for s in solvers]
        lines.append(f"| {name} | {count} | " + " | ".join(cells) + " |")
    if "ours" in solvers:
        lines += ["", "Ratios ours / peer (mean over instances both solved):"]
        for peer in [s for s in solvers if s != "ours"]:
            ratios = []
            for per_solver in by_instance.values():
                a = [r.cost for r in per_solver.get("ours", []) if r.cost is not None]
                b = [r.cost for r in per_solver.get(peer, []) if r.cost is not None]
                if a and b:
                    ratios.append(mean(a) / mean(b))
            text = f"{mean(ratios):.4f} over {len(ratios)} instances" if ratios else "–"
            lines.append(f"- ours / {peer}: {text}")
    return "\n".join(lines)


def header(args: argparse.Namespace) -> str:
    return (
        f"{date.today()} · {platform.machine()} · {platform.python_version()} · "
        f"set {args.set} · {args.time_limit:g} s per instance · seeds {args.seeds} · one thread"
    )


def write_docs(section: str, text: str) -> None:
    begin, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    docs = DOCS.read_text(encoding="utf-8")
    block = f"{begin}\n{text}\n{end}"
    if begin in docs and end in docs:
        docs = docs[: docs.index(begin)] + block + docs[docs.index(end) + len(end) :]
    else:
        docs = docs.rstrip("\n") + f"\n\n## Literature benchmark: {section}\n\n{block}\n"
    DOCS.write_text(docs, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", choices=["solomon", "gehring_homberger"])
    parser.add_argument("--instances", help="comma-separated names or patterns (R1*)")
    parser.add_argument("--seeds", type=int, default=1, help="seeds 1..N")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--peers", default="", help=f"comma-separated: {','.join(PEERS)}")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 instances, 2 s")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="CSV path")
    args = parser.parse_args(argv)
    patterns = args.instances.split(",") if args.instances else None
    if args.quick:
        patterns, args.time_limit = QUICK[args.set], 2.0
    solvers = ["ours", *[p for p in args.peers.split(",") if p]]
    unknown = [s for s in solvers[1:] if s not in PEERS]
    if unknown:
        parser.error(f"unknown peer(s): {', '.join(unknown)}")
    bks = best_known(args.set)
    files = instance_files(args.set, patterns)
    if not files:
        parser.error("no instance matches")
    print(header(args), flush=True)
    rows: list[Row] = []
    for path in files:
        for seed in range(1, args.seeds + 1):
            for solver in solvers:
                row = run_one(args.set, path, solver, seed, args.time_limit, bks)
                rows.append(row)
                print(
                    f"{row.instance:8} {row.solver:17} seed {seed} "
                    f"cost {row.cost if row.cost is not None else '–':>9} "
                    f"veh {row.vehicles if row.vehicles is not None else '–':>3} "
                    f"gap {row.gap_pct if row.gap_pct is not None else '–':>7} % "
                    f"{row.wall_s:6.1f} s {row.note}",
                    flush=True,
                )
    out = args.out or RESULTS / f"{args.set}-{date.today()}-{args.time_limit:g}s.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    table = markdown(rows, solvers)
    print(f"\n{table}\n\nCSV: {out}")
    if args.write_docs:
        write_docs(args.set, f"{header(args)}\n\n{table}\n\nCSV: `{out.relative_to(ROOT)}`")
    return 0 if all(r.feasible for r in rows if r.solver == "ours") else 1


if __name__ == "__main__":
    sys.exit(main())
