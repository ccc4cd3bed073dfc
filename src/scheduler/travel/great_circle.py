"""Great-circle travel: distance on the sphere x detour factor / speed.

The matrix is vectorised with numpy (haversine on geopy's mean Earth radius); single pairs use
geopy's own ``great_circle``, so the two paths check each other (see tests/travel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from geopy.distance import EARTH_RADIUS, great_circle

from scheduler.domain.model import Location
from scheduler.travel.base import TravelProfile, geographic

EARTH_RADIUS_M = EARTH_RADIUS * 1000.0


def distances_m(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """All-pairs great-circle distances in metres (haversine form, stable for short hops)."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = (
        np.sin(dlat / 2.0) ** 2
        + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2.0) ** 2
    )
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@dataclass(frozen=True)
class GreatCircleTravel:
    detour_factor: float = 1.3

    def durations_s(self, locations: Sequence[Location], profile: TravelProfile) -> np.ndarray:
        lat, lon = geographic(locations)
        seconds = distances_m(lat, lon) * self.detour_factor / (profile.speed_kph / 3.6)
        # Round up, with a guard against float noise turning an exact 600.0 into 601.
        return np.ceil(seconds - 1e-6).astype(np.int64)

    def duration_s(self, origin: Location, destination: Location, profile: TravelProfile) -> float:
        (lat0, lat1), (lon0, lon1) = geographic([origin, destination])
        metres = great_circle((lat0, lon0), (lat1, lon1)).meters
        return float(metres) * self.detour_factor / (profile.speed_kph / 3.6)
