"""Addresses and the geocoder interface: an address line in, coordinates (or close matches) out.

A coordinator types addresses as she writes them on a letter, so one line is parsed into street,
house number, postcode and city. Two layouts are understood: European ``Wiesenstraße 8, 95463
Bindlach`` and North American ``1200 Market St, Oakland, CA 94607``. Matching compares normalised
parts (case, ß/ss, ``Str.``/``Straße``, ``St``/``Street``, hyphens, spaces in house numbers).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Address:
    street: str
    housenumber: str
    postcode: str = ""
    city: str = ""

    def __str__(self) -> str:
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return f"{self.street} {self.housenumber}" + (f", {place}" if place else "")


@dataclass(frozen=True)
class Resolved:
    lat: float
    lon: float
    label: str  # the address as the source knows it


class Geocoder(Protocol):
    def resolve(self, line: str) -> Resolved | None:
        """Coordinates of the address ``line``, or None when it is not known."""
        ...

    def closest(self, line: str, count: int = 3) -> list[str]:
        """Known addresses most like ``line``, best first (for the error message)."""
        ...


_EUROPEAN = re.compile(
    r"^(?P<street>.*?\D)\s*(?P<number>\d+\s*[a-z]?(?:\s*[-/]\s*\d+\s*[a-z]?)?)\s*"
    r"(?:,\s*(?P<postcode>\d{4,5})?\s*(?P<city>[^,\d][^,]*)?)?(?:,.*)?$",
    re.IGNORECASE,
)
_AMERICAN = re.compile(
    r"^(?P<number>\d+[a-z]?)\s+(?P<street>[^,]+?)\s*"
    r"(?:,\s*(?P<city>[^,]+?))?\s*(?:,\s*[A-Z]{2})?\s*(?P<postcode>\d{5})?(?:-\d{4})?\s*$",
    re.IGNORECASE,
)


def parse_address(line: str) -> Address | None:
    """Street, house number, postcode and city of one address line, or None if it has no
    house number."""
    text = " ".join(line.split())
    for pattern in (_AMERICAN, _EUROPEAN):
        match = pattern.match(text)
        if match and match.group("street").strip(" ,"):
            return Address(
                street=match.group("street").strip(" ,"),
                housenumber=match.group("number").strip(),
                postcode=(match.group("postcode") or "").strip(),
                city=(match.group("city") or "").strip(" ,"),
            )
    return None


_STREET_WORDS = {
    "str": "strasse",
    "str.": "strasse",
    "st": "street",
    "st.": "street",
    "ave": "avenue",
    "ave.": "avenue",
    "av": "avenue",
    "av.": "avenue",
    "rd": "road",
    "rd.": "road",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "pl": "place",
}


def normalise(text: str) -> str:
    """A comparison key: case-folded, accents kept, ``ß`` as ``ss``, abbreviations spelled out."""
    text = unicodedata.normalize("NFC", text).casefold().replace("ß", "ss")
    text = re.sub(r"(?<=\w)str(\.|\b)", " strasse ", text)  # Bahnhofstr. -> bahnhof strasse
    text = text.replace("strasse", " strasse ")
    words = [w for w in re.split(r"[\s\-,]+", text) if w]
    if words:  # only a last word is a street type: "St. Georgen" is a saint, "Main St" a street
        words[-1] = _STREET_WORDS.get(words[-1], words[-1])
    return " ".join(w.strip(".") for w in words if w.strip("."))


def normalise_number(text: str) -> str:
    return re.sub(r"\s+", "", text.casefold())
