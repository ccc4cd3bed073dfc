"""Road travel: times and distances along the streets of a local OpenStreetMap extract.

How a matrix is made (docs/concepts.md, "Road travel"):

1. The extract's ways become one directed graph per travel mode (``travel/ways.py`` decides which
   ways a mode may use, in which direction, how fast a car goes); the graph is cached on disk.
2. Each location snaps to the nearest point on a road of the network's largest strongly connected
   piece, so every location can reach every other. The walk from the door to that point counts
   (at walking pace) at both ends of a trip. A location whose nearest road is a disconnected piece
   (a one-way dead end, a private road) is snapped to the connected road and a warning says so.
3. Snapped locations join the graph as extra nodes (with partial edges to the ends of their road
   segment, and direct edges between locations on the same segment in a permitted direction), and
   scipy's many-source Dijkstra gives the fastest times. The distance of each fastest path is summed
   along its predecessor tree. Matrices are cached on disk by map, mode, speed and locations.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from scheduler.domain.model import Location, TravelMode
from scheduler.errors import MapError, Problem, SolverError, TravelWarning
from scheduler.travel.base import TravelProfile, geographic
from scheduler.travel.cache import ArrayCache, cache_key, default_cache_dir, file_digest
from scheduler.travel.osm_extract import WayEdges, read_way_edges
from scheduler.travel.ways import both_ways, car_speed_kph, usable_by

MIN_EDGE_S = 1e-6  # csgraph needs positive weights to tell an edge from no edge
AT_NODE_M = 1.0  # a snapped point this close to a node is at the node
SNAP_WARNING_M = 250.0  # a door this far from any road is probably misplaced
_SOURCE_BLOCK_CELLS = 4_000_000  # Dijkstra rows computed at once: bounds memory


@dataclass(frozen=True)
class RoadNetwork:
    """One travel mode's directed road graph as arrays (nodes are indices)."""

    mode: TravelMode
    node_lat: np.ndarray
    node_lon: np.ndarray
    edge_from: np.ndarray  # int64
    edge_to: np.ndarray  # int64
    length_m: np.ndarray  # float64
    car_speed_kph: np.ndarray  # float64, what a car averages on the edge
    main: np.ndarray = field(repr=False)  # bool per node: in the largest strongly connected piece

    @property
    def n_nodes(self) -> int:
        return len(self.node_lat)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "node_lat": self.node_lat,
            "node_lon": self.node_lon,
            "edge_from": self.edge_from,
            "edge_to": self.edge_to,
            "length_m": self.length_m,
            "car_speed_kph": self.car_speed_kph,
            "main": self.main,
        }

    def edge_seconds(self, profile: TravelProfile) -> np.ndarray:
        """Seconds per edge: the car's speed on each way, otherwise the profile's pace."""
        if self.mode is TravelMode.DRIVE:
            return self.length_m / (self.car_speed_kph / 3.6)
        return self.length_m / (profile.speed_kph / 3.6)


