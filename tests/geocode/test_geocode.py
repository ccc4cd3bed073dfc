"""Offline geocoding from the map's addr:* tags, and the optional geopy backend (a stand-in)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from scheduler.geocode import Address, GeopyGeocoder, OsmAddressBook, parse_address
from scheduler.geocode.base import normalise

MAPS = Path(__file__).parents[1] / "data" / "maps"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Wiesenstraße 8, 95463 Bindlach", Address("Wiesenstraße", "8", "95463", "Bindlach")),
        ("Am Bühl 12 a, Bindlach", Address("Am Bühl", "12 a", "", "Bindlach")),
        ("Lindenstr. 7a", Address("Lindenstr.", "7a")),
        (
            "St.-Georgen-Straße 16, 95463 Bindlach",
            Address("St.-Georgen-Straße", "16", "95463", "Bindlach"),
        ),
        ("1200 Market St, Oakland, CA 94607", Address("Market St", "1200", "94607", "Oakland")),
        (
            "Calle 5 de Mayo 301, 20000 Aguascalientes",
            Address("Calle 5 de Mayo", "301", "20000", "Aguascalientes"),
        ),
    ],
)
def test_address_lines_split_into_parts(line: str, expected: Address) -> None:
    assert parse_address(line) == expected


def test_a_line_without_a_house_number_is_not_an_address() -> None:
    assert parse_address("Marktplatz, Bindlach") is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bahnhofstr.", "Bahnhofstraße"),
        ("Bahnhofstrasse", "Bahnhofstraße"),
        ("Adam Weber Weg", "Adam-Weber-Weg"),
        ("Market St", "market street"),
    ],
)
def test_spellings_of_one_street_compare_equal(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_saint_is_not_a_street() -> None:
    assert normalise("St. Georgen-Straße") != normalise("Street Georgen-Straße")
    assert normalise("St. Georgen-Straße") == normalise("St.-Georgen-Str.")


@pytest.fixture()
def town(tmp_path: Path) -> OsmAddressBook:
    return OsmAddressBook(MAPS / "tiny_town.osm", cache_dir=tmp_path)


def test_buildings_and_nodes_resolve_to_their_place(town: OsmAddressBook) -> None:
    building = town.resolve("Lindenstraße 5, 95463 Bindlach")
    assert building is not None  # the building's centroid: between nodes 2 and 5
    assert building.lat == pytest.approx(50.00045, abs=1e-6)
    assert building.lon == pytest.approx(11.5013951, abs=1e-6)
    entrance = town.resolve("lindenstr. 7 A")
    assert entrance is not None and entrance.label == "Lindenstraße 7a, 95463 Bindlach"
    assert entrance.lat == pytest.approx(50.00108)


def test_postcode_and_city_must_agree(town: OsmAddressBook) -> None:
    assert town.resolve("Lindenstraße 5, 95444 Bindlach") is None
    assert town.resolve("Lindenstraße 5, Bayreuth") is None
    assert town.resolve("Lindenstraße 5, 95463") is not None


def test_one_street_and_number_in_two_towns_needs_the_town(town: OsmAddressBook) -> None:
    assert town.resolve("Hauptstraße 1") is None
    bayreuth = town.resolve("Hauptstraße 1, 95444 Bayreuth")
    bindlach = town.resolve("Hauptstraße 1, Bindlach")
    assert bayreuth is not None and bindlach is not None and bayreuth.lon > bindlach.lon


def test_unknown_addresses_get_the_closest_known_ones(town: OsmAddressBook) -> None:
    assert town.resolve("Lindenstraße 9, 95463 Bindlach") is None
    closest = town.closest("Lindenstraße 9, 95463 Bindlach")
    assert set(closest[:2]) == {"Lindenstraße 5, 95463 Bindlach", "Lindenstraße 7a, 95463 Bindlach"}


def test_address_book_is_cached_by_map_content(tmp_path: Path) -> None:
    first = OsmAddressBook(MAPS / "tiny_town.osm", cache_dir=tmp_path).places
    assert list((tmp_path / "addresses").glob("*.npz"))
    again = OsmAddressBook(MAPS / "tiny_town.osm", cache_dir=tmp_path).places
    assert again == first and len(first) == 4


def test_a_real_extract_with_messy_addresses(tmp_path: Path) -> None:
    book = OsmAddressBook(MAPS / "aguascalientes.osm.bz2", cache_dir=tmp_path)
    assert len(book.places) > 400
    known = next(p for p in book.places if p.housenumber.isdigit() and "," not in p.street)
    found = book.resolve(f"{known.street} {known.housenumber}, {known.postcode}")
    assert found is not None and found.lat == pytest.approx(known.lat)


@dataclass
class _Answer:
    latitude: float
    longitude: float
    address: str


class _StandIn:
    """Plays a geopy geocoder (``geocode(query)``); counts calls instead of going online."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def geocode(self, query: str) -> _Answer | None:
        self.calls.append(query)
        return _Answer(50.0, 11.5, "Somewhere 1") if "Somewhere" in query else None


def test_geopy_backend_asks_once_per_address_and_keeps_answers(tmp_path: Path) -> None:
    service, cache = _StandIn(), tmp_path / "answers.json"
    geocoder = GeopyGeocoder(service, cache_file=cache)
    assert geocoder.resolve("Somewhere  1") is not None
    assert geocoder.resolve("Somewhere 1") is not None
    assert geocoder.resolve("Nowhere 2") is None
    assert service.calls == ["Somewhere 1", "Nowhere 2"]
    reloaded = GeopyGeocoder(_StandIn(), cache_file=cache)
    found = reloaded.resolve("Somewhere 1")
    assert found is not None and found.lat == 50.0


def test_a_damaged_geocoder_cache_is_reported_and_started_afresh(tmp_path: Path) -> None:
    cache = tmp_path / "answers.json"
    cache.write_bytes(b'{"Somewhere 1": [50.0, 11.')  # cut off by a crash
    service = _StandIn()
    with pytest.warns(UserWarning, match="geocoder cache .* is damaged"):
        geocoder = GeopyGeocoder(service, cache_file=cache)
    assert geocoder.resolve("Somewhere 1") is not None and service.calls == ["Somewhere 1"]
    assert "Somewhere 1" in json.loads(cache.read_text(encoding="utf-8"))
