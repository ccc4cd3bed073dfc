"""The travel interface: what the optimiser, the explainer and the validator ask of a travel model.

Great-circle travel is the default; road networks (a later model) implement the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scheduler.domain.model import Caregiver, Location, Settings, TravelMode


@dataclass(frozen=True, order=True)
class TravelProfile:
    """How one caregiver moves: the network to use (mode) and the speed on it."""

    mode: TravelMode
    speed_kph: float


def geographic(locations: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of ``locations``; a planar location here is a ValueError."""
    if any(p.lat is None or p.lon is None for p in locations):
        raise ValueError("this travel model needs lat/lon coordinates, not x_km/y_km")
    lat = np.fromiter((p.lat or 0.0 for p in locations), dtype=np.float64, count=len(locations))
    lon = np.fromiter((p.lon or 0.0 for p in locations), dtype=np.float64, count=len(locations))
    return lat, lon


def profile_of(caregiver: Caregiver, settings: Settings) -> TravelProfile:
    return TravelProfile(caregiver.travel_mode, settings.speed_kph(caregiver))


class TravelModel(Protocol):
    def durations_s(self, locations: Sequence[Location], profile: TravelProfile) -> np.ndarray:
        """Square int64 matrix of travel seconds (rounded up), zero on the diagonal."""
        ...

    def duration_s(self, origin: Location, destination: Location, profile: TravelProfile) -> float:
        """Travel seconds for one pair, unrounded: the validator's and explainer's question."""
        ...
