"""The figures: one route trace per working caregiver, every unassigned visit marked, one
service bar per stop, the two stops of a double-handed visit linked, waiting split by breaks."""

from __future__ import annotations

from datetime import datetime

from scheduler import Roster, Scenario
from scheduler.report.figures import _minus, map_figure, timeline_figure


def _kind(fig, kind: str) -> list:  # type: ignore[no-untyped-def]
    return [t for t in fig.data if (t.meta or {}).get("kind") == kind]


def test_the_map_has_a_route_per_working_caregiver_and_marks_what_was_left_out(
    small_day: tuple[Scenario, Roster],
) -> None:
    day, roster = small_day
    fig = map_figure(day, roster)
    working = {r.caregiver_id for r in roster.routes if r.stops}
    assert {t.name for t in _kind(fig, "route")} == working
    (left,) = _kind(fig, "unassigned")
    assert [h.split(":")[0] for h in left.hovertext] == [
        f"unassigned {u.visit_id}" for u in roster.unassigned
    ]
    assert "LATE" in {u.visit_id for u in roster.unassigned}
    # the stops are numbered in their order on the route
    for trace in _kind(fig, "route"):
        route = next(r for r in roster.routes if r.caregiver_id == trace.name)
        assert [t for t in trace.text if t] == [str(n + 1) for n in range(len(route.stops))]


def test_the_timeline_has_a_bar_per_stop_and_links_a_double_handed_visit(
    small_day: tuple[Scenario, Roster],
) -> None:
    day, roster = small_day
    fig = timeline_figure(day, roster)
    (service,) = _kind(fig, "service")
    assert len(service.x) == sum(len(r.stops) for r in roster.routes)
    (linked,) = _kind(fig, "synchronised")
    both = [r.caregiver_id for r in roster.routes for s in r.stops if s.visit_id == "V2"]
    assert len(both) == 2 and sorted(y for y in linked.y if y) == sorted(both)
    assert _kind(fig, "shift") and _kind(fig, "travel")


def test_waiting_is_what_the_breaks_leave_of_a_gap() -> None:
    def t(hhmm: str) -> datetime:
        return datetime.fromisoformat(f"2026-11-24T{hhmm}")

    assert _minus(t("09:00"), t("10:00"), [(t("09:20"), t("09:40"))]) == [
        (t("09:00"), t("09:20")),
        (t("09:40"), t("10:00")),
    ]
    assert _minus(t("09:00"), t("10:00"), [(t("08:00"), t("11:00"))]) == []
    assert _minus(t("10:00"), t("10:00"), []) == []
