"""The streets of a scenario's OSM extract around its places, as polylines for the map."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scheduler.travel.osm_extract import read_way_edges

# Ways a map reader recognises as streets; footpaths, tracks and the like are left out.
STREET_CLASSES = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "motorway_link",
        "trunk_link",
        "primary_link",
        "secondary_link",
        "tertiary_link",
    }
)
MARGIN_DEG = 0.005  # about 500 m around the outermost place


def street_lines(
    map_file: str | Path, lat: np.ndarray, lon: np.ndarray
) -> tuple[list[float | None], list[float | None]]:
    """Longitudes and latitudes of every street segment within the places' bounding box (plus
    a margin), each segment once, separated by None (plotly's line breaks)."""
    ways = read_way_edges(Path(map_file))
    south, north = lat.min() - MARGIN_DEG, lat.max() + MARGIN_DEG
    west, east = lon.min() - MARGIN_DEG, lon.max() + MARGIN_DEG
    a, b = ways.edge_from, ways.edge_to
    street = np.fromiter((t.get("highway") in STREET_CLASSES for t in ways.tags), dtype=bool)
    inside = (
        (ways.node_lat[a] >= south)
        & (ways.node_lat[a] <= north)
        & (ways.node_lon[a] >= west)
        & (ways.node_lon[a] <= east)
    )
    once = (a < b) | ways.oneway_for_cars  # a two-way street has both directions as edges
    keep = np.flatnonzero(street & inside & once)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for i in keep:
        xs += [round(float(ways.node_lon[a[i]]), 5), round(float(ways.node_lon[b[i]]), 5), None]
        ys += [round(float(ways.node_lat[a[i]]), 5), round(float(ways.node_lat[b[i]]), 5), None]
    return xs, ys
