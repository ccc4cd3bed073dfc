"""The report's figures (plotly): the routes on a map, the timeline of every route, and the
side-by-side chart of a what-if.

Each trace carries ``meta={"kind": ...}`` (``streets``, ``route``, ``unassigned``; ``shift``,
``travel``, ``waiting``, ``break``, ``service``, ``synchronised``) so a reader of the page, a
person hovering or a test in a browser, can tell them apart. The map is drawn on plain axes in
degrees (or kilometres for planar scenarios), scaled to the latitude: it needs no tiles and no
network.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from scheduler.domain.model import Location, Scenario
from scheduler.solution.roster import Kpis, Roster, Route

# Times of day of every route are drawn on one reference day, so a week's rows line up.
_REFERENCE_DAY = datetime(2000, 1, 3)
_COLOURS = {
    "shift": "rgba(120, 144, 156, 0.18)",
    "travel": "#f2a541",
    "waiting": "#cfd8dc",
    "break": "#8e7cc3",
    "service": "#2e7d32",
    "synchronised": "#c62828",
}


@dataclass(frozen=True)
class Streets:
    """Street segments as plotly line coordinates (None between segments)."""

    lon: list[float | None]
    lat: list[float | None]


def point(location: Location) -> tuple[float, float]:
    """(x, y) on the map: longitude and latitude, or a planar scenario's kilometres."""
    if location.lat is not None and location.lon is not None:
        return location.lon, location.lat
    assert location.x_km is not None and location.y_km is not None
    return location.x_km, location.y_km


def map_figure(scenario: Scenario, roster: Roster, streets: Streets | None = None) -> go.Figure:
    """One trace per working caregiver (home, numbered stops, home; a week's days one after
    another), the unassigned visits marked with their reason, the streets beneath."""
    zone = scenario.zone
    clients = {c.id: c for c in scenario.clients}
    homes = {c.id: c.home for c in scenario.caregivers}
    fig = go.Figure()
    if streets is not None:
        fig.add_trace(
            go.Scatter(
                x=streets.lon,
                y=streets.lat,
                mode="lines",
                line={"color": "#d0d4d8", "width": 1},
                hoverinfo="skip",
                name="streets",
                meta={"kind": "streets"},
                showlegend=False,
            )
        )
    by_caregiver: dict[str, list[Route]] = defaultdict(list)
    for route in roster.routes:
        if route.stops:
            by_caregiver[route.caregiver_id].append(route)
    dated = _dated(roster)
    for caregiver_id, routes in by_caregiver.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        labels: list[str] = []
        hover: list[str] = []
        home = point(homes[caregiver_id])
        for route in routes:
            day = f"{route.departure.astimezone(zone):%a %d} " if dated else ""
            xs.append(home[0])
            ys.append(home[1])
            labels.append("")
            hover.append(f"{caregiver_id}: home, leaves {day}{_hhmm(route.departure, zone)}")
            for n, stop in enumerate(route.stops, start=1):
                x, y = point(clients[stop.client_id].location)
                xs.append(x)
                ys.append(y)
                labels.append(str(n))
                hover.append(
                    f"{caregiver_id} {day}#{n}: {stop.visit_id} at {stop.client_id}, "
                    f"{_hhmm(stop.start, zone)}–{_hhmm(stop.end, zone)}"
                )
            xs += [home[0], None]
            ys += [home[1], None]
            labels += ["", ""]
            hover += [f"{caregiver_id}: home by {_hhmm(route.return_home, zone)}", ""]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers+text",
                text=labels,
                textposition="top center",
                hovertext=hover,
                hoverinfo="text",
                name=caregiver_id,
                meta={"kind": "route", "caregiver": caregiver_id},
                marker={"size": 7},
                line={"width": 2},
            )
        )
    if roster.unassigned:
        places = [point(clients[u.client_id].location) for u in roster.unassigned]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in places],
                y=[p[1] for p in places],
                mode="markers",
                marker={"symbol": "x", "size": 11, "color": "#c62828"},
                hovertext=[f"unassigned {u.visit_id}: {u.reason}" for u in roster.unassigned],
                hoverinfo="text",
                name="unassigned",
                meta={"kind": "unassigned"},
            )
        )
    geographic = any(c.location.lat is not None for c in scenario.clients)
    lats = [c.location.lat for c in scenario.clients if c.location.lat is not None]
    ratio = 1 / math.cos(math.radians(sum(lats) / len(lats))) if geographic and lats else 1.0
    fig.update_layout(
        height=640,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        plot_bgcolor="white",
        legend={"title": {"text": "caregivers"}},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": ratio},
    )
    return fig


