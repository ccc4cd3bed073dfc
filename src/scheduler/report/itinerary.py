"""Each caregiver's day as they carry it: the stops in order with times, client, address,
service, what to know at the door, the partner on a double-handed visit, and the travel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from scheduler.domain.model import Client, Scenario, Visit
from scheduler.solution.roster import Roster


@dataclass(frozen=True)
class ItineraryStop:
    number: int
    start: datetime  # local, aware
    end: datetime
    travel_before_min: float
    visit_id: str
    client: str  # name, else id
    address: str
    service: str
    notes: tuple[str, ...]  # pets, smoker, languages
    partners: tuple[str, ...]  # the other caregivers of a double-handed visit


@dataclass(frozen=True)
class Itinerary:
    caregiver_id: str
    caregiver: str  # name, else id
    departure: datetime
    return_home: datetime
    travel_home_min: float
    stops: tuple[ItineraryStop, ...]

    @property
    def travel_min(self) -> float:
        return sum(s.travel_before_min for s in self.stops) + self.travel_home_min


def itineraries(
    scenario: Scenario, roster: Roster, services: Mapping[str, str] | None = None
) -> list[Itinerary]:
    """One itinerary per route that serves someone, in the roster's order. ``services``: the
    service of a visit id (a care plan's), else the visit's skills and roles say what it is."""
    zone = scenario.zone
    clients = {c.id: c for c in scenario.clients}
    visits = {v.id: v for v in scenario.visits}
    names = {c.id: c.name or c.id for c in scenario.caregivers}
    serving: dict[tuple[str, str], set[str]] = defaultdict(set)  # (visit, local day) -> who
    for route in roster.routes:
        for stop in route.stops:
            serving[stop.visit_id, f"{stop.start.astimezone(zone):%F}"].add(route.caregiver_id)
    out = []
    for route in roster.routes:
        if not route.stops:
            continue
        stops = []
        for n, stop in enumerate(route.stops, start=1):
            client = clients[stop.client_id]
            start = stop.start.astimezone(zone)
            partners = serving[stop.visit_id, f"{start:%F}"] - {route.caregiver_id}
            stops.append(
                ItineraryStop(
                    number=n,
                    start=start,
                    end=stop.end.astimezone(zone),
                    travel_before_min=stop.travel_before_min,
                    visit_id=stop.visit_id,
                    client=client.name or client.id,
                    address=client.location.address or _coordinates(client),
                    service=(services or {}).get(stop.visit_id)
                    or _service(visits.get(stop.visit_id)),
                    notes=_notes(client),
                    partners=tuple(sorted(names.get(p, p) for p in partners)),
                )
            )
        out.append(
            Itinerary(
                caregiver_id=route.caregiver_id,
                caregiver=names.get(route.caregiver_id, route.caregiver_id),
                departure=route.departure.astimezone(zone),
                return_home=route.return_home.astimezone(zone),
                travel_home_min=route.travel_home_min,
                stops=tuple(stops),
            )
        )
    return out


def _service(visit: Visit | None) -> str:
    if visit is None:
        return "visit"
    what = sorted(visit.required_skills) or sorted(r.value for r in visit.roles)
    return (", ".join(what) or "visit") + f", {visit.duration_min} min"


def _notes(client: Client) -> tuple[str, ...]:
    notes = []
    if client.has_pets:
        notes.append("pets in the home")
    if client.smoker:
        notes.append("smoker")
    if client.languages:
        notes.append("speaks " + ", ".join(sorted(client.languages)))
    return tuple(notes)


def _coordinates(client: Client) -> str:
    place = client.location
    if place.lat is not None and place.lon is not None:
        return f"{place.lat:.5f}, {place.lon:.5f}"
    return f"({place.x_km} km, {place.y_km} km)"
