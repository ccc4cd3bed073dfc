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
from scheduler.travel.base import TravelProfile

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
        lat = np.fromiter((p.lat for p in locations), dtype=np.float64, count=len(locations))
        lon = np.fromiter((p.lon for p in locations), dtype=np.float64, count=len(locations))
        seconds = distances_m(lat, lon) * self.detour_factor / (profile.speed_kph / 3.6)
        # Round up, with a guard against float noise turning an exact 600.0 into 601.
        return np.ceil(seconds - 1e-6).astype(np.int64)

    def duration_s(self, origin: Location, destination: Location, profile: TravelProfile) -> float:
        metres = great_circle((origin.lat, origin.lon), (destination.lat, destination.lon)).meters
        return float(metres) * self.detour_factor / (profile.speed_kph / 3.6)
