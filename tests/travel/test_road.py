"""Road travel on hand-made and real OSM extracts (travel/road.py); never the network.

The hand-made town (tests/data/maps/README.md) has 100 m blocks; expected times are derived in
the comments from its lengths: cars 40 km/h on Hauptstraße (0.8 x maxspeed 50), 25 km/h on the
other residential streets; the door-to-road walk of 10 m at each end at 4.5 km/h (16 s in all).
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from geopy.distance import great_circle

from scheduler.domain.model import Location, TravelMode
from scheduler.errors import MapError, TravelWarning
from scheduler.travel.base import TravelProfile
from scheduler.travel.road import RoadTravel

MAPS = Path(__file__).parents[1] / "data" / "maps"
TOWN = MAPS / "tiny_town.osm"
DRIVE = TravelProfile(TravelMode.DRIVE, 30.0)
BICYCLE = TravelProfile(TravelMode.BICYCLE, 15.0)
WALK = TravelProfile(TravelMode.WALK, 4.5)
DLAT, DLON = 0.0009, 0.0013951  # one grid unit (about 100 m) in degrees
DOOR_M = 10.0
DOOR_S = 2 * DOOR_M / (4.5 / 3.6)  # 16 s: out of one door, into the other


def at(x: float, y: float) -> Location:
    """A door at grid position (x, y); y = -0.1 / 1.1 is 10 m off the bottom / top street."""
    return Location(lat=50.0 + y * DLAT, lon=11.5 + x * DLON)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle(
        (50.0 + a[1] * DLAT, 11.5 + a[0] * DLON), (50.0 + b[1] * DLAT, 11.5 + b[0] * DLON)
    ).meters


def kph(speed: float) -> float:
    return speed / 3.6


UNIT_X = metres((0, 0), (1, 0))  # one block east-west
UNIT_Y = metres((0, 0), (0, 1))  # one block north-south
P, Q = at(1.75, -0.1), at(1.75, 1.1)  # near the east end of the bottom / top street


@pytest.fixture()
def town(tmp_path: Path) -> RoadTravel:
    return RoadTravel(TOWN, cache_dir=tmp_path / "cache")


def test_one_way_street_is_driven_only_its_way(town: RoadTravel) -> None:
    seconds = town.matrices([P, Q], DRIVE)[0]
    # P -> Q: 25 m east at 40, up the one-way 3 -> 6 at 25, 25 m west at 25, plus the doors.
    there = 0.25 * UNIT_X / kph(40) + UNIT_Y / kph(25) + 0.25 * UNIT_X / kph(25) + DOOR_S
    # Q -> P: all the way round: 5 -> 4 -> 1 at 25, 1 -> 2 -> P at 40 (never the building 2-5,
    # never the river 1-6, never the footway 8-9).
    back = (1.75 * UNIT_X + UNIT_Y) / kph(25) + 1.75 * UNIT_X / kph(40) + DOOR_S
    assert seconds[0, 1] == pytest.approx(there, rel=2e-3)
    assert seconds[1, 0] == pytest.approx(back, rel=2e-3)


def test_walkers_ignore_one_ways_and_take_footways(town: RoadTravel) -> None:
    seconds = town.matrices([P, Q], WALK)[0]
    walk = (0.5 * UNIT_X + UNIT_Y) / kph(4.5) + DOOR_S  # either way along the one-way street
    assert seconds[0, 1] == pytest.approx(walk, rel=2e-3)
    assert seconds[1, 0] == pytest.approx(walk, rel=2e-3)
    s, t = at(0.45, -0.1), at(0.45, 1.1)  # either side of the footway 8-9
    on_foot = town.matrices([s, t], WALK)[0][0, 1]
    assert on_foot == pytest.approx((0.1 * UNIT_X + UNIT_Y) / kph(4.5) + DOOR_S, rel=2e-3)
    by_car = town.matrices([s, t], DRIVE)[0][0, 1]  # round by the Westring
    car = 0.45 * UNIT_X / kph(40) + (UNIT_Y + 0.45 * UNIT_X) / kph(25) + DOOR_S
    assert by_car == pytest.approx(car, rel=2e-3)


def test_cyclists_keep_to_one_ways_at_their_own_pace(town: RoadTravel) -> None:
    seconds = town.matrices([P, Q], BICYCLE)[0]
    assert seconds[0, 1] == pytest.approx((0.5 * UNIT_X + UNIT_Y) / kph(15) + DOOR_S, rel=2e-3)
    assert seconds[1, 0] > seconds[0, 1] * 2


def test_neighbours_on_one_segment_travel_directly(town: RoadTravel) -> None:
    a, b = at(1.25, -0.1), P  # both between nodes 2 and 3
    seconds, distance = town.matrices([a, b], DRIVE)
    assert seconds[0, 1] == pytest.approx(0.5 * UNIT_X / kph(40) + DOOR_S, rel=2e-3)
    assert seconds[1, 0] == pytest.approx(seconds[0, 1], rel=1e-9)
    assert distance[0, 1] == pytest.approx(0.5 * UNIT_X + 2 * DOOR_M, rel=2e-3)


def test_distances_follow_the_fastest_path(town: RoadTravel) -> None:
    distance = town.distances_m([P, Q], DRIVE)
    assert distance[0, 1] == pytest.approx(0.5 * UNIT_X + UNIT_Y + 2 * DOOR_M, rel=2e-3)
    assert distance[1, 0] == pytest.approx(3.5 * UNIT_X + UNIT_Y + 2 * DOOR_M, rel=2e-3)


def test_durations_round_up_and_agree_with_single_pairs(town: RoadTravel) -> None:
    places = [P, Q, at(0.45, -0.1), P]  # a repeated place costs nothing to reach
    whole = town.durations_s(places, DRIVE)
    assert whole.dtype == np.int64 and (np.diag(whole) == 0).all() and whole[0, 3] == 0
    fresh = RoadTravel(TOWN, cache_dir=None)  # no memo: the pair is computed on its own
    exact = fresh.duration_s(P, Q, DRIVE)
    assert whole[0, 1] == int(np.ceil(exact))


def test_a_door_near_a_cut_off_road_joins_the_network_with_a_warning(town: RoadTravel) -> None:
    cut_off = at(3.75, -0.05)  # 5 m from the service road 51-52, which leads nowhere
    with pytest.warns(TravelWarning, match="not connected") as caught:
        seconds = town.matrices([P, cut_off], DRIVE)[0]
    assert np.isfinite(seconds).all() and (seconds >= 0).all()
    assert all("50.0" not in str(w.message) for w in caught)  # no coordinates in messages
    # Joined at node 3, 175 m away on foot: 0.25 blocks by car, 175 m walk, 10 m walk.
    expected = 0.25 * UNIT_X / kph(40) + (metres((2, 0), (3.75, -0.05)) + DOOR_M) / kph(4.5)
    assert seconds[0, 1] == pytest.approx(expected, rel=5e-3)


def test_a_door_far_from_any_road_warns(town: RoadTravel) -> None:
    far = at(1.0, 4.0)  # 300 m north of Lindenstraße
    with pytest.warns(TravelWarning, match="more than 250 m"):
        town.matrices([P, far], DRIVE)


def test_built_networks_and_matrices_come_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = RoadTravel(TOWN, cache_dir=cache).matrices([P, Q], DRIVE)[0]
    assert list((cache / "networks").glob("*.npz")) and list((cache / "matrices").glob("*.npz"))

    def no_parsing(*_: object) -> None:
        raise AssertionError("the map was parsed again")

    monkeypatch.setattr("scheduler.travel.road.read_way_edges", no_parsing)
    again = RoadTravel(TOWN, cache_dir=cache)
    assert np.array_equal(again.matrices([P, Q], DRIVE)[0], first)
    assert again.matrices([P, at(0.45, -0.1)], DRIVE)[0][0, 1] > 0  # new places: network cached


def test_a_changed_map_never_reuses_a_stale_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    town = tmp_path / "town.osm"
    town.write_text(TOWN.read_text(encoding="utf-8"), encoding="utf-8")
    before = RoadTravel(town, cache_dir=cache).matrices([P, Q], DRIVE)[0]
    town.write_text(  # the same file name, a new limit on Hauptstraße
        TOWN.read_text(encoding="utf-8").replace('v="50"', 'v="30"'), encoding="utf-8"
    )
    after = RoadTravel(town, cache_dir=cache).matrices([P, Q], DRIVE)[0]
    assert after[1, 0] > before[1, 0]  # Hauptstraße is slower now
    slower_doors = RoadTravel(town, cache_dir=cache, walk_speed_kph=3.0).matrices([P, Q], DRIVE)[0]
    assert slower_doors[0, 1] > after[0, 1]  # a changed parameter: a new matrix


def test_a_missing_or_unreadable_map_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(MapError, match="no such file"):
        RoadTravel(tmp_path / "nowhere.osm")
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id=", encoding="utf-8")
    with pytest.raises(MapError, match="cannot read"):
        RoadTravel(broken, cache_dir=None).network(TravelMode.DRIVE)


def test_matrix_agrees_with_networkx_on_a_real_map(tmp_path: Path) -> None:
    """Doors exactly at junctions of Aguascalientes: times and lengths equal networkx's
    shortest paths on the same road graph (an independent algorithm)."""
    travel = RoadTravel(MAPS / "aguascalientes.osm.bz2", cache_dir=tmp_path)
    network = travel.network(TravelMode.DRIVE)
    edge_s = network.edge_seconds(DRIVE)
    graph = nx.DiGraph()
    for u, v, s, m in zip(
        network.edge_from, network.edge_to, edge_s, network.length_m, strict=True
    ):
        graph.add_edge(int(u), int(v), s=float(s), m=float(m))
    rng = np.random.default_rng(7)
    nodes = rng.choice(np.flatnonzero(network.main), size=12, replace=False)
    places = [Location(lat=network.node_lat[n], lon=network.node_lon[n]) for n in nodes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TravelWarning)
        seconds, distance = travel.matrices(places, DRIVE)
    for i, a in enumerate(nodes):
        lengths, paths = nx.single_source_dijkstra(graph, int(a), weight="s")
        for j, b in enumerate(nodes):
            path = paths[int(b)]
            path_m = sum(graph[x][y]["m"] for x, y in itertools.pairwise(path))
            assert seconds[i, j] == pytest.approx(lengths[int(b)], abs=1e-3)
            assert distance[i, j] == pytest.approx(path_m, abs=0.5)


def test_road_times_exceed_straight_line_times_at_the_same_speed(tmp_path: Path) -> None:
    travel = RoadTravel(MAPS / "aguascalientes.osm.bz2", cache_dir=tmp_path)
    rng = np.random.default_rng(3)
    places = [
        Location(lat=rng.uniform(21.864, 21.874), lon=rng.uniform(-102.279, -102.265))
        for _ in range(30)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TravelWarning)
        distance = travel.distances_m(places, WALK)
    for i, j in [(0, 1), (2, 17), (5, 29), (11, 3)]:
        straight = great_circle((places[i].lat, places[i].lon), (places[j].lat, places[j].lon))
        assert distance[i, j] >= straight.meters - 1.0


def test_every_mode_builds_on_the_small_real_extracts(tmp_path: Path) -> None:
    for name in ("West-Oakland.osm.bz2", "aguascalientes.osm.bz2"):
        travel = RoadTravel(MAPS / name, cache_dir=tmp_path)
        for mode in TravelMode:
            network = travel.network(mode)
            assert network.main.sum() > 10
            assert (network.length_m > 0).all() and (network.car_speed_kph > 0).all()
