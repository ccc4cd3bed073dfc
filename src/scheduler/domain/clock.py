"""Conversion between local wall-clock datetimes and the solver's integer seconds.

The solver counts whole seconds from the *origin*: local midnight of the scenario's first day.
Differences are taken in UTC, so a day with a daylight-saving change has 23 or 25 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clock:
    zone: ZoneInfo
    origin_utc: datetime

    @classmethod
    def starting(cls, first_day: date, zone: ZoneInfo) -> Clock:
        midnight = datetime.combine(first_day, time(0, 0), tzinfo=zone)
        return cls(zone=zone, origin_utc=midnight.astimezone(UTC))

    def aware(self, moment: datetime) -> datetime:
        """A naive datetime is read as wall-clock time in the zone; an aware one is kept."""
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment

    def to_s(self, moment: datetime) -> int:
        delta = self.aware(moment).astimezone(UTC) - self.origin_utc
        return int(delta.total_seconds())

    def to_local(self, seconds: int) -> datetime:
        """An aware local datetime (with the zone's offset at that moment)."""
        return (self.origin_utc + timedelta(seconds=int(seconds))).astimezone(self.zone)

    def local_date(self, moment: datetime) -> date:
        return self.aware(moment).astimezone(self.zone).date()
