"""The summary as plain text (summary.txt, a pipe) and as rich tables (a terminal) say the
same figures."""

from __future__ import annotations

import io

from rich.console import Console

from scheduler.io.summary import format_summary, summary_tables
from tests.builders import caregiver, client, scenario, solve_checked, visit


def test_the_tables_hold_the_summarys_figures_and_the_reasons() -> None:
    day = scenario(
        [caregiver("A")],
        [client("C1"), client("C2")],
        [visit("V1", "C1"), visit("V2", "C2", skills=("wound_care",))],
    )
    roster = solve_checked(day)
    screen = io.StringIO()
    Console(file=screen, width=160, color_system=None).print(*summary_tables(day, roster))
    shown = screen.getvalue()
    assert roster.kpis is not None
    assert f"{roster.kpis.visits_assigned} of {roster.kpis.visits_total}" in shown
    assert f"{roster.kpis.travel_min:.0f} min" in shown
    assert "V2" in shown and roster.unassigned[0].reason_code in shown
    text = format_summary(day, roster)
    assert f"{roster.kpis.visits_assigned} of {roster.kpis.visits_total}" in text
