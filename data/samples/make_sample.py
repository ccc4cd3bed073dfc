"""Build the bundled sample agency (data/samples/bayreuth) from the North Bayreuth addresses.

    python data/samples/make_sample.py

A seeded synthetic day (see scheduler.synthetic) placed on real building addresses of Bindlach
and Heinersreuth, north of Bayreuth (OpenStreetMap, ODbL), plus the situations a coordinator
meets: a physiotherapy visit while the only physiotherapist is off, a client who excluded a
caregiver, a visit pinned to a caregiver, and more demand than the shifts can carry.
The people are invented; the addresses are real buildings. The sample gives addresses only (no
coordinates): they are geocoded offline against the bundled map, which also gives road travel.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from scheduler.domain.model import (
    Caregiver,
    Role,
    Shift,
    TimeWindow,
    TravelModelName,
    TravelSettings,
    Visit,
)
from scheduler.io.scenario_files import save_scenario
from scheduler.synthetic import generate_day, load_addresses

HERE = Path(__file__).parent
MAP = "../../maps/north-bayreuth.osm.bz2"  # relative to the sample folder
COORDINATE_COLUMNS = {"caregivers.csv": ["home_lat", "home_lon"], "clients.csv": ["lat", "lon"]}
DAY = "2026-11-24"


def build() -> None:
    addresses = load_addresses(HERE / "north_bayreuth_addresses.csv")
    scenario = generate_day(118, 15, seed=2026, addresses=addresses, name="bayreuth-north-day")
    # The agency's only physiotherapist works tomorrow, not today.
    physio = Caregiver(
        id="CG016",
        role=Role.PT,
        skills=frozenset({"physiotherapy", "transfer"}),
        home=addresses[17],
        max_work_min_per_day=480,
        shifts=(
            Shift(
                start=datetime.fromisoformat("2026-11-25T08:00"),
                end=datetime.fromisoformat("2026-11-25T16:00"),
            ),
        ),
    )
    clients = scenario.clients
    extra = [
        Visit(
            id="V0119",
            client_id=clients[3].id,
            duration_min=45,
            windows=(
                TimeWindow(
                    start=datetime.fromisoformat(f"{DAY}T10:00"),
                    end=datetime.fromisoformat(f"{DAY}T15:00"),
                ),
            ),
            required_skills=frozenset({"physiotherapy"}),
            roles=frozenset({Role.PT}),
            priority=3,
        ),
        Visit(
            id="V0120",
            client_id=clients[5].id,
            duration_min=30,
            windows=(
                TimeWindow(
                    start=datetime.fromisoformat(f"{DAY}T13:00"),
                    end=datetime.fromisoformat(f"{DAY}T14:00"),
                ),
            ),
            required_skills=frozenset({"companionship"}),
            pinned_caregiver="CG003",
            priority=2,
        ),
    ]
    road = TravelSettings(model=TravelModelName.ROAD, map_file=MAP)
    scenario = scenario.model_copy(
        update={
            "caregivers": (*scenario.caregivers, physio),
            "visits": (*scenario.visits, *extra),
            "settings": scenario.settings.model_copy(update={"travel": road}),
        }
    )
    folder = HERE / "bayreuth"
    save_scenario(scenario, folder)
    for name, columns in COORDINATE_COLUMNS.items():  # addresses only: geocoded from the map
        frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        frame.drop(columns=columns).to_csv(folder / name, index=False)
    print(
        f"{len(scenario.caregivers)} caregivers, {len(scenario.clients)} clients, "
        f"{len(scenario.visits)} visits"
    )


if __name__ == "__main__":
    build()
