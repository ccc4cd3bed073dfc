"""Extract the addressed buildings of an OSM XML extract into a CSV (run once; output is bundled).

    python data/samples/extract_addresses.py \
        ../shared/benchmarks/osm_extracts/north-bayreuth.osm.bz2 \
        data/samples/north_bayreuth_addresses.csv

A building way's position is the mean of its nodes; address nodes are taken as they are.
"""

from __future__ import annotations

import bz2
import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

FIELDS = ("street", "housenumber", "postcode", "city", "lat", "lon")


def extract(osm_path: Path) -> list[dict[str, str]]:
    opener = bz2.open if osm_path.suffix == ".bz2" else open
    nodes: dict[str, tuple[float, float]] = {}
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    with opener(osm_path, "rb") as handle:
        for _event, element in ET.iterparse(handle, events=("end",)):
            if element.tag == "node":
                lat, lon = float(element.get("lat", 0)), float(element.get("lon", 0))
                nodes[element.get("id", "")] = (lat, lon)
                tags = {t.get("k"): t.get("v") for t in element.findall("tag")}
                _keep(found, tags, [(lat, lon)])
                element.clear()
            elif element.tag == "way":
                tags = {t.get("k"): t.get("v") for t in element.findall("tag")}
                points = [
                    nodes[n.get("ref", "")]
                    for n in element.findall("nd")
                    if n.get("ref", "") in nodes
                ]
                _keep(found, tags, points)
                element.clear()
    return sorted(found.values(), key=lambda r: (r["street"], _house_key(r["housenumber"])))


def _keep(found: dict, tags: dict, points: list[tuple[float, float]]) -> None:  # type: ignore[type-arg]
    street, number = tags.get("addr:street"), tags.get("addr:housenumber")
    if not street or not number or not points:
        return
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]  # a closed ring repeats its first node
    lat = sum(p[0] for p in points) / len(points)
    lon = sum(p[1] for p in points) / len(points)
    key = (street, number, tags.get("addr:postcode", ""))
    found.setdefault(
        key,
        {
            "street": street,
            "housenumber": number,
            "postcode": tags.get("addr:postcode", ""),
            "city": tags.get("addr:city", ""),
            "lat": f"{lat:.7f}",
            "lon": f"{lon:.7f}",
        },
    )


def _house_key(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


if __name__ == "__main__":
    rows = extract(Path(sys.argv[1]))
    with open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} addresses")
