"""Offline geocoding against the ``addr:*`` tags of the same OSM extract the roads come from."""

from __future__ import annotations

import difflib
from collections import defaultdict
from functools import cached_property
from pathlib import Path

import numpy as np

from scheduler.errors import MapError, Problem
from scheduler.geocode.base import Resolved, normalise, normalise_number, parse_address
from scheduler.travel.cache import ArrayCache, cache_key, default_cache_dir, file_digest
from scheduler.travel.osm_extract import AddressedPlace, read_addressed_places

_FIELDS = ("street", "housenumber", "postcode", "city")


class OsmAddressBook:
    """Every addressed building or node of a map, looked up by street and house number.

    A postcode or city in the query must agree with the map's when the map has one; the same
    street and number in two towns without a postcode or city in the query is ambiguous and
    resolves to nothing (the error then lists both).
    """

    def __init__(self, map_file: str | Path, *, cache_dir: Path | str | None = "default"):
        self.map_file = Path(map_file)
        if not self.map_file.is_file():
            raise MapError([Problem(str(self.map_file), "no such file")])
        directory = default_cache_dir() if cache_dir == "default" else cache_dir
        self._cache = ArrayCache(Path(directory) if directory is not None else None)

    @cached_property
    def places(self) -> list[AddressedPlace]:
        key = cache_key("addresses", file_digest(self.map_file))
        stored = self._cache.load("addresses", key)
        if stored is not None:
            return [
                AddressedPlace(
                    street=str(street),
                    housenumber=str(number),
                    postcode=str(postcode),
                    city=str(city),
                    lat=float(lat),
                    lon=float(lon),
                )
                for street, number, postcode, city, (lat, lon) in zip(
                    *(stored[f] for f in _FIELDS), stored["lat_lon"], strict=True
                )
            ]
        try:
            places = read_addressed_places(self.map_file)
        except Exception as exc:  # osmnx/xml raise many kinds on a damaged or foreign file
            raise MapError(
                [Problem(str(self.map_file), f"cannot read as OSM XML: {exc}")]
            ) from None
        arrays = {f: np.array([getattr(p, f) for p in places], dtype=str) for f in _FIELDS}
        arrays["lat_lon"] = np.array([(p.lat, p.lon) for p in places], dtype=np.float64)
        self._cache.store("addresses", key, arrays)
        return places

    @cached_property
    def _index(self) -> dict[tuple[str, str], list[AddressedPlace]]:
        index: dict[tuple[str, str], list[AddressedPlace]] = defaultdict(list)
        for place in self.places:
            index[(normalise(place.street), normalise_number(place.housenumber))].append(place)
        return dict(index)

    @cached_property
    def _labels(self) -> dict[str, str]:
        return {normalise(_label(p)): _label(p) for p in self.places}

    def resolve(self, line: str) -> Resolved | None:
        address = parse_address(line)
        if address is None:
            return None
        found = self._index.get((normalise(address.street), normalise_number(address.housenumber)))
        if not found:
            return None
        if address.postcode:
            found = [p for p in found if not p.postcode or p.postcode == address.postcode]
        if address.city:
            city = normalise(address.city)
            found = [p for p in found if not p.city or normalise(p.city) == city]
        towns = {(p.postcode, normalise(p.city)) for p in found if p.postcode or p.city}
        if not found or len(towns) > 1:
            return None
        place = max(found, key=lambda p: bool(p.postcode or p.city))
        return Resolved(lat=place.lat, lon=place.lon, label=_label(place))

    def closest(self, line: str, count: int = 3) -> list[str]:
        keys = difflib.get_close_matches(normalise(line), list(self._labels), n=count, cutoff=0.5)
        return [self._labels[k] for k in keys]


def _label(place: AddressedPlace) -> str:
    town = " ".join(p for p in (place.postcode, place.city) if p)
    return f"{place.street} {place.housenumber}" + (f", {town}" if town else "")
