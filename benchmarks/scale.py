"""Agency-scale days: ours (decomposed, on local workers) beside PyVRP and VROOM on the relaxed
day, each run in a process of its own so that its wall time and peak memory are its own.

    python benchmarks/scale.py                          # 500/60 at 60 s, 1,000/125 at 120 s,
                                                        # 2,000/250 at 240 s; ours, PyVRP, VROOM
    python benchmarks/scale.py --sizes 2000 --time-limit 240 --peers none --workers 1
    python benchmarks/scale.py --sizes 250,500,1000,2000,5000 --peers none   # growth table

Days are ``scheduler.synthetic.generate_day(N, N // 8, seed=1)`` with great-circle travel.
"Relaxed" (what the peers can express): each half of a double-handed visit is a job of its
own and dependencies are dropped; skills, roles, household rules and exclusions (VROOM: as
skills, exactly; PyVRP: as load dimensions, one per set of caregivers allowed, exclusions
left out), visit windows, shifts and working time are kept, on our travel matrix. A visit
counts as assigned when every caregiver it needs is there; travel is recomputed from the
routes on the same matrix, home legs included. Our rosters are checked by the validator.
"ours" weighs the day's soft goals (preferred caregivers, language, gender: a preferred
caregiver is worth 15 minutes of travel); "ours-travel" weighs travel alone, as the peers
do, on the same day with every hard rule.
Peak RSS is the largest process's (for ours the coordinator or one worker, whichever is
larger). Peers: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.peers import vroom_routes  # noqa: E402
from scheduler import Progress, SolveParams, check_roster, solve  # noqa: E402
from scheduler.api import travel_model_for  # noqa: E402
from scheduler.domain.eligibility import is_eligible  # noqa: E402
from scheduler.domain.model import Scenario, Weights  # noqa: E402
from scheduler.synthetic import generate_day  # noqa: E402
from scheduler.travel.base import profile_of  # noqa: E402

# PyVRP's prize per priority point of a visit half, in travel seconds: with ours (36,000) it
# preferred rosters that break the skill dimensions to leaving visits out (its penalties
# reached their bound); an hour of travel still serves every visit it can.
PYVRP_PRIZE_PER_PRIORITY = 3_600
# "s to 95 %" (ours): the first progress report whose roster serves this share of the visits
# the run ends with, a fixed quality relative to each run's own result.
NEAR_SHARE = 0.95
LIMITS_S = {250: 30.0, 500: 60.0, 1000: 120.0, 2000: 240.0, 5000: 600.0}


def day(n: int, *, travel_weights: bool = False) -> Scenario:
    """The synthetic day of ``n`` visits; with ``travel_weights``, its soft goals weighed as
    the peers weigh them (travel only: no preferred caregiver, language or gender terms)."""
    scenario = generate_day(n, max(1, n // 8), seed=1)
    if not travel_weights:
        return scenario
    weights = Weights(non_preferred_caregiver=0, language_mismatch=0, gender_mismatch=0)
    settings = scenario.settings.model_copy(update={"weights": weights})
    return scenario.model_copy(update={"settings": settings})


def _relaxed(scenario: Scenario) -> dict[str, Any]:
    """The relaxed day as plain arrays: jobs (visit halves), vehicles (shifts), travel."""
    travel = travel_model_for(scenario)
    clients = scenario.clients_by_id
    places = [c.home for c in scenario.caregivers] + [c.location for c in scenario.clients]
    keys = {p.key: i for i, p in enumerate(dict.fromkeys(places))}
    unique = list({p.key: p for p in places}.values())
    profile = profile_of(scenario.caregivers[0], scenario.settings)
    matrix = np.asarray(travel.durations_s(unique, profile), dtype=np.int64)
    origin = min(s.start for c in scenario.caregivers for s in c.shifts)

    def sec(moment: Any) -> int:
        return int((moment - origin).total_seconds())

    vehicles = []
    for ci, c in enumerate(scenario.caregivers):
        for shift in c.shifts:
            vehicles.append(
                {
                    "caregiver": ci,
                    "home": keys[c.home.key],
                    "start": sec(shift.start),
                    "end": sec(shift.end),
                    "max_work_s": (c.max_work_min_per_day or 24 * 60) * 60,
                }
            )
    jobs = []
    for visit in scenario.visits:
        client = clients[visit.client_id]
        allowed = frozenset(
            v
            for v, vehicle in enumerate(vehicles)
            if is_eligible(scenario.caregivers[vehicle["caregiver"]], client, visit)
        )
        qualified = frozenset(
            v
            for v, vehicle in enumerate(vehicles)
            if is_eligible(
                scenario.caregivers[vehicle["caregiver"]],
                client.model_copy(update={"excluded_caregivers": frozenset()}),
                visit,
            )
        )
        for half in range(visit.caregivers_required):
            jobs.append(
                {
                    "visit": visit.id,
                    "half": half,
                    "place": keys[client.location.key],
                    "service_s": visit.duration_min * 60,
                    "windows": [(sec(w.start), sec(w.end)) for w in visit.windows],
                    "priority": visit.priority,
                    "allowed": allowed,
                    "qualified": qualified,
                }
            )
    prize = scenario.settings.weights.unassigned_per_priority
    return {"matrix": matrix, "vehicles": vehicles, "jobs": jobs, "prize": prize}


def _score(
    scenario: Scenario, relaxed: dict[str, Any], routes: list[tuple[int, list[int]]]
) -> dict[str, Any]:
    """Visits fully served, stops, double-handed visits fully served and travel minutes of
    peer routes (vehicle, job indices)."""
    matrix, vehicles, jobs = relaxed["matrix"], relaxed["vehicles"], relaxed["jobs"]
    halves: dict[str, int] = {}
    travel_s = 0
    for v, route in routes:
        if not route:
            continue
        at = vehicles[v]["home"]
        for j in route:
            travel_s += int(matrix[at, jobs[j]["place"]])
            at = jobs[j]["place"]
            halves[jobs[j]["visit"]] = halves.get(jobs[j]["visit"], 0) + 1
        travel_s += int(matrix[at, vehicles[v]["home"]])
    need = {v.id: v.caregivers_required for v in scenario.visits}
    full = [visit for visit, count in halves.items() if count >= need[visit]]
    return {
        "assigned": len(full),
        "stops": sum(halves.values()),
        "doubles": sum(1 for visit in full if need[visit] > 1),
        "travel_min": travel_s / 60.0,
    }


def run_pyvrp(scenario: Scenario, time_limit_s: float, seed: int) -> dict[str, Any]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    relaxed = _relaxed(scenario)
    matrix, vehicles, jobs = relaxed["matrix"], relaxed["vehicles"], relaxed["jobs"]
    classes = sorted({j["qualified"] for j in jobs}, key=sorted)
    dim = {c: i for i, c in enumerate(classes)}
    homes = sorted({vehicle["home"] for vehicle in vehicles})
    depot_of = {home: i for i, home in enumerate(homes)}
    big = len(jobs)
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=1,
            capacity=[big if v in c else 0 for c in classes],
            start_depot=depot_of[vehicle["home"]],
            end_depot=depot_of[vehicle["home"]],
            tw_early=vehicle["start"],
            tw_late=vehicle["end"],
            shift_duration=vehicle["max_work_s"],
        )
        for v, vehicle in enumerate(vehicles)
    ]
    clients = []
    for job in jobs:
        lo, hi = job["windows"][0]
        delivery = [0] * len(classes)
        delivery[dim[job["qualified"]]] = 1
        clients.append(
            pyvrp.Client(
                location=job["place"],
                delivery=delivery,
                service_duration=job["service_s"],
                tw_early=lo,
                tw_late=hi,
                prize=PYVRP_PRIZE_PER_PRIORITY * job["priority"],
                required=False,
            )
        )
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0, 0) for _ in range(len(matrix))],
        clients=clients,
        depots=[pyvrp.Depot(location=home) for home in homes],
        vehicle_types=vehicle_types,
        distance_matrices=[matrix],
        duration_matrices=[matrix],
    )
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=1e9))
    result = pyvrp.solve(
        data, stop=MaxRuntime(time_limit_s), seed=seed, display=False, params=params
    )
    if not result.best.is_feasible():
        raise RuntimeError("PyVRP found no feasible roster")
    routes = []
    for route in result.best.routes():
        visits = [int(a.idx) for a in route if a.is_client()]
        routes.append((int(route.vehicle_type()), visits))
    return _score(scenario, relaxed, routes)


def run_vroom(scenario: Scenario, time_limit_s: float, seed: int) -> dict[str, Any]:
    import vroom

    del seed  # VROOM's search is deterministic
    relaxed = _relaxed(scenario)
    matrix, vehicles, jobs = relaxed["matrix"], relaxed["vehicles"], relaxed["jobs"]
    skill_of = {s: i for i, s in enumerate(sorted({j["allowed"] for j in jobs}, key=sorted))}
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=matrix.tolist())
    for v, vehicle in enumerate(vehicles):
        problem.add_vehicle(
            vroom.Vehicle(
                v,
                start=vehicle["home"],
                end=vehicle["home"],
                time_window=vroom.TimeWindow(vehicle["start"], vehicle["end"]),
                skills={i for s, i in skill_of.items() if v in s},
            )
        )
    for j, job in enumerate(jobs):
        problem.add_job(
            vroom.Job(
                j,
                location=job["place"],
                default_service=job["service_s"],
                time_windows=[vroom.TimeWindow(lo, hi) for lo, hi in job["windows"]],
                skills={skill_of[job["allowed"]]},
                priority=min(100, 20 * job["priority"]),
            )
        )
    solution = problem.solve(
        exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit_s)
    )
    routes = list(vroom_routes(solution).items())
    return _score(scenario, relaxed, routes)


def run_ours(
    scenario: Scenario, time_limit_s: float, seed: int, workers: int, cluster: str | None
) -> dict[str, Any]:
    params = SolveParams(time_limit_s=time_limit_s, seed=seed, workers=workers, cluster=cluster)
    reports: list[tuple[float, int]] = []

    def progress(p: Progress) -> None:
        if p.visits_assigned is not None:
            reports.append((p.elapsed_s, p.visits_assigned))

    roster = solve(scenario, params=params, on_progress=progress)
    kpis = roster.kpis
    assert kpis is not None and roster.solve_info is not None
    doubles = {v.id for v in scenario.visits if v.caregivers_required > 1}
    served = {stop.visit_id for route in roster.routes for stop in route.stops}
    near_s = next((t for t, n in reports if n >= NEAR_SHARE * kpis.visits_assigned), None)
    return {
        "assigned": kpis.visits_assigned,
        "stops": sum(len(route.stops) for route in roster.routes),
        "doubles": len(doubles & served),
        "near_s": near_s,
        "travel_min": kpis.travel_min,
        "violations": len(check_roster(scenario, roster)),
        "status": roster.solve_info.status,
    }


def _one(args: argparse.Namespace) -> None:
    """In the child: one solver on one day; prints one JSON line."""
    scenario = day(args.sizes[0], travel_weights=args.one == "ours-travel")
    started = time.monotonic()
    if args.one in ("ours", "ours-travel"):
        out = run_ours(scenario, args.time_limit_s, args.seed, args.workers, args.cluster)
    elif args.one == "pyvrp":
        out = run_pyvrp(scenario, args.time_limit_s, args.seed)
    else:
        out = run_vroom(scenario, args.time_limit_s, args.seed)
    out["wall_s"] = time.monotonic() - started
    print(json.dumps(out), flush=True)


def _child(solver: str, n: int, limit_s: float, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--one",
        solver,
        "--sizes",
        str(n),
        "--time-limit",
        str(limit_s),
        "--seed",
        str(args.seed),
        "--workers",
        str(args.workers),
        *(["--cluster", args.cluster] if args.cluster else []),
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall_s = time.monotonic() - started
    output = process.stdout.read() if process.stdout else ""
    if status != 0 or not output.strip():
        return {"error": f"exit {status}", "process_wall_s": wall_s}
    out = json.loads(output.strip().splitlines()[-1])
    out["process_wall_s"] = wall_s
    out["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    parser.add_argument("--time-limit", dest="time_limit_s", type=float, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cluster", default=None)
    parser.add_argument("--peers", default="pyvrp,vroom")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args)
        return 0
    sizes = args.sizes or [500, 1000, 2000]
    peers = [] if args.peers == "none" else args.peers.split(",")
    print(
        f"# {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {date.today()}, workers {args.workers}"
    )
    print(
        "| visits / caregivers | limit s | solver | wall s | s to 95 % | peak RSS MB | "
        "assigned | stops | double-handed | travel min | travel min per visit | violations |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for n in sizes:
        limit_s = args.time_limit_s or LIMITS_S.get(n, n * 0.12)
        for solver in ["ours", "ours-travel", *peers]:
            out = _child(solver, n, limit_s, args)
            if "error" in out:
                print(f"| {n} / {n // 8} | {limit_s:g} | {solver} | {out['error']} ||||||||")
                failed = True
                continue
            per_visit = out["travel_min"] / max(1, out["assigned"])
            violations = out.get("violations", "")
            failed |= bool(violations)
            near = "" if out.get("near_s") is None else f"{out['near_s']:.0f}"
            print(
                f"| {n:,} / {n // 8} | {limit_s:g} | {solver} | {out['process_wall_s']:.0f} | "
                f"{near} | {out['peak_rss_mb']:.0f} | {out['assigned']} | {out['stops']} | "
                f"{out['doubles']} | {out['travel_min']:,.0f} | {per_visit:.2f} | {violations} |",
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
