from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.domain.clock import Clock


def test_dst_autumn_day_has_25_hours() -> None:
    # Europe/Berlin leaves summer time on 2026-10-25: 03:00 CEST -> 02:00 CET.
    clock = Clock.starting(date(2026, 10, 25), ZoneInfo("Europe/Berlin"))
    assert clock.to_s(datetime(2026, 10, 25, 12, 0)) == 13 * 3600
    assert clock.to_s(datetime(2026, 10, 26, 0, 0)) == 25 * 3600


def test_round_trip_keeps_the_wall_clock() -> None:
    clock = Clock.starting(date(2026, 11, 24), ZoneInfo("Europe/Berlin"))
    moment = datetime(2026, 11, 24, 8, 15)
    assert clock.to_local(clock.to_s(moment)).replace(tzinfo=None) == moment
