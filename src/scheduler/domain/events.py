"""What happens to a published day: the events a repair takes in (``scheduler.ops.repair``).

Each event is one record with a ``kind``; datetimes are local wall-clock time in the scenario's
time zone, as everywhere else. An open ``end`` means "for the rest of the day".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from scheduler.domain.model import Id, Moment, Role, TimeWindow, Visit, _Frozen
from scheduler.errors import Problem


class _Period(_Frozen):
    start: Moment
    end: Moment | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) is not after start ({self.start})")
        return self


class CaregiverUnavailable(_Period):
    """A caregiver cannot work from ``start`` until ``end`` (sick, car broke down)."""

    kind: Literal["caregiver_unavailable"] = "caregiver_unavailable"
    caregiver_id: Id


class CaregiverLate(_Frozen):
    """A caregiver reaches their next stop ``minutes`` later than published (a visit under way
    runs that much longer; one not yet left leaves that much later)."""

    kind: Literal["caregiver_late"] = "caregiver_late"
    caregiver_id: Id
    minutes: int = Field(gt=0, le=12 * 60)


class ClientUnavailable(_Period):
    """A client cannot be visited from ``start`` until ``end`` (in hospital, away)."""

    kind: Literal["client_unavailable"] = "client_unavailable"
    client_id: Id


class VisitCancelled(_Frozen):
    kind: Literal["visit_cancelled"] = "visit_cancelled"
    visit_id: Id


class VisitAdded(_Frozen):
    """A new visit (an urgent one: give it a priority and a window)."""

    kind: Literal["visit_added"] = "visit_added"
    visit: Visit


class VisitChanged(_Frozen):
    """A visit's duration, windows, skills or roles change; what is not given stays."""

    kind: Literal["visit_changed"] = "visit_changed"
    visit_id: Id
    duration_min: int | None = Field(default=None, gt=0, le=24 * 60)
    windows: tuple[TimeWindow, ...] | None = Field(default=None, min_length=1)
    required_skills: frozenset[str] | None = None
    roles: frozenset[Role] | None = None


Event = Annotated[
    CaregiverUnavailable
    | CaregiverLate
    | ClientUnavailable
    | VisitCancelled
    | VisitAdded
    | VisitChanged,
    Field(discriminator="kind"),
]
EVENT_KINDS = (
    "caregiver_unavailable",
    "caregiver_late",
    "client_unavailable",
    "visit_cancelled",
    "visit_added",
    "visit_changed",
)


@dataclass(frozen=True)
class LocatedEvent:
    """An event and where it was read: file and row (CSV line, or ``events[i]`` in JSON)."""

    event: Event
    source: str
    row: int | str

    def problem(self, message: str, field: str | None = None) -> Problem:
        return Problem(self.source, message, row=self.row, field=field)
