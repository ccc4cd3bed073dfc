"""Itineraries and calendars: what a caregiver carries, and an iCalendar file that parses back
to the same stops."""

from __future__ import annotations

from icalendar import Calendar

from scheduler import Roster, Scenario
from scheduler.report.calendar import caregiver_calendar
from scheduler.report.itinerary import itineraries


def test_an_itinerary_names_the_partner_the_pet_and_the_travel(
    small_day: tuple[Scenario, Roster],
) -> None:
    day, roster = small_day
    days = itineraries(day, roster, {"V1": "personal care"})
    assert [d.caregiver_id for d in days] == [r.caregiver_id for r in roster.routes if r.stops]
    stops = {(d.caregiver_id, s.visit_id): s for d in days for s in d.stops}
    pair = sorted(c for c, v in stops if v == "V2")
    assert [stops[c, "V2"].partners for c in pair] == [(pair[1],), (pair[0],)]
    v1 = next(s for (_, v), s in stops.items() if v == "V1")
    assert v1.client == "Client One" and v1.notes == ("pets in the home",)
    assert v1.service == "personal care"  # a care plan's service where known ...
    v3 = next(s for (_, v), s in stops.items() if v == "V3")
    assert v3.service == "wound_care, 30 min"  # ... else what the visit needs
    for d in days:
        route = next(r for r in roster.routes if r.caregiver_id == d.caregiver_id)
        expected = sum(s.travel_before_min for s in route.stops) + route.travel_home_min
        assert d.travel_min == expected
        assert [s.start for s in d.stops] == [s.start for s in route.stops]


def test_a_calendar_parses_back_to_the_caregivers_stops(
    small_day: tuple[Scenario, Roster],
) -> None:
    day, roster = small_day
    for d in itineraries(day, roster):
        parsed = Calendar.from_ical(caregiver_calendar(d.caregiver, [d], roster.scenario))
        events = list(parsed.walk("VEVENT"))
        assert [e.decoded("dtstart") for e in events] == [s.start for s in d.stops]
        assert [e.decoded("dtend") for e in events] == [s.end for s in d.stops]
        assert len({str(e["uid"]) for e in events}) == len(d.stops)
        assert all(str(e["location"]) for e in events)
