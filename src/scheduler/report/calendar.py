"""A caregiver's stops as an iCalendar file (RFC 5545) a phone can subscribe to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from icalendar import Calendar, Event

from scheduler.report.itinerary import Itinerary

PRODUCT = "-//homecare-scheduler//roster//EN"


def caregiver_calendar(caregiver: str, days: Sequence[Itinerary], roster_name: str) -> bytes:
    """One event per stop of ``days`` (one caregiver's itineraries): the visit's time, the
    client and service as its summary, the address as its location, notes and partner."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{caregiver}: {roster_name}")
    stamp = datetime.now(UTC)
    for day in days:
        for stop in day.stops:
            event = Event()
            # A visit id names a visit within its horizon; the day keeps a recurring one apart.
            event.add(
                "uid", f"{stop.visit_id}-{day.caregiver_id}-{stop.start:%Y%m%d}@{roster_name}"
            )
            event.add("dtstamp", stamp)
            event.add("dtstart", stop.start)
            event.add("dtend", stop.end)
            event.add("summary", f"{stop.service}: {stop.client}")
            event.add("location", stop.address)
            details = [*stop.notes]
            if stop.partners:
                details.append("with " + ", ".join(stop.partners))
            details.append(f"travel before: {stop.travel_before_min:.0f} min")
            event.add("description", "\n".join(details))
            calendar.add_component(event)
    return calendar.to_ical()
