"""Tiny named instances, hand-checkable. Distances: 1 km east of the origin etc.

At the default 30 km/h with detour factor 1.3, 1 km straight line = 1.3 km = 156 s of travel.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from scheduler import (
    Caregiver,
    Client,
    Location,
    Roster,
    Scenario,
    Shift,
    TimeWindow,
    Visit,
    check_roster,
    solve,
)

DAY = "2026-11-24"
ORIGIN = (50.0, 11.55)
KM_LAT = 1 / 111.195
KM_LON = 1 / (111.195 * math.cos(math.radians(ORIGIN[0])))


def at(hhmm: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}")


def place(east_km: float = 0.0, north_km: float = 0.0) -> Location:
    return Location(lat=ORIGIN[0] + north_km * KM_LAT, lon=ORIGIN[1] + east_km * KM_LON)


def caregiver(
    cid: str,
    *,
    home: Location | None = None,
    shift: tuple[str, str] = ("08:00", "16:00"),
    role: str = "aide",
    skills: tuple[str, ...] = ("personal_care",),
    **kw: Any,
) -> Caregiver:
    return Caregiver(
        id=cid,
        role=role,
        skills=frozenset(skills),
        home=home or place(),
        shifts=(Shift(start=at(shift[0]), end=at(shift[1])),),
        **kw,
    )


def client(cid: str, *, where: Location | None = None, **kw: Any) -> Client:
    return Client(id=cid, location=where or place(1, 0), **kw)


def visit(
    vid: str,
    client_id: str,
    *,
    window: tuple[str, str] = ("09:00", "10:00"),
    duration_min: int = 30,
    skills: tuple[str, ...] = ("personal_care",),
    **kw: Any,
) -> Visit:
    windows = kw.pop("windows", None) or (TimeWindow(start=at(window[0]), end=at(window[1])),)
    return Visit(
        id=vid,
        client_id=client_id,
        duration_min=duration_min,
        windows=windows,
        required_skills=frozenset(skills),
        **kw,
    )


def scenario(
    caregivers: list[Caregiver], clients: list[Client], visits: list[Visit], **kw: Any
) -> Scenario:
    return Scenario(
        name=kw.pop("name", "test"),
        time_zone=kw.pop("time_zone", "Europe/Berlin"),
        caregivers=tuple(caregivers),
        clients=tuple(clients),
        visits=tuple(visits),
        **kw,
    )


def solve_checked(sc: Scenario, **kw: Any) -> Roster:
    """Solve a small instance and assert the independent validator finds nothing."""
    kw.setdefault("time_limit_s", 3.0)
    kw.setdefault("solution_limit", 300)
    roster = solve(sc, **kw)
    assert check_roster(sc, roster) == []
    return roster


def assignment(roster: Roster) -> dict[str, list[str]]:
    """visit id -> caregiver ids serving it."""
    served: dict[str, list[str]] = {}
    for route in roster.routes:
        for stop in route.stops:
            served.setdefault(stop.visit_id, []).append(route.caregiver_id)
    return served


def start_of(roster: Roster, visit_id: str) -> datetime:
    return next(s.start for r in roster.routes for s in r.stops if s.visit_id == visit_id)


def reason(roster: Roster, visit_id: str) -> str:
    return next(u.reason_code for u in roster.unassigned if u.visit_id == visit_id)
