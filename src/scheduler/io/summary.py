"""A roster as a coordinator reads it: headline figures, each caregiver's day, what is missing."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from scheduler.domain.model import Scenario, TravelModelName
from scheduler.solution.kpis import compute_kpis
from scheduler.solution.roster import Roster

INTERRUPTED = "interrupted: the best roster found before the stop"


def _travel_model(scenario: Scenario) -> str:
    travel = scenario.settings.travel
    if travel.model is TravelModelName.ROAD and travel.map_file:
        return f"road, {Path(travel.map_file).name}"
    return f"great-circle x{scenario.settings.detour_factor:g}"


def format_summary(scenario: Scenario, roster: Roster) -> str:
    kpis = roster.kpis or compute_kpis(scenario, roster)
    lines = [
        f"Roster for {roster.scenario} ({roster.time_zone})",
        "",
        f"Visits assigned:   {kpis.visits_assigned} of {kpis.visits_total}",
        f"Visits unassigned: {kpis.visits_unassigned}",
        f"Travel:            {kpis.travel_min:.0f} min ({_travel_model(scenario)})",
        f"Service:           {kpis.service_min:.0f} min",
        f"Working time:      {kpis.working_min:.0f} min (leaving home to returning)",
    ]
    if kpis.preferred_visits:
        lines.append(
            f"Preferred caregiver: {kpis.preferred_met} of {kpis.preferred_visits} visits whose "
            "client named one"
        )
    if kpis.workload_spread_pct is not None:
        lines.append(
            f"Workload spread:   {kpis.workload_spread_pct:.0f} points between the most and the "
            "least loaded caregiver of a role (working time / contracted time)"
        )
    if roster.solve_info is not None:
        info = roster.solve_info
        lines.append(
            f"Solver:            {info.status}, cost {info.cost}, {info.wall_s:.1f} s "
            f"(limit {info.time_limit_s:g} s, seed {info.seed})"
            + (f"; {INTERRUPTED}" if info.interrupted else "")
        )
    lines += ["", "Caregivers (visits, service / available, utilisation, travel, of contract):"]
    for use in kpis.caregivers:
        share = "" if use.contract_share is None else f"  {use.contract_share:>4.0%} of contract"
        lines.append(
            f"  {use.caregiver_id:<12} {use.visits:>3} visits  {use.service_min:>5.0f}/"
            f"{use.available_min:<5.0f} min  {use.utilisation:>5.0%}  "
            f"travel {use.travel_min:>4.0f} min{share}"
        )
    lines += ["", "Routes:"]
    dated = len({route.departure.date() for route in roster.routes}) > 1  # a horizon's days
    for route in roster.routes:
        day = f"{route.departure:%a %Y-%m-%d} " if dated else ""
        lines.append(
            f"  {route.caregiver_id}: {day}leaves {route.departure:%H:%M}, "
            f"back {route.return_home:%H:%M}"
        )
        for stop in route.stops:
            lines.append(
                f"    {stop.start:%H:%M}-{stop.end:%H:%M}  {stop.visit_id:<12} client "
                f"{stop.client_id:<10} (+{stop.travel_before_min:.0f} min travel)"
            )
    if roster.unassigned:
        lines += ["", "Unassigned visits:"]
        for item in roster.unassigned:
            lines.append(f"  {item.visit_id:<12} {item.reason_code:<28} {item.reason}")
    return "\n".join(lines) + "\n"


def summary_tables(scenario: Scenario, roster: Roster) -> list[Table]:
    """The summary as rich tables for a terminal: headline figures, caregivers, unassigned."""
    kpis = roster.kpis or compute_kpis(scenario, roster)
    head = Table(title=f"Roster for {roster.scenario} ({roster.time_zone})", show_header=False)
    head.add_column("figure", style="bold")
    head.add_column("value", justify="right")
    head.add_row("Visits assigned", f"{kpis.visits_assigned} of {kpis.visits_total}")
    head.add_row("Visits unassigned", str(kpis.visits_unassigned))
    head.add_row("Travel", f"{kpis.travel_min:.0f} min ({_travel_model(scenario)})")
    head.add_row("Service", f"{kpis.service_min:.0f} min")
    head.add_row("Working time", f"{kpis.working_min:.0f} min")
    if kpis.preferred_visits:
        head.add_row("Preferred caregiver", f"{kpis.preferred_met} of {kpis.preferred_visits}")
    if roster.solve_info is not None:
        info = roster.solve_info
        head.add_row(
            "Solver",
            f"{info.status}, {info.wall_s:.1f} s (limit {info.time_limit_s:g} s)"
            + (f"; {INTERRUPTED}" if info.interrupted else ""),
        )
    people = Table(title="Caregivers")
    for name in ("caregiver", "visits", "service min", "available min", "utilisation", "travel"):
        people.add_column(name, justify="left" if name == "caregiver" else "right")
    for use in kpis.caregivers:
        people.add_row(
            use.caregiver_id,
            str(use.visits),
            f"{use.service_min:.0f}",
            f"{use.available_min:.0f}",
            f"{use.utilisation:.0%}",
            f"{use.travel_min:.0f} min",
        )
    tables = [head, people]
    if roster.unassigned:
        left = Table(title="Unassigned visits")
        for name in ("visit", "reason code", "reason"):
            left.add_column(name)
        for item in roster.unassigned:
            left.add_row(item.visit_id, item.reason_code, item.reason)
        tables.append(left)
    return tables
