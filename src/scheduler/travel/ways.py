"""Which OpenStreetMap ways each travel mode may use, in which direction, and how fast a car goes.

Pure functions over a way's tags (a ``dict[str, str]``), so every rule is tested on its own. The
tag semantics follow the OSM wiki (Key:highway, Key:access, Key:oneway, Key:maxspeed); the choice of
highway types per mode follows OSMnx's ``drive``/``bike``/``walk`` network filters, and the default
car speeds per highway type follow OSRM's car profile (``profiles/car.lua``: speeds per highway type
and 0.8 × the signed limit, because nobody averages the limit through junctions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scheduler.domain.model import TravelMode

Tags = Mapping[str, str]

# --- which highways ------------------------------------------------------------------------------

CAR_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)
_MOTOR_ONLY = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
BICYCLE_HIGHWAYS = (CAR_HIGHWAYS - _MOTOR_ONLY) | {"cycleway", "path", "track"}
WALK_HIGHWAYS = (CAR_HIGHWAYS - _MOTOR_ONLY) | {
    "pedestrian",
    "footway",
    "path",
    "steps",
    "track",
    "corridor",
}
# Ways a mode may use only where the tag for that mode says so (e.g. a footway signed for bicycles).
_BICYCLE_IF_SIGNED = frozenset({"footway", "pedestrian", "bridleway", "steps"})
_WALK_IF_SIGNED = frozenset({"cycleway", "bridleway"})

_YES = frozenset({"yes", "designated", "permissive", "destination", "customers", "delivery"})
_NO = frozenset({"no", "private", "agricultural", "forestry", "discouraged", "use_sidepath"})

# The access tags that speak for each mode, most specific first (OSM access hierarchy).
_ACCESS_KEYS: dict[TravelMode, tuple[str, ...]] = {
    TravelMode.DRIVE: ("motorcar", "motor_vehicle", "vehicle", "access"),
    TravelMode.BICYCLE: ("bicycle", "vehicle", "access"),
    TravelMode.WALK: ("foot", "access"),
}


def _access(tags: Tags, mode: TravelMode) -> bool | None:
    """The most specific access tag for ``mode``: True (allowed), False (barred) or None."""
    for key in _ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value is None:
            continue
        value = value.split(";")[0].strip()
        if value in _YES:
            return True
        if value in _NO:
            return False
    return None


def usable_by(tags: Tags, mode: TravelMode) -> bool:
    """May ``mode`` travel along this way at all? Buildings, land use, power lines, rivers and
    anything else without a ``highway`` tag never qualify; areas (``area=yes``) neither."""
    highway = tags.get("highway")
    if not highway or tags.get("area") == "yes":
        return False
    if mode is TravelMode.DRIVE and tags.get("service") == "emergency_access":
        return False
    access = _access(tags, mode)
    if access is False:
        return False
    allowed = {
        TravelMode.DRIVE: CAR_HIGHWAYS,
        TravelMode.BICYCLE: BICYCLE_HIGHWAYS,
        TravelMode.WALK: WALK_HIGHWAYS,
    }[mode]
    if highway in allowed:
        return True
    signed = {
        TravelMode.DRIVE: frozenset(),
        TravelMode.BICYCLE: _BICYCLE_IF_SIGNED,
        TravelMode.WALK: _WALK_IF_SIGNED,
    }[mode]
    return highway in signed and access is True


# --- which direction ----------------------------------------------------------------------------

_CONTRAFLOW_CYCLEWAY = frozenset({"opposite", "opposite_lane", "opposite_track"})


def both_ways(tags: Tags, mode: TravelMode, *, oneway_for_cars: bool) -> bool:
    """May ``mode`` travel the way against its one-way direction? Pedestrians always may;
    cyclists where contraflow cycling is signed; cars never."""
    if not oneway_for_cars or mode is TravelMode.WALK:
        return True
    if mode is TravelMode.BICYCLE:
        return (
            tags.get("oneway:bicycle") == "no"
            or tags.get("cycleway") in _CONTRAFLOW_CYCLEWAY
            or tags.get("cycleway:left") in _CONTRAFLOW_CYCLEWAY
            or tags.get("cycleway:right") in _CONTRAFLOW_CYCLEWAY
        )
    return False


# --- how fast -----------------------------------------------------------------------------------

DEFAULT_CAR_SPEED_KPH: dict[str, float] = {  # OSRM car profile, free-flow speeds per type
    "motorway": 90,
    "motorway_link": 45,
    "trunk": 85,
    "trunk_link": 40,
    "primary": 65,
    "primary_link": 30,
    "secondary": 55,
    "secondary_link": 25,
    "tertiary": 40,
    "tertiary_link": 20,
    "unclassified": 25,
    "residential": 25,
    "living_street": 10,
    "service": 15,
    "road": 25,
}
SIGNED_LIMIT_SHARE = 0.8  # OSRM car profile: 0.8 x maxspeed on ways that carry one
NO_LIMIT_KPH = 130.0  # maxspeed=none (German Autobahn): the advisory speed
WALKING_PACE_KPH = 7.0  # maxspeed=walk (Schrittgeschwindigkeit)
MPH_IN_KPH = 1.609344

# Implicit limits written as COUNTRY:type (OSM wiki "Default speed limits"); unknown countries
# fall back to the generic row.
_IMPLICIT_KPH: dict[str, dict[str, float]] = {
    "": {"urban": 50, "rural": 90, "motorway": NO_LIMIT_KPH, "trunk": 100, "living_street": 7},
    "DE": {"urban": 50, "rural": 100, "motorway": NO_LIMIT_KPH, "living_street": 7},
    "AT": {"urban": 50, "rural": 100, "motorway": 130, "living_street": 5},
    "CH": {"urban": 50, "rural": 80, "motorway": 120},
    "FR": {"urban": 50, "rural": 80, "motorway": 130},
    "GB": {"nsl_single": 60 * MPH_IN_KPH, "nsl_dual": 70 * MPH_IN_KPH, "motorway": 70 * MPH_IN_KPH},
    "MX": {"urban": 50, "rural": 80},
    "US": {"urban": 25 * MPH_IN_KPH, "rural": 55 * MPH_IN_KPH},
}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)
_ZONE = re.compile(r"^zone:?(\d+)$")


def _one_maxspeed_kph(text: str) -> float | None:
    text = text.strip()
    if match := _NUMBER.match(text):
        value = float(match.group(1))
        return value * MPH_IN_KPH if (match.group(2) or "").lower() == "mph" else value
    lowered = text.lower()
    if lowered == "none":
        return NO_LIMIT_KPH
    if lowered == "walk":
        return WALKING_PACE_KPH
    if ":" in text:
        country, _, kind = text.partition(":")
        if zone := _ZONE.match(kind):
            return float(zone.group(1))
        table = _IMPLICIT_KPH.get(country.upper(), {})
        return table.get(kind, _IMPLICIT_KPH[""].get(kind))
    return None  # "signals", "variable" and other values without a number


def parse_maxspeed_kph(value: str | None) -> float | None:
    """The signed limit of a ``maxspeed`` tag in km/h, or None when it carries no usable number.

    Handles plain numbers, ``mph``, ``none``, ``walk``, implicit ``DE:urban``-style values,
    zones (``DE:zone30``, ``DE:zone:30``) and lists (``50;70``, ``50|70``: the lowest applies).
    """
    if not value:
        return None
    parts = [p for p in re.split(r"[;|]", value) if p.strip()]
    speeds = [s for s in (_one_maxspeed_kph(p) for p in parts) if s is not None and s > 0]
    return min(speeds) if speeds else None


def car_speed_kph(tags: Tags) -> float:
    """Average driving speed along a way: 0.8 x its signed limit where it carries one, otherwise
    the default for its highway type."""
    default = DEFAULT_CAR_SPEED_KPH.get(tags.get("highway", ""), DEFAULT_CAR_SPEED_KPH["road"])
    signed = parse_maxspeed_kph(tags.get("maxspeed"))
    if signed is None:
        return default
    return max(1.0, SIGNED_LIMIT_SHARE * signed)
