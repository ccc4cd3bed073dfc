"""An online geocoder (any geopy geocoder, e.g. Nominatim) behind the same interface, optional.

Runs need no network unless a coordinator chooses this backend; answers are kept in a JSON file so
an address is looked up once. Tests pass a stand-in object with geopy's ``geocode`` method.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from scheduler.atomic import atomic_file
from scheduler.geocode.base import Resolved


class GeopyGeocoder:
    """Wraps a geopy geocoder instance (``geocode(query) -> geopy Location | None``)."""

    def __init__(self, geocoder: Any, *, cache_file: Path | None = None):
        self._geocoder = geocoder
        self._cache_file = cache_file
        self._answers: dict[str, list[float | str] | None] = {}
        if cache_file is not None and cache_file.exists():
            self._answers = _read_answers(cache_file)

    def resolve(self, line: str) -> Resolved | None:
        key = " ".join(line.split())
        if key not in self._answers:
            found = self._geocoder.geocode(key)
            self._answers[key] = (
                None if found is None else [found.latitude, found.longitude, found.address]
            )
            self._save()
        answer = self._answers[key]
        if answer is None:
            return None
        lat, lon, label = answer
        return Resolved(lat=float(lat), lon=float(lon), label=str(label))

    def closest(self, line: str, count: int = 3) -> list[str]:
        return []  # an online service does its own fuzzy matching

    def _save(self) -> None:
        if self._cache_file is None:
            return
        with atomic_file(self._cache_file) as handle:
            json.dump(self._answers, handle, ensure_ascii=False, indent=1)


def _read_answers(cache_file: Path) -> dict[str, list[float | str] | None]:
    """The cached answers; a damaged cache is reported and started afresh."""
    try:
        answers = json.loads(cache_file.read_text(encoding="utf-8"))
        if isinstance(answers, dict):
            return answers
    except (OSError, UnicodeDecodeError, ValueError):
        pass
    warnings.warn(f"geocoder cache {cache_file} is damaged; it is rebuilt", stacklevel=3)
    return {}
