"""Care plans, the caseload and the history they are read against (pydantic, validated on input).

A coordinator writes *service orders* ("45-min personal care by an aide, Mon-Fri 08:00-10:00")
per client; ``plans/demand.py`` turns them, with the caseload (admissions, discharges, holds,
authorised hours) and the compliance policy (``plans/policy.py``), into the concrete visits of a
horizon. Dates are local calendar dates in the scenario's time zone; times of day are local
wall-clock times.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from enum import IntEnum, StrEnum
from typing import Annotated, Self

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from scheduler.domain.model import Id, Moment, Role, _Frozen


class Weekday(IntEnum):
    """ISO weekday numbers minus one, as ``date.weekday()`` and dateutil count them."""

    MO = 0
    TU = 1
    WE = 2
    TH = 3
    FR = 4
    SA = 5
    SU = 6


def parse_weekdays(value: object) -> object:
    """``"MO;TU"``, ``["mon", "Tue"]`` or numbers -> a set of ``Weekday`` (pydantic before-hook)."""
    if isinstance(value, str):
        value = [p for p in value.replace(",", ";").split(";") if p.strip()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(_weekday(v) if isinstance(v, str) else v for v in value)
    return value


def _weekday(text: str) -> Weekday:
    code = text.strip().upper()[:2]
    if code not in Weekday.__members__:
        raise ValueError(f"unknown weekday {text!r}: use MO, TU, WE, TH, FR, SA, SU")
    return Weekday[code]


_DAY_CODE = {"type": "string", "pattern": "^[MmTtWwFfSs][OoUuEeHhRrAa]"}
# What a file may hold for a set of weekdays (parse_weekdays reads each of them).
WeekdaySet = Annotated[
    frozenset[Weekday],
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "codes joined by ';' or ',': MO;TU;WE"},
                {
                    "type": "array",
                    "items": {
                        "anyOf": [_DAY_CODE, {"type": "integer", "minimum": 0, "maximum": 6}]
                    },
                },
            ]
        }
    ),
]


class RecurrenceKind(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"  # Monday to Friday
    WEEKLY = "weekly"  # on the given ``days`` every week (every ``interval`` weeks)
    EVERY_N_DAYS = "every_n_days"  # every ``interval`` days from ``valid_from``
    MONTHLY = "monthly"  # on ``day_of_month`` (skipped in months too short for it)
    TIMES_PER_WEEK = "times_per_week"  # ``times`` a week on days the solver chooses
    RRULE = "rrule"  # an RFC 5545 rule (``rule``), e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH


# The parts of an RFC 5545 RRULE a care plan may use: it recurs by days (several visits a day
# are an order's ``daily_times``), from the order's valid_from (no DTSTART).
_RRULE_PARTS = frozenset(
    {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY",
     "BYWEEKNO", "BYSETPOS", "WKST"}
)  # fmt: skip
_RRULE_FREQS = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


def check_rrule(text: str) -> str:
    """``text`` as a day-level RFC 5545 recurrence rule (an ``RRULE:`` prefix dropped), or
    ValueError saying what is wrong with it."""
    from dateutil import rrule

    rule = text.strip().removeprefix("RRULE:").strip()
    parts = {}
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        if not value:
            raise ValueError(f"{part!r} is not NAME=VALUE (e.g. FREQ=WEEKLY;BYDAY=MO,TH)")
        parts[name.strip().upper()] = value.strip().upper()
    unknown = sorted(set(parts) - _RRULE_PARTS)
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)} not allowed in a care plan's rule (it recurs by days from "
            "valid_from; several visits a day are daily_times)"
        )
    if parts.get("FREQ") not in _RRULE_FREQS:
        raise ValueError(f"FREQ must be one of {', '.join(sorted(_RRULE_FREQS))}")
    try:
        first = rrule.rrulestr(rule, dtstart=datetime(2000, 1, 3))
        first.after(datetime(2000, 1, 1), inc=True)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"not a valid RRULE: {exc}") from None
    return rule


def parse_day_window(value: object) -> object:
    """``"08:00-10:00"`` or ``"08:00"`` (that minute) as a DayWindow record (before-hook)."""
    if isinstance(value, str):
        start, _, end = value.partition("-")
        return {"start": start.strip(), "end": (end or start).strip()}
    return value


class Recurrence(_Frozen):
    """When an order recurs. Fixed kinds become one visit per occurrence date; ``times_per_week``
    becomes ``times`` movable visits per calendar week (Monday to Sunday), whose days the solver
    chooses among ``days`` (every day when empty), at least ``min_gap_h`` hours apart."""

    kind: RecurrenceKind
    interval: int = Field(default=1, ge=1, le=52)
    days: WeekdaySet = frozenset()
    day_of_month: int | None = Field(default=None, ge=1, le=31)
    times: int | None = Field(default=None, ge=1, le=7)
    min_gap_h: int = Field(default=0, ge=0, le=7 * 24)
    rule: str | None = None  # kind rrule: the RFC 5545 RRULE

    _day_names = field_validator("days", mode="before")(parse_weekdays)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        """A bare string is an RRULE (``FREQ=...``) or a kind's name (``daily``)."""
        if isinstance(value, str):
            text = value.strip()
            if "=" in text:
                return {"kind": RecurrenceKind.RRULE.value, "rule": text}
            return {"kind": text.lower()}
        return value

    @field_validator("rule")
    @classmethod
    def _valid_rule(cls, value: str | None) -> str | None:
        return None if value is None else check_rrule(value)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        kind = self.kind
        if (kind is RecurrenceKind.RRULE) != (self.rule is not None):
            raise ValueError("a rule belongs to (and only to) a recurrence of kind rrule")
        if kind is RecurrenceKind.WEEKLY and not self.days:
            raise ValueError("a weekly recurrence needs its days (e.g. days: [MO, TH])")
        if kind is RecurrenceKind.MONTHLY and self.day_of_month is None:
            raise ValueError("a monthly recurrence needs day_of_month")
        if kind is RecurrenceKind.TIMES_PER_WEEK:
            if self.times is None:
                raise ValueError("a times_per_week recurrence needs times")
            if self.days and len(self.days) < self.times:
                raise ValueError(f"{self.times} times a week do not fit on {len(self.days)} days")
        elif self.times is not None or self.min_gap_h:
            raise ValueError("times and min_gap_h belong to times_per_week recurrences")
        return self