def timeline_figure(scenario: Scenario, roster: Roster) -> go.Figure:
    """A row per caregiver (and day, for a horizon): the shift, travel, waiting, breaks and one
    bar per stop; the two stops of a double-handed visit linked by a line."""
    zone = scenario.zone
    dated = _dated(roster)
    bars: dict[str, list[tuple[str, datetime, datetime, str]]] = defaultdict(list)
    rows: list[str] = []
    centres: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for route in roster.routes:
        row = _row(route, zone, dated)
        rows.append(row)
        for shift in _shifts_of(scenario, route, zone):
            bars["shift"].append((row, *shift, "shift"))
        at = route.departure.astimezone(zone)
        breaks = [(b.start.astimezone(zone), b.end.astimezone(zone)) for b in route.breaks]
        for b_start, b_end in breaks:
            bars["break"].append((row, b_start, b_end, "break"))
        for stop in route.stops:
            start, end = stop.start.astimezone(zone), stop.end.astimezone(zone)
            arrive = at + timedelta(minutes=stop.travel_before_min)
            if arrive > at:
                bars["travel"].append((row, at, arrive, f"travel {stop.travel_before_min:.0f} min"))
            for piece in _minus(arrive, start, breaks):
                bars["waiting"].append((row, *piece, "waiting"))
            bars["service"].append(
                (row, start, end, f"{stop.visit_id} at {stop.client_id}, {_hhmm(start, zone)}")
            )
            centres[stop.visit_id].append((start + (end - start) / 2, row))
            at = end
        home = route.return_home.astimezone(zone)
        if home > at:
            bars["travel"].append((row, at, home, f"home {route.travel_home_min:.0f} min"))
    fig = go.Figure()
    for kind in ("shift", "travel", "waiting", "break", "service"):
        items = bars.get(kind, [])
        if not items:
            continue
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[i[0] for i in items],
                base=[_on_reference_day(i[1]) for i in items],
                x=[(i[2] - i[1]).total_seconds() * 1000 for i in items],
                hovertext=[i[3] for i in items],
                hoverinfo="text+y",
                marker={"color": _COLOURS[kind]},
                width=0.9 if kind == "shift" else 0.6,
                name=kind,
                meta={"kind": kind},
            )
        )
    xs: list[str | None] = []
    ys: list[str | None] = []
    for pair in centres.values():
        if len(pair) > 1:
            for moment, row in pair:
                xs.append(_on_reference_day(moment))
                ys.append(row)
            xs.append(None)
            ys.append(None)
    if xs:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                line={"color": _COLOURS["synchronised"], "width": 2, "dash": "dot"},
                name="double-handed",
                meta={"kind": "synchronised"},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        barmode="overlay",
        height=max(260, 26 * len(rows) + 90),
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        plot_bgcolor="white",
        xaxis={"type": "date", "tickformat": "%H:%M", "gridcolor": "#eceff1"},
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(rows)),
            "automargin": True,
        },
        legend={"orientation": "h", "y": -0.08},
    )
    return fig


def comparison_figure(variants: Sequence[tuple[str, Kpis]]) -> go.Figure:
    """Visits assigned and travel hours per variant, side by side."""
    names = [name for name, _ in variants]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("visits assigned", "travel, hours"))
    fig.add_trace(
        go.Bar(x=names, y=[k.visits_assigned for _, k in variants], name="visits assigned"),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(x=names, y=[round(k.travel_min / 60, 1) for _, k in variants], name="travel h"),
        row=1,
        col=2,
    )
    fig.update_layout(height=320, showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def _dated(roster: Roster) -> bool:
    return len({r.departure.date() for r in roster.routes}) > 1


def _row(route: Route, zone: ZoneInfo, dated: bool) -> str:
    if not dated:
        return route.caregiver_id
    return f"{route.caregiver_id} · {route.departure.astimezone(zone):%a %d %b}"


def _shifts_of(scenario: Scenario, route: Route, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The caregiver's shifts that hold the route (local wall-clock times)."""
    caregiver = next(c for c in scenario.caregivers if c.id == route.caregiver_id)
    departure = route.departure.astimezone(zone).replace(tzinfo=None)
    return [
        (s.start.replace(tzinfo=zone), s.end.replace(tzinfo=zone))
        for s in caregiver.shifts
        if s.start <= departure <= s.end
    ]


def _minus(
    start: datetime, end: datetime, breaks: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """[start, end) without the breaks in it."""
    pieces = [(start, end)] if end > start else []
    for b_start, b_end in breaks:
        pieces = [
            part
            for a, b in pieces
            for part in ((a, min(b, b_start)), (max(a, b_end), b))
            if part[1] > part[0]
        ]
    return pieces


def _on_reference_day(moment: datetime) -> str:
    local = _REFERENCE_DAY.replace(hour=moment.hour, minute=moment.minute, second=moment.second)
    return local.isoformat()


def _hhmm(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M}"
