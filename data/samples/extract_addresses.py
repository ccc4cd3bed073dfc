"""Extract the addressed buildings of an OSM XML extract into a CSV (run once; output is bundled).

    python data/samples/extract_addresses.py \
        data/maps/north-bayreuth.osm.bz2 data/samples/north_bayreuth_addresses.csv

The synthetic generator and the benchmarks place clients on these addresses without reading the
map; the rows are what the offline geocoder (scheduler.geocode.OsmAddressBook) finds in the map.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict
from pathlib import Path

from scheduler.travel.osm_extract import read_addressed_places

FIELDS = ("street", "housenumber", "postcode", "city", "lat", "lon")


def _house_key(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


def extract(osm_path: Path) -> list[dict[str, str]]:
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for place in read_addressed_places(osm_path):
        row = {k: str(v) for k, v in asdict(place).items()}
        row["lat"], row["lon"] = f"{place.lat:.7f}", f"{place.lon:.7f}"
        rows.setdefault((place.street, place.housenumber, place.postcode), row)
    return sorted(rows.values(), key=lambda r: (r["street"], _house_key(r["housenumber"])))


if __name__ == "__main__":
    found = extract(Path(sys.argv[1]))
    with open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(found)
    print(f"{len(found)} addresses")