class DayWindow(_Frozen):
    """A time-of-day window for the start of service, e.g. 08:00-10:00 (same day); a file
    may write it ``"08:00-10:00"``, or ``"08:00"`` for that minute."""

    start: time
    end: time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        return parse_day_window(value)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self


ANY_TIME = DayWindow(start=time(7, 0), end=time(20, 0))


class After(_Frozen):
    """This order's visit starts ``min_lag_min``..``max_lag_min`` after the visit of order
    ``order`` on the same day (start to start), e.g. breakfast at least 30 min after insulin."""

    order: Id
    min_lag_min: int = Field(default=0, ge=0)
    max_lag_min: int | None = Field(default=None, ge=0)


class ServiceType(_Frozen):
    """What a service needs: skills, and the least role that may give it (``min_role``)."""

    name: Id
    skills: frozenset[str] = frozenset()
    min_role: Role = Role.AIDE
    label: str | None = None
    billable: bool = True  # counts against the client's authorised hours

    @field_validator("skills", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(str(v).strip().lower() for v in value if str(v).strip())
        return value


class ServiceOrder(_Frozen):
    """What a client is to receive, how often. ``windows`` are the alternative windows of the
    one visit of an occurrence day (08:00-10:00 or 16:00-18:00); ``daily_times`` make several
    visits a day, one in each (twice a day: two daily times), in place of ``windows``."""

    id: Id
    service: Id
    duration_min: int = Field(gt=0, le=12 * 60)
    recurrence: Recurrence
    windows: tuple[DayWindow, ...] = (ANY_TIME,)
    daily_times: tuple[DayWindow, ...] = ()
    valid_from: date
    valid_until: date | None = None
    caregivers_required: int = Field(default=1, ge=1, le=2)
    after: After | None = None
    priority: int = Field(default=3, ge=1, le=5)

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        if not self.windows:
            raise ValueError("an order needs at least one time-of-day window")
        if self.daily_times:
            if self.windows != (ANY_TIME,):
                raise ValueError("give windows (one visit a day) or daily_times, not both")
            if self.recurrence.kind is RecurrenceKind.TIMES_PER_WEEK:
                raise ValueError("daily_times belong to orders on fixed days, not times_per_week")
            ordered = sorted(self.daily_times, key=lambda w: w.start)
            for a, b in itertools.pairwise(ordered):
                if b.start <= a.end:
                    raise ValueError(f"daily times {a.start}-{a.end} and {b.start} overlap")
            if len(ordered) > 1 and self.after is not None:
                raise ValueError("an order with several daily times cannot depend on another")
            object.__setattr__(self, "daily_times", tuple(ordered))
        return self

    @property
    def day_visits(self) -> tuple[tuple[DayWindow, ...], ...]:
        """The visits of one occurrence day, each as its windows."""
        if self.daily_times:
            return tuple((w,) for w in self.daily_times)
        return (self.windows,)


class CarePlan(_Frozen):
    client_id: Id
    orders: tuple[ServiceOrder, ...] = ()


class Hold(_Frozen):
    """No visits from ``start`` to ``end`` (both days included), e.g. a hospital stay."""

    start: date
    end: date
    reason: str = "hold"

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("a hold ends before it starts")
        return self


class CaseloadEntry(_Frozen):
    """One client's episode of care: admitted (date and time), maybe discharged, holds, and the
    payer's authorisation in minutes per calendar week (None: no limit)."""

    client_id: Id
    admitted: Moment
    discharged: date | None = None
    holds: tuple[Hold, ...] = ()
    authorised_min_per_week: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.discharged is not None and self.discharged < self.admitted.date():
            raise ValueError("discharged before admitted")
        return self

    def active_on(self, day: date) -> bool:
        """Admitted by then, not yet discharged (the discharge day has no visits), not on hold."""
        if day < self.admitted.date():
            return False
        if self.discharged is not None and day >= self.discharged:
            return False
        return not any(h.start <= day <= h.end for h in self.holds)


class PastVisit(_Frozen):
    """A visit that took place before the horizon: what the generator and continuity read."""

    client_id: Id
    service: Id
    start: Moment
    caregiver_ids: tuple[Id, ...] = ()
    order_id: Id | None = None
    # How long it took (None: the order's duration, when ``order_id`` names one); counts
    # against the authorisation of its calendar week.
    duration_min: int | None = Field(default=None, gt=0, le=24 * 60)
