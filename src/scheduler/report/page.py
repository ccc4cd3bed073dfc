"""The report and itinerary pages: self-contained HTML (plotly.js and the styles inlined, no
request to any server), rendered from Jinja2 templates in ``report/templates``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from scheduler.domain.model import Scenario
from scheduler.ops.whatif import compare_rows
from scheduler.plans.week import ClientContinuity
from scheduler.report.figures import (
    Streets,
    comparison_figure,
    map_figure,
    timeline_figure,
)
from scheduler.report.itinerary import Itinerary
from scheduler.solution.kpis import compute_kpis
from scheduler.solution.roster import Kpis, Roster

_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Figure:
    """A KPI row of the summary table: its name in the roster's KPIs, label, shown value."""

    key: str
    label: str
    value: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("scheduler.report"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def summary_figures(kpis: Kpis) -> list[Figure]:
    rows = [
        Figure("visits_total", "Visits", str(kpis.visits_total)),
        Figure("visits_assigned", "Visits assigned", str(kpis.visits_assigned)),
        Figure("visits_unassigned", "Visits unassigned", str(kpis.visits_unassigned)),
        Figure("travel_min", "Travel, min", f"{kpis.travel_min:.0f}"),
        Figure("service_min", "Service, min", f"{kpis.service_min:.0f}"),
        Figure("working_min", "Working time, min", f"{kpis.working_min:.0f}"),
        Figure("late_visits", "Late visits", str(kpis.late_visits)),
        Figure("overtime_min", "Overtime, min", f"{kpis.overtime_min:.0f}"),
    ]
    if kpis.preferred_visits:
        rows.append(Figure("preferred_met", "Preferred caregiver met", str(kpis.preferred_met)))
    if kpis.workload_spread_pct is not None:
        rows.append(
            Figure(
                "workload_spread_pct", "Workload spread, points", f"{kpis.workload_spread_pct:.0f}"
            )
        )
    return rows


def report_html(
    scenario: Scenario,
    roster: Roster,
    *,
    streets: Streets | None = None,
    continuity: Sequence[ClientContinuity] = (),
    variants: Sequence[tuple[str, Roster]] = (),
    violations: int | None = None,
) -> str:
    """The roster's report: summary, map, timeline, unassigned visits, utilisation, continuity
    (a horizon's), and ``variants`` side by side (a what-if's: the rosters by name, this one
    among them; the table is compare.md's)."""
    kpis = roster.kpis or compute_kpis(scenario, roster)
    figures = {
        "map": map_figure(scenario, roster, streets),
        "timeline": timeline_figure(scenario, roster),
    }
    if variants:
        figures["comparison"] = comparison_figure(
            [(name, r.kpis or compute_kpis(scenario, r)) for name, r in variants]
        )
    divs = _divs(figures)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=f"Roster {roster.scenario}",
            roster=roster,
            kpis=kpis,
            figures=summary_figures(kpis),
            divs=divs,
            plotly_js=get_plotlyjs(),
            continuity=continuity,
            variant_names=[name for name, _ in variants],
            variant_rows=compare_rows(variants) if variants else [],
            streets=streets is not None,
            dated=len({r.departure.date() for r in roster.routes}) > 1,
            solve_info=roster.solve_info,
            violations=violations,
            familiar=any(c.from_history for c in continuity),
        )
    )


def comparison_html(variants: Sequence[tuple[str, Roster]], changed: int) -> str:
    """Rosters side by side without their scenario (``scheduler compare``): the table of
    compare.md and its chart; ``changed`` visits differ between them."""
    kpis = [(name, r.kpis) for name, r in variants if r.kpis is not None]
    return (
        _environment()
        .get_template("comparison.html.j2")
        .render(
            title="Rosters compared",
            changed=changed,
            variant_names=[name for name, _ in variants],
            variant_rows=compare_rows(variants),
            divs=_divs({"comparison": comparison_figure(kpis)}),
            plotly_js=get_plotlyjs(),
        )
    )


def _divs(figures: dict[str, go.Figure]) -> dict[str, str]:
    return {
        name: pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=name, config=_CONFIG)
        for name, fig in figures.items()
    }


def itineraries_html(roster: Roster, days: Sequence[Itinerary]) -> str:
    """Every caregiver's day on a printable page of its own."""
    return (
        _environment()
        .get_template("itineraries.html.j2")
        .render(title=f"Itineraries {roster.scenario}", days=days)
    )
