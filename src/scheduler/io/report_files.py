"""The report's files: report.html, itineraries.html and calendars/CAREGIVER.ics, staged and
moved into place together (as the roster files are)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from scheduler.atomic import staged_files, write_atomic
from scheduler.domain.model import Scenario, TravelModelName
from scheduler.plans.week import ClientContinuity, WeekResult
from scheduler.report.calendar import caregiver_calendar
from scheduler.report.figures import Streets, point
from scheduler.report.itinerary import Itinerary, itineraries
from scheduler.report.page import comparison_html, itineraries_html, report_html
from scheduler.report.streets import street_lines
from scheduler.solution.roster import Roster

REPORT_HTML = "report.html"
ITINERARIES_HTML = "itineraries.html"
CALENDARS = "calendars"
COMPARE_HTML = "compare.html"


def streets_of(scenario: Scenario) -> Streets | None:
    """The streets around the scenario's places when it routes on an OSM extract."""
    travel = scenario.settings.travel
    if travel.model is not TravelModelName.ROAD or not travel.map_file:
        return None
    places = [c.location for c in scenario.clients] + [c.home for c in scenario.caregivers]
    lon, lat = np.array([point(p) for p in places]).T
    xs, ys = street_lines(travel.map_file, lat, lon)
    return Streets(lon=xs, lat=ys)


def write_report(
    scenario: Scenario,
    roster: Roster,
    out_dir: str | Path,
    *,
    services: Mapping[str, str] | None = None,
    continuity: Sequence[ClientContinuity] = (),
    variants: Sequence[tuple[str, Roster]] = (),
    violations: int | None = None,
) -> list[Path]:
    """Write the report, the itineraries and one calendar per working caregiver into
    ``out_dir``; returns the report's and the itineraries' paths (and the calendars folder)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    days = itineraries(scenario, roster, services)
    page = report_html(
        scenario,
        roster,
        streets=streets_of(scenario),
        continuity=continuity,
        variants=variants,
        violations=violations,
    )
    with staged_files(out) as staging:
        (staging / REPORT_HTML).write_text(page, encoding="utf-8")
        (staging / ITINERARIES_HTML).write_text(itineraries_html(roster, days), encoding="utf-8")
        calendars = staging / CALENDARS
        calendars.mkdir()
        by_caregiver: dict[str, list[Itinerary]] = defaultdict(list)
        for day in days:
            by_caregiver[day.caregiver_id].append(day)
        for caregiver_id, theirs in by_caregiver.items():
            (calendars / f"{caregiver_id}.ics").write_bytes(
                caregiver_calendar(theirs[0].caregiver, theirs, roster.scenario)
            )
    return [out / REPORT_HTML, out / ITINERARIES_HTML, out / CALENDARS]


def write_week_report(
    result: WeekResult, out_dir: str | Path, *, variants: Sequence[tuple[str, Roster]] = ()
) -> list[Path]:
    """A horizon's report: each visit's service from its care plan, continuity per client."""
    services = {v: o.service for v, o in result.week.demand.origins.items()}
    return write_report(
        result.week.scenario,
        result.roster,
        out_dir,
        services=services,
        continuity=result.continuity,
        variants=variants,
    )


def write_comparison(variants: Sequence[tuple[str, Roster]], changed: int, out_dir: Path) -> Path:
    """compare.html: the rosters side by side with a chart (``scheduler compare``)."""
    path = Path(out_dir) / COMPARE_HTML
    write_atomic(path, comparison_html(variants, changed))
    return path
