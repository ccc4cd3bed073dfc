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
from dataclasses import asdict, dataclass, fields
from datetime import date
from itertools import product
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/run.py` from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.peers import PEERS, Routes  # noqa: E402
from scheduler import check_roster, solve  # noqa: E402
from scheduler.io.hhcrsp_instances import (  # noqa: E402
    hhcrsp_scenario,
    hhcrsp_travel,
    read_hhcrsp,
    roster_routes,
    score_hhcrsp,
)
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
QUICK = {"solomon": ["C101", "R101", "RC101"], "gehring_homberger": ["C1_2_1"], "mankowska": ["A1"]}
SETS = ("solomon", "gehring_homberger", "mankowska")


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


def _folder(set_name: str) -> Path:
    return INSTANCES / ("mankowska2014" if set_name == "mankowska" else set_name)


def _bks_rows(set_name: str) -> list[dict[str, str]]:
    with (_folder(set_name) / "bks.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def best_known(set_name: str) -> dict[str, float]:
    """Distance-only best known (Solomon), the SINTEF best distance (Gehring-Homberger), or the
    best known (travel + tardiness + max tardiness) / 3 (Mankowska), by instance name."""
    column = {
        "solomon": "distance_only_distance",
        "gehring_homberger": "distance",
        "mankowska": "best_known_cost",
    }[set_name]
    return {r["instance"].upper(): float(r[column]) for r in _bks_rows(set_name) if r.get(column)}


def instance_files(set_name: str, patterns: list[str] | None) -> list[tuple[str, Path]]:
    """(instance name, file) pairs, in natural order; Mankowska files are named A1..G10."""
    folder = _folder(set_name) / "instances"
    if set_name == "mankowska":
        pairs = []
        for row in _bks_rows(set_name):
            candidates = [folder / f"{row['file']}.txt", folder / f"{row['file']}.txt.gz"]
            pairs.append((row["instance"], next(p for p in candidates if p.exists())))
    else:
        pairs = [(f.stem.upper(), f) for f in folder.glob("*.txt")]
    pairs.sort(key=lambda pair: _natural(pair[0]))
    if patterns:
        wanted = [p.upper() for p in patterns]
        pairs = [(n, f) for n, f in pairs if any(fnmatch.fnmatch(n.upper(), p) for p in wanted)]
    return pairs


def _natural(name: str) -> list[object]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name.upper())]


def solve_ours(instance: VrptwInstance, time_limit_s: float, seed: int) -> tuple[Routes, str]:
    scenario = vrptw_scenario(instance)
    roster = solve(scenario, time_limit_s=time_limit_s, seed=seed)
    violations = check_roster(scenario, roster)
    routes = [[customer_of(s.visit_id) for s in r.stops] for r in roster.routes if r.stops]
    note = f"{len(violations)} validator violations" if violations else ""
    return routes, note


def run_one(
    set_name: str,
    name: str,
    path: Path,
    solver: str,
    seed: int,
    time_limit_s: float,
    bks: dict[str, float],
) -> Row:
    if set_name == "mankowska":
        return _run_hhcrsp(name, path, solver, seed, time_limit_s, bks)
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
    feasible = score.feasible and not note
    problems = "; ".join(score.problems[:2])
    vehicles = score.vehicles if routes else None
    note = note or ("" if score.feasible else ("no solution" if not routes else problems))
    row = (set_name, name, solver, seed, time_limit_s, score.distance, vehicles, bks, wall_s)
    return _row(*row, feasible, note)


def _run_hhcrsp(
    name: str, path: Path, solver: str, seed: int, time_limit_s: float, bks: dict[str, float]
) -> Row:
    if solver != "ours":
        raise SystemExit(f"no peer solves HHCRSP instances here ({solver})")
    instance = read_hhcrsp(path)
    scenario, travel = hhcrsp_scenario(instance), hhcrsp_travel(instance)
    started = time.monotonic()
    roster = solve(scenario, time_limit_s=time_limit_s, seed=seed, travel=travel)
    wall_s = time.monotonic() - started
    violations = check_roster(scenario, roster, travel=travel)
    score = score_hhcrsp(instance, roster_routes(instance, roster))
    note = (
        f"{len(violations)} validator violations" if violations else "; ".join(score.problems[:2])
    )
    used = sum(1 for r in roster.routes if r.stops)
    return _row(
        "mankowska", name, solver, seed, time_limit_s, score.cost, used, bks, wall_s,
        not note, note or f"travel {score.travel:.1f}, tardiness {score.tardiness:.1f}, "
        f"max {score.max_tardiness:.1f}",
    )  # fmt: skip


def _row(
    set_name: str,
    name: str,
    solver: str,
    seed: int,
    time_limit_s: float,
    cost: float,
    vehicles: int | None,
    bks: dict[str, float],
    wall_s: float,
    feasible: bool,
    note: str,
) -> Row:
    reference = bks.get(name.upper(), float("nan"))
    return Row(
        set=set_name,
        instance=name,
        solver=solver,
        seed=seed,
        time_limit_s=time_limit_s,
        cost=round(cost, 3) if feasible else None,
        vehicles=vehicles,
        best_known=reference,
        gap_pct=round(100 * (cost / reference - 1), 3) if feasible else None,
        wall_s=round(wall_s, 2),
        feasible=feasible,
        note=note,
    )


def family(name: str) -> str:
    """C101 -> C1, RC208 -> RC2 (Solomon); C1_2_1 -> C1_2 (Gehring-Homberger); A7 -> A."""
    if "_" in name:
        return "_".join(name.split("_")[:2])
    if re.fullmatch(r"[A-G]\d{1,2}", name):
        return name[0]
    return name[:-2]


def markdown(rows: list[Row], solvers: list[str]) -> str:
    by_instance: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_instance[row.instance][row.solver].append(row)
    head = "| instance | best known | " + " | ".join(f"{s} gap %" for s in solvers)
    lines = [head + " | ours vehicles |", "|---|---|" + "---|" * len(solvers) + "---|"]

    def gap_text(group: list[Row], worst: bool = False) -> str:
        """The mean gap; with ``worst`` (one instance's seeds), the worst seed's too."""
        gaps = [r.gap_pct for r in group if r.gap_pct is not None]
        failed = len(group) - len(gaps)
        text = f"{mean(gaps):.2f}" if gaps else "–"
        if worst and len(gaps) > 1:
            text += f" (worst {max(gaps):.2f})"
        return text + (f" ({failed} failed)" if failed else "")

    for name, per_solver in by_instance.items():
        ours = per_solver.get("ours", [])
        vehicles = "/".join(str(r.vehicles) for r in ours if r.vehicles is not None) or "–"
        cells = [gap_text(per_solver.get(s, []), worst=True) for s in solvers]
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
    if "ours" in solvers and len(solvers) > 1:
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


def run_seeds(args: argparse.Namespace) -> range:
    return range(args.first_seed, args.first_seed + args.seeds)


def header(args: argparse.Namespace) -> str:
    seeds = run_seeds(args)
    return (
        f"{date.today()} · {platform.machine()} · {platform.python_version()} · "
        f"set {args.set} · {args.time_limit:g} s per instance · seeds "
        f"{'/'.join(map(str, seeds))} · one thread"
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


def read_rows(paths: list[Path]) -> list[Row]:
    rows = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for raw in csv.DictReader(handle):
                rows.append(
                    Row(
                        set=raw["set"],
                        instance=raw["instance"],
                        solver=raw["solver"],
                        seed=int(raw["seed"]),
                        time_limit_s=float(raw["time_limit_s"]),
                        cost=float(raw["cost"]) if raw["cost"] else None,
                        vehicles=int(raw["vehicles"]) if raw["vehicles"] else None,
                        best_known=float(raw["best_known"]),
                        gap_pct=float(raw["gap_pct"]) if raw["gap_pct"] else None,
                        wall_s=float(raw["wall_s"]),
                        feasible=raw["feasible"] == "True",
                        note=raw["note"],
                    )
                )
    return rows


def report(args: argparse.Namespace) -> int:
    """Render (and with --write-docs record) the tables of earlier runs' CSVs. A row of a later
    file replaces one of an earlier file for the same instance, solver and seed (a rerun of our
    solver next to an earlier run of the peers)."""
    latest = {(r.instance, r.solver, r.seed): r for r in read_rows(args.report)}
    rows = list(latest.values())
    rows.sort(key=lambda r: _natural(r.instance))
    solvers = list(dict.fromkeys(r.solver for r in rows))
    table = markdown(rows, solvers)
    print(table)
    if args.write_docs:
        limits = sorted({r.time_limit_s for r in rows})
        seeds = max(r.seed for r in rows)
        head = (
            f"{date.today()} · {platform.machine()} · {platform.python_version()} · set "
            f"{args.set} · {'/'.join(f'{t:g}' for t in limits)} s per instance · seeds {seeds} "
            "· one thread"
        )
        files = ", ".join(f"`{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}`"
                          for p in args.report)  # fmt: skip
        write_docs(args.set, f"{head}\n\n{table}\n\nCSV: {files}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", choices=SETS)
    parser.add_argument("--instances", help="comma-separated names or patterns (R1*)")
    parser.add_argument("--seeds", type=int, default=1, help="how many seeds (1..N by default)")
    parser.add_argument(
        "--first-seed", type=int, default=1, help="seeds FIRST..FIRST+N-1 (to add seeds to a run)"
    )
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--peers", default="", help=f"comma-separated: {','.join(PEERS)}")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 instances, 2 s")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="CSV path")
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        help="only render these CSVs (e.g. of split runs); later files replace earlier rows",
    )
    args = parser.parse_args(argv)
    if args.report:
        return report(args)
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
    out = args.out or RESULTS / f"{args.set}-{date.today()}-{args.time_limit:g}s.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    # Each row is written as soon as it is measured, so a run stopped early keeps what it did.
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Row)])
        writer.writeheader()
        for (name, path), seed, solver in product(files, run_seeds(args), solvers):
            row = run_one(args.set, name, path, solver, seed, args.time_limit, bks)
            rows.append(row)
            writer.writerow(asdict(row))
            handle.flush()
            print(
                f"{row.instance:8} {row.solver:17} seed {seed} "
                f"cost {row.cost if row.cost is not None else '–':>9} "
                f"veh {row.vehicles if row.vehicles is not None else '–':>3} "
                f"gap {row.gap_pct if row.gap_pct is not None else '–':>7} % "
                f"{row.wall_s:6.1f} s {row.note}",
                flush=True,
            )
    table = markdown(rows, solvers)
    print(f"\n{table}\n\nCSV: {out}")
    if args.write_docs:
        write_docs(args.set, f"{header(args)}\n\n{table}\n\nCSV: `{out.relative_to(ROOT)}`")
    return 0 if all(r.feasible for r in rows if r.solver == "ours") else 1


if __name__ == "__main__":
    sys.exit(main())
