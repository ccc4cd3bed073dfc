"""Planar travel: straight lines between (x_km, y_km) points at the caregiver's speed.

For instances defined on a plane, such as the Solomon, Gehring–Homberger and Mankowska
benchmarks (Euclidean distance, no detour). The matrix is numpy; single pairs use math.hypot, so
the two paths check each other (tests/travel).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scheduler.domain.model import Location
from scheduler.travel.base import TravelProfile


def _xy(location: Location) -> tuple[float, float]:
    if location.x_km is None or location.y_km is None:
        raise ValueError("planar travel needs x_km/y_km coordinates")
    return location.x_km, location.y_km


@dataclass(frozen=True)
class PlanarTravel:
    def distances_km(self, locations: Sequence[Location]) -> np.ndarray:
        xy = np.array([_xy(p) for p in locations], dtype=np.float64).reshape(-1, 2)
        return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))

    def durations_s(self, locations: Sequence[Location], profile: TravelProfile) -> np.ndarray:
        seconds = self.distances_km(locations) / profile.speed_kph * 3600.0
        return np.ceil(seconds - 1e-6).astype(np.int64)

    def duration_s(self, origin: Location, destination: Location, profile: TravelProfile) -> float:
        (x0, y0), (x1, y1) = _xy(origin), _xy(destination)
        return math.hypot(x1 - x0, y1 - y0) / profile.speed_kph * 3600.0