def build_network(ways: WayEdges, mode: TravelMode, *, source: str = "map") -> RoadNetwork:
    """The graph ``mode`` may use: only its ways, in the directions it may travel them."""
    usable = np.fromiter((usable_by(t, mode) for t in ways.tags), dtype=bool, count=len(ways.tags))
    if not usable.any():
        raise MapError([Problem(source, f"no ways usable by {mode.value}")])
    reverse_too = np.fromiter(
        (
            use and oneway and both_ways(t, mode, oneway_for_cars=True)
            for use, oneway, t in zip(usable, ways.oneway_for_cars, ways.tags, strict=True)
        ),
        dtype=bool,
        count=len(ways.tags),
    )
    speeds = np.fromiter((car_speed_kph(t) for t in ways.tags), dtype=np.float64)
    edge_from = np.concatenate([ways.edge_from[usable], ways.edge_to[reverse_too]])
    edge_to = np.concatenate([ways.edge_to[usable], ways.edge_from[reverse_too]])
    length_m = np.concatenate([ways.length_m[usable], ways.length_m[reverse_too]])
    speed = np.concatenate([speeds[usable], speeds[reverse_too]])
    keep = edge_from != edge_to
    edge_from, edge_to, length_m, speed = (
        edge_from[keep],
        edge_to[keep],
        length_m[keep],
        speed[keep],
    )

    used, inverse = np.unique(np.concatenate([edge_from, edge_to]), return_inverse=True)
    edge_from, edge_to = inverse[: len(edge_from)], inverse[len(edge_from) :]
    # Parallel edges between the same two nodes (two ways): keep the fastest.
    order = np.lexsort((length_m / speed, edge_to, edge_from))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (np.diff(edge_from[order]) != 0) | (np.diff(edge_to[order]) != 0)
    pick = order[first]
    edge_from, edge_to, length_m, speed = (
        edge_from[pick],
        edge_to[pick],
        length_m[pick],
        speed[pick],
    )

    n = len(used)
    graph = csr_matrix((np.ones(len(edge_from)), (edge_from, edge_to)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    main = labels == np.bincount(labels).argmax()
    return RoadNetwork(
        mode=mode,
        node_lat=ways.node_lat[used],
        node_lon=ways.node_lon[used],
        edge_from=edge_from.astype(np.int64),
        edge_to=edge_to.astype(np.int64),
        length_m=length_m.astype(np.float64),
        car_speed_kph=speed.astype(np.float64),
        main=main,
    )


@dataclass(frozen=True)
class Snap:
    """Where a location joins the network: on segment (a, b) at fraction ``t`` from a."""

    a: int
    b: int
    t: float
    walk_m: float  # from the door to the road
    disconnected: bool  # the nearest road overall is on a piece cut off from the network


class _Snapper:
    """Nearest road segment of the network's main piece, in a local metric projection."""

    def __init__(self, network: RoadNetwork):
        import shapely
        from pyproj import Transformer

        self._shapely = shapely
        lat0, lon0 = float(np.mean(network.node_lat)), float(np.mean(network.node_lon))
        self._project = Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +units=m", always_xy=True
        ).transform
        x, y = self._project(network.node_lon, network.node_lat)
        self._xy = np.column_stack([x, y])
        a = np.minimum(network.edge_from, network.edge_to)
        b = np.maximum(network.edge_from, network.edge_to)
        pairs = np.unique(np.column_stack([a, b]), axis=0)
        self._pairs = pairs
        lines = shapely.linestrings(np.stack([self._xy[pairs[:, 0]], self._xy[pairs[:, 1]]], 1))
        self._lines = lines
        in_main = network.main[pairs[:, 0]] & network.main[pairs[:, 1]]
        self._main_ids = np.flatnonzero(in_main)
        self._main_tree = shapely.STRtree(lines[self._main_ids])
        self._any_tree = shapely.STRtree(lines)

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> list[Snap]:
        shapely = self._shapely
        x, y = self._project(lon, lat)
        points = shapely.points(np.column_stack([x, y]))
        (_, main_hit), main_m = self._main_tree.query_nearest(
            points, return_distance=True, all_matches=False
        )
        (_, _), any_m = self._any_tree.query_nearest(
            points, return_distance=True, all_matches=False
        )
        segment = self._main_ids[main_hit]
        t = shapely.line_locate_point(self._lines[segment], points, normalized=True)
        return [
            Snap(
                a=int(self._pairs[s, 0]),
                b=int(self._pairs[s, 1]),
                t=float(np.clip(tt, 0.0, 1.0)),
                walk_m=float(d),
                disconnected=bool(d_any < d - 1.0),
            )
            for s, tt, d, d_any in zip(segment, t, main_m, any_m, strict=True)
        ]


class RoadTravel:
    """The ``TravelModel`` for road networks from one local OSM extract.

    Cars take each way's speed (``travel/ways.py``); cyclists and walkers their profile's pace.
    A caregiver's own ``speed_kph`` therefore matters for bicycle and walk, not for driving.
    """

    def __init__(
        self,
        map_file: str | Path,
        *,
        walk_speed_kph: float = 4.5,
        cache_dir: Path | str | None = "default",
    ):
        self.map_file = Path(map_file)
        if not self.map_file.is_file():
            raise MapError([Problem(str(self.map_file), "no such file")])
        self.walk_speed_kph = walk_speed_kph
        directory = default_cache_dir() if cache_dir == "default" else cache_dir
        self.cache = ArrayCache(Path(directory) if directory is not None else None)
        self._networks: dict[TravelMode, RoadNetwork] = {}
        self._snappers: dict[TravelMode, _Snapper] = {}
        self._memo: dict[TravelProfile, tuple[dict[tuple[float, float], int], np.ndarray]] = {}
        self._pairs: dict[
            tuple[TravelProfile, tuple[float, float], tuple[float, float]], float
        ] = {}

    # --- networks ---------------------------------------------------------------------------

    @cached_property
    def map_digest(self) -> str:
        return file_digest(self.map_file)

    @cached_property
    def _ways(self) -> WayEdges:
        try:
            return read_way_edges(self.map_file)
        except Exception as exc:  # osmnx/xml raise many kinds on a damaged or foreign file
            raise MapError(
                [Problem(str(self.map_file), f"cannot read as OSM XML: {exc}")]
            ) from None

    def network(self, mode: TravelMode) -> RoadNetwork:
        """The road graph of ``mode``, from the disk cache when the same map was built before."""
        if mode not in self._networks:
            key = cache_key("road-network", self.map_digest, mode.value)
            stored = self.cache.load("networks", key)
            if stored is not None:
                network = RoadNetwork(mode=mode, **stored)
            else:
                network = build_network(self._ways, mode, source=str(self.map_file))
                self.cache.store("networks", key, network.arrays())
            self._networks[mode] = network
        return self._networks[mode]

    def _snapper(self, mode: TravelMode) -> _Snapper:
        if mode not in self._snappers:
            self._snappers[mode] = _Snapper(self.network(mode))
        return self._snappers[mode]

    def snap(self, locations: Sequence[Location], mode: TravelMode) -> list[Snap]:
        lat, lon = geographic(locations)
        return self._snapper(mode).snap(lat, lon)

    # --- the TravelModel protocol -----------------------------------------------------------

    def durations_s(self, locations: Sequence[Location], profile: TravelProfile) -> np.ndarray:
        seconds, _ = self._matrices(locations, profile, with_metres=False)
        return np.ceil(seconds - 1e-6).astype(np.int64)

    def distances_m(self, locations: Sequence[Location], profile: TravelProfile) -> np.ndarray:
        return self.matrices(locations, profile)[1]

    def duration_s(self, origin: Location, destination: Location, profile: TravelProfile) -> float:
        a, b = _coords(origin), _coords(destination)
        if a == b:
            return 0.0
        known = self._memo.get(_speed_free(profile))
        if known is not None and a in known[0] and b in known[0]:
            return float(known[1][known[0][a], known[0][b]])
        pair = (_speed_free(profile), a, b)
        if pair not in self._pairs:
            seconds, _ = self._compute([origin, destination], profile, warn=False, metres=False)
            self._pairs[pair] = float(seconds[0, 1])
        return self._pairs[pair]

    # --- matrices ---------------------------------------------------------------------------

    def matrices(
        self, locations: Sequence[Location], profile: TravelProfile
    ) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, metres) between every pair of ``locations``, unrounded."""
        seconds, metres = self._matrices(locations, profile, with_metres=True)
        assert metres is not None
        return seconds, metres

    def _matrices(
        self, locations: Sequence[Location], profile: TravelProfile, *, with_metres: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Seconds, and metres when asked: summing path lengths costs more than the times
        themselves, and the optimiser only needs times. Each is cached on its own."""
        profile = _speed_free(profile)
        coords = [_coords(p) for p in locations]
        position = {c: i for i, c in enumerate(dict.fromkeys(coords))}
        unique = list(position)
        where = np.fromiter((position[c] for c in coords), dtype=np.int64, count=len(coords))
        parts = (
            self.map_digest,
            profile.mode.value,
            profile.speed_kph,
            self.walk_speed_kph,
            unique,
        )
        seconds_key, metres_key = (
            cache_key("road-seconds", *parts),
            cache_key("road-metres", *parts),
        )
        stored_s = self.cache.load("matrices", seconds_key)
        stored_m = self.cache.load("matrices", metres_key) if with_metres else None
        if stored_s is None or (with_metres and stored_m is None):
            places = [Location(lat=lat, lon=lon) for lat, lon in unique]
            seconds, metres = self._compute(places, profile, warn=True, metres=with_metres)
            self.cache.store("matrices", seconds_key, {"seconds": seconds})
            if metres is not None:
                self.cache.store("matrices", metres_key, {"metres": metres})
        else:
            seconds = stored_s["seconds"]
            metres = stored_m["metres"] if stored_m is not None else None
        self._memo[profile] = (position, seconds)
        grid = np.ix_(where, where)
        return seconds[grid], (metres[grid] if metres is not None else None)

    def _compute(
        self, places: Sequence[Location], profile: TravelProfile, *, warn: bool, metres: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        n = len(places)
        if n == 0:
            return np.zeros((0, 0)), (np.zeros((0, 0)) if metres else None)
        network = self.network(profile.mode)
        snaps = self.snap(places, profile.mode)
        if warn:
            _warn_about_snaps(snaps, profile.mode)
        walk_mps = self.walk_speed_kph / 3.6
        graph, lengths = _augmented_graph(network, network.edge_seconds(profile), snaps, walk_mps)
        seconds, path_m = _shortest_paths(graph, lengths if metres else None, network.n_nodes, n)
        np.fill_diagonal(seconds, 0.0)
        if path_m is not None:
            np.fill_diagonal(path_m, 0.0)
        if not np.isfinite(seconds).all():  # cannot happen: all snaps are on one strong piece
            raise SolverError("a location cannot be reached on the road network")
        return seconds, path_m


def _coords(location: Location) -> tuple[float, float]:
    lat, lon = location.key
    return (round(lat, 7), round(lon, 7))


def _speed_free(profile: TravelProfile) -> TravelProfile:
    """Car times come from the ways, so every driving profile shares one matrix."""
    if profile.mode is TravelMode.DRIVE:
        return TravelProfile(TravelMode.DRIVE, 0.0)
    return profile


def _warn_about_snaps(snaps: Sequence[Snap], mode: TravelMode) -> None:
    far = [s.walk_m for s in snaps if s.walk_m > SNAP_WARNING_M]
    cut_off = sum(s.disconnected for s in snaps)
    if far:
        warnings.warn(
            f"{len(far)} location(s) are more than {SNAP_WARNING_M:.0f} m from a road usable by "
            f"{mode.value} (farthest {max(far):.0f} m); check their coordinates or address",
            TravelWarning,
            stacklevel=3,
        )
    if cut_off:
        warnings.warn(
            f"{cut_off} location(s) lie nearest to a road piece not connected to the rest of the "
            f"{mode.value} network (a dead-end one-way or access-restricted road); they were "
            "joined to the nearest connected road instead",
            TravelWarning,
            stacklevel=3,
        )


def _augmented_graph(
    network: RoadNetwork, edge_s: np.ndarray, snaps: Sequence[Snap], walk_mps: float
) -> tuple[csr_matrix, csr_matrix]:
    """The road graph plus one node per location (index ``n_nodes + k``): time and length."""
    n_road = network.n_nodes
    edge_index = {
        (int(u), int(v)): i
        for i, (u, v) in enumerate(zip(network.edge_from, network.edge_to, strict=True))
    }
    rows: list[int] = []
    cols: list[int] = []
    secs: list[float] = []
    metres: list[float] = []

    def add(u: int, v: int, s: float, m: float) -> None:
        rows.append(u)
        cols.append(v)
        secs.append(s)
        metres.append(m)

    by_segment: dict[tuple[int, int], list[int]] = {}
    for k, snap in enumerate(snaps):
        me, walk_s = n_road + k, snap.walk_m / walk_mps
        by_segment.setdefault((snap.a, snap.b), []).append(k)
        forward, backward = edge_index.get((snap.a, snap.b)), edge_index.get((snap.b, snap.a))
        if forward is not None:  # a -> me -> b
            s, m = edge_s[forward], network.length_m[forward]
            add(snap.a, me, snap.t * s + walk_s, snap.t * m + snap.walk_m)
            add(me, snap.b, (1 - snap.t) * s + walk_s, (1 - snap.t) * m + snap.walk_m)
        if backward is not None:  # b -> me -> a
            s, m = edge_s[backward], network.length_m[backward]
            add(snap.b, me, (1 - snap.t) * s + walk_s, (1 - snap.t) * m + snap.walk_m)
            add(me, snap.a, snap.t * s + walk_s, snap.t * m + snap.walk_m)
        # A door at a junction joins it in both directions, whatever the segment's one-way.
        segment_m = float(network.length_m[forward if forward is not None else backward])
        for node, along_m in ((snap.a, snap.t * segment_m), (snap.b, (1 - snap.t) * segment_m)):
            if along_m < AT_NODE_M:
                add(node, me, walk_s, snap.walk_m + along_m)
                add(me, node, walk_s, snap.walk_m + along_m)
    for (a, b), members in by_segment.items():  # neighbours on one segment: no detour via a or b
        forward, backward = edge_index.get((a, b)), edge_index.get((b, a))
        for i in members:
            for j in members:
                si, sj = snaps[i], snaps[j]
                walk_s = (si.walk_m + sj.walk_m) / walk_mps
                walk_m = si.walk_m + sj.walk_m
                if i == j:
                    continue
                if forward is not None and si.t <= sj.t:
                    d = sj.t - si.t
                    add(n_road + i, n_road + j, d * edge_s[forward] + walk_s,
                        d * network.length_m[forward] + walk_m)  # fmt: skip
                if backward is not None and si.t >= sj.t:
                    d = si.t - sj.t
                    add(n_road + i, n_road + j, d * edge_s[backward] + walk_s,
                        d * network.length_m[backward] + walk_m)  # fmt: skip

    u = np.concatenate([network.edge_from, np.asarray(rows, dtype=np.int64)])
    v = np.concatenate([network.edge_to, np.asarray(cols, dtype=np.int64)])
    s = np.maximum(np.concatenate([edge_s, np.asarray(secs)]), MIN_EDGE_S)
    m = np.concatenate([network.length_m, np.asarray(metres)])
    # Keep the fastest of parallel entries (csr_matrix would add them up).
    order = np.lexsort((s, v, u))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (np.diff(u[order]) != 0) | (np.diff(v[order]) != 0)
    pick = order[first]
    size = n_road + len(snaps)
    times = csr_matrix((s[pick], (u[pick], v[pick])), shape=(size, size))
    lengths = csr_matrix((m[pick], (u[pick], v[pick])), shape=(size, size))
    return times, lengths


def _shortest_paths(
    times: csr_matrix, lengths: csr_matrix | None, n_road: int, n_places: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """Fastest times between the location nodes, and (given ``lengths``) the length of each
    fastest path."""
    size = times.shape[0]
    places = np.arange(n_road, n_road + n_places)
    seconds = np.empty((n_places, n_places))
    metres = np.empty((n_places, n_places)) if lengths is not None else None
    if lengths is not None:  # length of the edge into each node from its predecessor, by key
        coo = lengths.tocoo()
        keys = coo.row.astype(np.int64) * size + coo.col
        order = np.argsort(keys)
        sorted_keys, sorted_len = keys[order], coo.data[order]
    block = max(1, _SOURCE_BLOCK_CELLS // size)
    for start in range(0, n_places, block):
        rows = slice(start, start + block)
        sources = places[rows]
        if metres is None:
            seconds[rows] = dijkstra(times, directed=True, indices=sources)[:, places]
            continue
        dist, pred = dijkstra(times, directed=True, indices=sources, return_predecessors=True)
        seconds[rows] = dist[:, places]
        metres[rows] = _path_lengths(pred, sorted_keys, sorted_len, size)[:, places]
    return seconds, metres


def _path_lengths(
    pred: np.ndarray, sorted_keys: np.ndarray, sorted_len: np.ndarray, size: int
) -> np.ndarray:
    """Length from each row's source to every node along the predecessor tree, by pointer
    jumping: after step i every node knows its distance to its 2^i-th ancestor."""
    nodes = np.arange(size, dtype=np.int64)
    has_pred = pred >= 0
    keys = np.where(has_pred, pred.astype(np.int64) * size + nodes, 0)
    found = np.clip(np.searchsorted(sorted_keys, keys), 0, len(sorted_keys) - 1)
    length = np.where(has_pred, sorted_len[found], 0.0)
    ancestor = np.where(has_pred, pred, -1).astype(np.int64)
    while (ancestor >= 0).any():
        valid = ancestor >= 0
        safe = np.where(valid, ancestor, 0)
        length = np.where(valid, length + np.take_along_axis(length, safe, axis=1), length)
        ancestor = np.where(valid, np.take_along_axis(ancestor, safe, axis=1), ancestor)
    return length
