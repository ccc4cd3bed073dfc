"""Which ways each mode may use, in which direction, at what speed (travel/ways.py)."""

from __future__ import annotations

import pytest

from scheduler.domain.model import TravelMode
from scheduler.travel.ways import both_ways, car_speed_kph, parse_maxspeed_kph, usable_by

DRIVE, BICYCLE, WALK = TravelMode.DRIVE, TravelMode.BICYCLE, TravelMode.WALK


@pytest.mark.parametrize(
    "tags",
    [
        {"building": "house"},
        {"landuse": "residential"},
        {"power": "line"},
        {"waterway": "river"},
        {"highway": "pedestrian", "area": "yes"},
    ],
    ids=["building", "landuse", "power-line", "river", "pedestrian-area"],
)
@pytest.mark.parametrize("mode", list(TravelMode))
def test_ways_without_a_travelled_highway_are_never_used(tags: dict, mode: TravelMode) -> None:
    assert not usable_by(tags, mode)


@pytest.mark.parametrize(
    ("tags", "drive", "bicycle", "walk"),
    [
        ({"highway": "residential"}, True, True, True),
        ({"highway": "motorway"}, True, False, False),
        ({"highway": "footway"}, False, False, True),
        ({"highway": "footway", "bicycle": "yes"}, False, True, True),
        ({"highway": "cycleway"}, False, True, False),
        ({"highway": "track"}, False, True, True),
        ({"highway": "steps"}, False, False, True),
        ({"highway": "residential", "access": "private"}, False, False, False),
        ({"highway": "residential", "access": "destination"}, True, True, True),
        ({"highway": "residential", "motor_vehicle": "no"}, False, True, True),
        ({"highway": "service", "access": "no", "foot": "yes"}, False, False, True),
        ({"highway": "service", "service": "emergency_access"}, False, True, True),
        ({"highway": "primary", "bicycle": "no", "foot": "no"}, True, False, False),
    ],
)
def test_who_may_use_which_highway(tags: dict, drive: bool, bicycle: bool, walk: bool) -> None:
    assert (usable_by(tags, DRIVE), usable_by(tags, BICYCLE), usable_by(tags, WALK)) == (
        drive,
        bicycle,
        walk,
    )


def test_one_way_streets_bind_cars_and_cyclists_but_not_walkers() -> None:
    tags = {"highway": "residential"}
    assert not both_ways(tags, DRIVE, oneway_for_cars=True)
    assert not both_ways(tags, BICYCLE, oneway_for_cars=True)
    assert both_ways(tags, WALK, oneway_for_cars=True)
    assert both_ways(tags, DRIVE, oneway_for_cars=False)


@pytest.mark.parametrize(
    "tags",
    [{"oneway:bicycle": "no"}, {"cycleway": "opposite"}, {"cycleway:left": "opposite_lane"}],
)
def test_signed_contraflow_lets_cyclists_ride_against_a_one_way(tags: dict) -> None:
    assert both_ways({"highway": "residential", **tags}, BICYCLE, oneway_for_cars=True)
    assert not both_ways({"highway": "residential", **tags}, DRIVE, oneway_for_cars=True)


@pytest.mark.parametrize(
    ("text", "kph"),
    [
        ("50", 50.0),
        ("30 mph", 30 * 1.609344),
        ("100 km/h", 100.0),
        ("none", 130.0),
        ("walk", 7.0),
        ("DE:urban", 50.0),
        ("DE:rural", 100.0),
        ("FR:rural", 80.0),
        ("DE:zone30", 30.0),
        ("DE:zone:30", 30.0),
        ("DE:living_street", 7.0),
        ("XX:urban", 50.0),  # an unknown country takes the generic implicit limits
        ("50;70", 50.0),  # a list: the lowest binds
        ("30|50", 30.0),
        ("signals", None),
        ("", None),
        (None, None),
        ("0", None),
    ],
)
def test_maxspeed_tags_as_found_in_the_wild(text: str | None, kph: float | None) -> None:
    result = parse_maxspeed_kph(text)
    assert result == pytest.approx(kph) if kph is not None else result is None


def test_car_speed_is_eight_tenths_of_the_limit_or_the_type_default() -> None:
    assert car_speed_kph({"highway": "residential", "maxspeed": "50"}) == pytest.approx(40.0)
    assert car_speed_kph({"highway": "residential"}) == 25.0
    assert car_speed_kph({"highway": "primary", "maxspeed": "signals"}) == 65.0
    assert car_speed_kph({"highway": "unknown_type"}) == 25.0
