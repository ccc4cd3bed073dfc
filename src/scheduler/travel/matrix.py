"""Travel read from given matrices: seconds between known places, one matrix per profile or
per travel mode.

A part of a decomposed day (``scheduler.scale``) travels to its worker with the travel times
between its own places computed once by the day's travel model, so a worker needs neither the
map nor the day's whole matrix. A scenario with travel model ``matrix`` travels on the matrices
its files give, one per mode, whatever a caregiver's speed (``api.travel_model_for`` reads them
through ``io/matrix_files.py``). Plain data: it pickles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from scheduler.domain.model import Location, TravelMode
from scheduler.travel.base import TravelModel, TravelProfile


@dataclass(frozen=True)
class MatrixTravel:
    """Seconds between the places ``keys`` (``Location.key``), per travel profile, or per travel
    mode for every speed on it."""

    keys: tuple[tuple[float, float], ...]
    seconds: dict[TravelProfile, np.ndarray] | dict[TravelMode, np.ndarray]
    _index: dict[tuple[float, float], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {key: i for i, key in enumerate(self.keys)})

    @classmethod
    def of(
        cls, travel: TravelModel, places: Sequence[Location], profiles: Sequence[TravelProfile]
    ) -> MatrixTravel:
        """The matrices of ``travel`` between ``places`` (one per distinct place)."""
        unique = list({place.key: place for place in places}.values())
        return cls(
            keys=tuple(place.key for place in unique),
            seconds={p: np.asarray(travel.durations_s(unique, p)) for p in profiles},
        )

    def _rows(self, locations: Sequence[Location]) -> list[int]:
        try:
            return [self._index[place.key] for place in locations]
        except KeyError as missing:
            raise ValueError(f"no travel times for the place {missing.args[0]}") from None

    def _matrix(self, profile: TravelProfile) -> np.ndarray:
        seconds: dict[object, np.ndarray] = self.seconds  # type: ignore[assignment]
        found = seconds.get(profile, seconds.get(profile.mode))
        if found is None:
            raise ValueError(f"no travel times for the profile {profile}")
        return found

    def durations_s(self, locations: Sequence[Location], profile: TravelProfile) -> np.ndarray:
        rows = self._rows(locations)
        block = self._matrix(profile)[np.ix_(rows, rows)]
        return np.ceil(block - 1e-6).astype(np.int64)  # rounded up, as the protocol says

    def duration_s(self, origin: Location, destination: Location, profile: TravelProfile) -> float:
        i, j = self._rows([origin, destination])
        return float(self._matrix(profile)[i, j])
