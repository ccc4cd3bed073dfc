"""Geocoding: client and caregiver addresses to coordinates, offline from the map by default."""

from scheduler.geocode.base import Address, Geocoder, Resolved, parse_address
from scheduler.geocode.online import GeopyGeocoder
from scheduler.geocode.osm import OsmAddressBook

__all__ = ["Address", "Geocoder", "GeopyGeocoder", "OsmAddressBook", "Resolved", "parse_address"]
