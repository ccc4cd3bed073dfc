from __future__ import annotations

import numpy as np
import pytest
from geopy.distance import great_circle

from scheduler import Location
from scheduler.travel import GreatCircleTravel, TravelProfile
from scheduler.travel.great_circle import distances_m

DRIVE = TravelProfile("drive", 30.0)  # type: ignore[arg-type]


def test_vectorised_distances_agree_with_geopy() -> None:
    rng = np.random.default_rng(0)
    lat, lon = rng.uniform(49.9, 50.1, 50), rng.uniform(11.4, 11.7, 50)
    matrix = distances_m(lat, lon)
    for i, j in [(0, 1), (3, 40), (10, 49), (7, 7)]:
        expected = great_circle((lat[i], lon[i]), (lat[j], lon[j])).meters
        assert abs(matrix[i, j] - expected) < 1e-3


def test_matrix_rounds_up_and_is_symmetric_with_zero_diagonal() -> None:
    travel = GreatCircleTravel(detour_factor=1.3)
    places = [Location(lat=50.0, lon=11.55), Location(lat=50.01, lon=11.55)]
    seconds = travel.durations_s(places, DRIVE)
    exact = travel.duration_s(places[0], places[1], DRIVE)
    assert seconds[0, 1] == seconds[1, 0] == int(np.ceil(exact))
    assert seconds[0, 0] == 0 and seconds.dtype == np.int64


def test_slower_mode_takes_longer() -> None:
    travel = GreatCircleTravel()
    a, b = Location(lat=50.0, lon=11.55), Location(lat=50.02, lon=11.55)
    walk = TravelProfile("walk", 4.5)  # type: ignore[arg-type]
    assert travel.duration_s(a, b, walk) > travel.duration_s(a, b, DRIVE) * 6


def test_two_thousand_locations_shape() -> None:
    rng = np.random.default_rng(1)
    places = [
        Location(lat=float(a), lon=float(b))
        for a, b in zip(rng.uniform(49.9, 50.1, 2000), rng.uniform(11.4, 11.7, 2000), strict=True)
    ]
    assert GreatCircleTravel().durations_s(places, DRIVE).shape == (2000, 2000)


def test_planar_travel_is_euclidean_at_the_profile_speed() -> None:
    from scheduler.travel.planar import PlanarTravel

    travel = PlanarTravel()
    a, b = Location(x_km=0.0, y_km=0.0), Location(x_km=3.0, y_km=4.0)
    at_60 = TravelProfile("drive", 60.0)  # type: ignore[arg-type]
    assert travel.duration_s(a, b, at_60) == pytest.approx(300.0)  # 5 km at 1 km/min
    seconds = travel.durations_s([a, b, a], at_60)
    assert seconds.tolist() == [[0, 300, 0], [300, 0, 300], [0, 300, 0]]
    with pytest.raises(ValueError, match="lat/lon"):
        GreatCircleTravel().durations_s([a, b], at_60)
    with pytest.raises(ValueError, match="x_km/y_km"):
        travel.durations_s([Location(lat=50.0, lon=11.0)], at_60)


@pytest.mark.parametrize(
    "fields",
    [{"lat": 1.0}, {"x_km": 1.0}, {"lat": 1.0, "lon": 2.0, "x_km": 1.0, "y_km": 2.0}, {}],
)
def test_a_location_has_one_complete_kind_of_coordinates(fields: dict) -> None:
    with pytest.raises(ValueError):
        Location(**fields)
