"""Road travel benchmarks of issue 5: matrix build times, and road versus great-circle.

    python benchmarks/road.py            # 100 / 500 / 2,000 locations; the sample both ways at 8 s
    python benchmarks/road.py --quick    # smoke: 100 locations; the sample at 2 s

Matrix rows: "cold" starts from nothing (the map is read, the network built, no cache on disk);
"network warm" has the network in memory, so it times snapping and Dijkstra alone; "cached"
reads the matrix from the disk cache in a new process-level model. The sample rows solve the
bundled agency with each travel model (same seed, same limit) and check every roster with the
independent validator under the travel model it was planned with.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np

from scheduler import check_roster, load_scenario, solve, travel_model_for
from scheduler.domain.model import Location, Scenario, TravelMode, TravelModelName
from scheduler.errors import TravelWarning
from scheduler.synthetic import load_addresses
from scheduler.travel.base import TravelProfile
from scheduler.travel.great_circle import GreatCircleTravel
from scheduler.travel.road import RoadTravel

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "data/maps/north-bayreuth.osm.bz2"
SAMPLE = ROOT / "data/samples/bayreuth"
DRIVE = TravelProfile(TravelMode.DRIVE, 30.0)


def places(count: int, seed: int) -> list[Location]:
    """The extract's addresses first, then seeded points in its built-up box."""
    found = load_addresses(ROOT / "data/samples/north_bayreuth_addresses.csv")[:count]
    rng = np.random.default_rng(seed)
    while len(found) < count:
        found.append(Location(lat=rng.uniform(49.96, 50.05), lon=rng.uniform(11.47, 11.60)))
    return found


def timed(action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def matrix_rows(counts: list[int], seed: int) -> None:
    print("| locations | cold s | network warm s | cached s | mean drive min |")
    print("|---|---|---|---|---|")
    for count in counts:
        spots = places(count, seed)
        with tempfile.TemporaryDirectory() as cache:
            cold_s, seconds = timed(
                lambda spots=spots, cache=cache: RoadTravel(MAP, cache_dir=Path(cache)).matrices(
                    spots, DRIVE
                )[0]
            )
            warm = RoadTravel(MAP, cache_dir=None)
            warm.network(TravelMode.DRIVE)
            warm_s, _ = timed(lambda spots=spots, warm=warm: warm.matrices(spots, DRIVE))
            cached_s, again = timed(
                lambda spots=spots, cache=cache: RoadTravel(MAP, cache_dir=Path(cache)).matrices(
                    spots, DRIVE
                )[0]
            )
            assert np.array_equal(seconds, again)
        off = ~np.eye(count, dtype=bool)
        print(
            f"| {count} | {cold_s:.2f} | {warm_s:.2f} | {cached_s:.3f} | "
            f"{seconds[off].mean() / 60:.1f} |",
            flush=True,
        )


def ratio_rows(sample: Scenario) -> None:
    spots = [c.home for c in sample.caregivers] + [c.location for c in sample.clients]
    road = RoadTravel(MAP).matrices(spots, DRIVE)[0]
    straight = GreatCircleTravel(detour_factor=sample.settings.detour_factor)
    line = straight.durations_s(spots, TravelProfile(TravelMode.DRIVE, 30.0)).astype(float)
    off = ~np.eye(len(spots), dtype=bool) & (line > 0)
    ratio = road[off] / line[off]
    print(
        f"Sample locations: {len(spots)}; road / great-circle (x{sample.settings.detour_factor} "
        f"at {sample.settings.drive_speed_kph:g} km/h) drive time over {off.sum()} pairs: "
        f"mean {ratio.mean():.2f}, median {np.median(ratio):.2f}, "
        f"lowest {ratio.min():.2f}, highest {ratio.max():.2f}"
    )
    print(
        f"Mean trip: road {road[off].mean() / 60:.1f} min, "
        f"great-circle {line[off].mean() / 60:.1f} min"
    )


def solve_rows(sample: Scenario, limit_s: float, seed: int) -> bool:
    print("| travel model | limit s | wall s | assigned | unassigned | travel min | violations |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for model in (TravelModelName.GREAT_CIRCLE, TravelModelName.ROAD):
        travel_settings = sample.settings.travel.model_copy(update={"model": model})
        scenario = sample.model_copy(
            update={"settings": sample.settings.model_copy(update={"travel": travel_settings})}
        )
        travel = travel_model_for(scenario)
        started = time.monotonic()
        roster = solve(scenario, time_limit_s=limit_s, seed=seed, travel=travel)
        wall_s = time.monotonic() - started
        violations = check_roster(scenario, roster, travel=travel)
        k = roster.kpis
        assert k is not None
        print(
            f"| {model.value} | {limit_s:g} | {wall_s:.1f} | {k.visits_assigned}/"
            f"{k.visits_total} | {k.visits_unassigned} | {k.travel_min:.0f} | "
            f"{len(violations)} |",
            flush=True,
        )
        ok &= not violations
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter("ignore", TravelWarning)
    print(
        f"{date.today()} · {platform.machine()} · {platform.python_version()} · "
        f"{platform.processor() or 'cpu'}\n"
    )
    matrix_rows([100] if args.quick else [100, 500, 2000], args.seed)
    print()
    sample = load_scenario(SAMPLE)
    ratio_rows(sample)
    print()
    ok = solve_rows(sample, 2 if args.quick else 8, args.seed)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak memory (max RSS): {peak_mb:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
