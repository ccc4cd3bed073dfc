"""Read a local OpenStreetMap extract (``.osm``, ``.osm.bz2``): the only module importing osmnx.

It returns plain Python/numpy data, never an osmnx object, so what osmnx builds is used in one
place: ways as directed edges (with OSM's car one-way rules applied by osmnx) and addressed
features. Nothing here touches the network: osmnx's ``*_from_xml`` readers work on the file.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The tags the mode, direction and speed rules (travel/ways.py) read; osmnx keeps only these.
WAY_TAGS = (
    "highway",
    "area",
    "service",
    "access",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "bicycle",
    "foot",
    "oneway",
    "oneway:bicycle",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "junction",
    "maxspeed",
)
ADDRESS_TAGS = ("addr:street", "addr:housenumber", "addr:postcode", "addr:city")


@dataclass(frozen=True)
class WayEdges:
    """Every way of the extract as directed edges between consecutive nodes.

    A way osmnx treats as one-way for cars (``oneway=yes/-1``, roundabouts) has edges in its
    direction of travel only (``oneway_for_cars``); every other way has both directions.
    """

    node_lat: np.ndarray  # float64, per node index
    node_lon: np.ndarray
    edge_from: np.ndarray  # int64 node index
    edge_to: np.ndarray
    length_m: np.ndarray  # float64, great-circle between the two nodes
    oneway_for_cars: np.ndarray  # bool
    tags: tuple[dict[str, str], ...]  # per edge, only WAY_TAGS


@dataclass(frozen=True)
class AddressedPlace:
    street: str
    housenumber: str
    postcode: str
    city: str
    lat: float
    lon: float


@contextmanager
def _osmnx_quietly(way_tags: tuple[str, ...]) -> Iterator[object]:
    import osmnx as ox

    saved_tags, saved_log = ox.settings.useful_tags_way, ox.settings.log_console
    ox.settings.useful_tags_way = list(way_tags)
    ox.settings.log_console = False
    logging.getLogger("osmnx").setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            yield ox
    finally:
        ox.settings.useful_tags_way, ox.settings.log_console = saved_tags, saved_log


def read_way_edges(path: Path) -> WayEdges:
    """All ways of ``path`` as directed edges, unsimplified, every connected piece kept."""
    with _osmnx_quietly(WAY_TAGS) as ox:
        graph = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)  # type: ignore[attr-defined]
    node_ids = list(graph.nodes)
    index = {node: i for i, node in enumerate(node_ids)}
    lat = np.fromiter((graph.nodes[n]["y"] for n in node_ids), dtype=np.float64)
    lon = np.fromiter((graph.nodes[n]["x"] for n in node_ids), dtype=np.float64)
    edge_from, edge_to, length_m, oneway, tags = [], [], [], [], []
    for u, v, data in graph.edges(data=True):
        edge_from.append(index[u])
        edge_to.append(index[v])
        length_m.append(float(data.get("length", 0.0)))
        oneway.append(bool(data.get("oneway", False)))
        # osmnx replaces the oneway tag by its verdict (a bool), kept in `oneway_for_cars`
        tags.append({k: _text(data[k]) for k in WAY_TAGS if k in data and k != "oneway"})
    return WayEdges(
        node_lat=lat,
        node_lon=lon,
        edge_from=np.asarray(edge_from, dtype=np.int64),
        edge_to=np.asarray(edge_to, dtype=np.int64),
        length_m=np.asarray(length_m, dtype=np.float64),
        oneway_for_cars=np.asarray(oneway, dtype=bool),
        tags=tuple(tags),
    )


def _text(value: object) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def read_addressed_places(path: Path) -> list[AddressedPlace]:
    """Every node, building or area of ``path`` carrying ``addr:street`` and ``addr:housenumber``,
    placed at its centroid."""
    import shapely

    with _osmnx_quietly(WAY_TAGS) as ox:
        try:
            features = ox.features_from_xml(path, tags={"addr:housenumber": True})  # type: ignore[attr-defined]
        except Exception as exc:  # osmnx raises InsufficientResponseError on no match
            if type(exc).__name__ == "InsufficientResponseError":
                return []
            raise
    if "addr:street" not in features.columns:
        return []
    centroids = shapely.centroid(features.geometry.to_numpy())
    places = []
    for position, (_, row) in enumerate(features.iterrows()):
        street, number = row.get("addr:street"), row.get("addr:housenumber")
        if not isinstance(street, str) or not isinstance(number, str):
            continue
        point = centroids[position]
        places.append(
            AddressedPlace(
                street=street.strip(),
                housenumber=number.strip(),
                postcode=_optional(row.get("addr:postcode")),
                city=_optional(row.get("addr:city")),
                lat=float(point.y),
                lon=float(point.x),
            )
        )
    return places


def _optional(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
