"""A repair's events from JSON and CSV: every kind read, every problem named by file, row and
field, all at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.domain.events import CaregiverUnavailable, VisitAdded, VisitChanged
from scheduler.errors import EventsError
from scheduler.io.event_files import read_events


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_events_of_every_kind(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "kind,caregiver_id,client_id,visit_id,start,end,minutes,duration_min,windows,priority\n"
        "caregiver_unavailable,A,,,2026-11-24T10:00,,,,,\n"
        "caregiver_late,B,,,,,20,,,\n"
        "client_unavailable,,P1,,2026-11-24T12:00,2026-11-24T14:00,,,,\n"
        "visit_cancelled,,,V3,,,,,,\n"
        "visit_added,,P2,U1,,,,30,2026-11-24T11:00/13:00,5\n"
        "visit_changed,,,V2,,,,40,,\n",
    )
    events = [e.event for e in read_events(path)]
    assert [e.kind for e in events] == [
        "caregiver_unavailable",
        "caregiver_late",
        "client_unavailable",
        "visit_cancelled",
        "visit_added",
        "visit_changed",
    ]
    assert isinstance(events[0], CaregiverUnavailable) and events[0].end is None
    added = events[4]
    assert isinstance(added, VisitAdded) and added.visit.priority == 5
    assert added.visit.windows[0].end.hour == 13
    assert isinstance(events[5], VisitChanged) and events[5].duration_min == 40


def test_csv_problems_name_row_and_field_all_at_once(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "kind,caregiver_id,visit_id,minutes,windows\n"
        "caregiver_late,A,,-5,\n"
        "holiday,A,,,\n"
        "visit_added,,U1,,not a window\n",
    )
    with pytest.raises(EventsError) as caught:
        read_events(path)
    where = [(p.row, p.field) for p in caught.value.problems]
    assert (2, "minutes") in where
    assert any(p.row == 3 and "holiday" in p.message for p in caught.value.problems)
    assert any(p.row == 4 for p in caught.value.problems)
    assert all(p.source == str(path) for p in caught.value.problems)


def test_json_events_and_their_problems(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(
        json.dumps(
            {
                "events": [
                    {"kind": "visit_cancelled", "visit_id": "V1"},
                    {"kind": "caregiver_unavailable", "caregiver_id": "A"},
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(EventsError) as caught:
        read_events(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.field) == ("events[1]", "start")
    path.write_text(json.dumps([{"kind": "visit_cancelled", "visit_id": "V1"}]), encoding="utf-8")
    assert len(read_events(path)) == 1


@pytest.mark.parametrize("text", ["{", '{"events": 3}', "[1]"])
def test_unreadable_json_is_one_clear_problem(tmp_path: Path, text: str) -> None:
    path = tmp_path / "events.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EventsError) as caught:
        read_events(path)
    assert caught.value.problems and all(p.source == str(path) for p in caught.value.problems)


def test_the_bundled_sample_events_name_what_the_sample_has() -> None:
    from scheduler.io.scenario_files import load_scenario

    root = Path(__file__).resolve().parents[2] / "data" / "samples"
    events = [e.event for e in read_events(root / "bayreuth-repair" / "events.json")]
    sample = load_scenario(root / "bayreuth")
    assert {e.kind for e in events} == {"caregiver_unavailable", "visit_added", "visit_cancelled"}
    for e in events:
        if isinstance(e, CaregiverUnavailable):
            assert e.caregiver_id in sample.caregivers_by_id
        elif isinstance(e, VisitAdded):
            assert e.visit.client_id in sample.clients_by_id
        else:
            assert e.visit_id in sample.visits_by_id
