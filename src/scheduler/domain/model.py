"""The caseload of one scenario as a coordinator describes it (pydantic, validated on input).

Time semantics (see docs/concepts.md): every datetime is local wall-clock time in the scenario's
``time_zone`` unless it carries an offset; a visit's windows bound the *start* of service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

Id = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class Role(StrEnum):
    """Professional role of a caregiver (US home-care vocabulary)."""

    AIDE = "aide"  # personal-care aide / home health aide (HHA)
    HHA = "hha"
    CNA = "cna"  # certified nursing assistant
    LPN = "lpn"  # licensed practical nurse
    RN = "rn"  # registered nurse
    PT = "pt"  # physical therapist
    OT = "ot"  # occupational therapist
    SLP = "slp"  # speech-language pathologist
    MSW = "msw"  # medical social worker


class TravelMode(StrEnum):
    DRIVE = "drive"
    BICYCLE = "bicycle"
    WALK = "walk"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Frozen):
    """A place: geographic (``lat``/``lon``, WGS 84), or a point on a plane (``x_km``/``y_km``)
    for planar instances such as the VRP benchmarks (travel model ``planar``)."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    x_km: float | None = None
    y_km: float | None = None
    address: str | None = None
    # The place's id in a travel-time matrix (travel model ``matrix``); by default a client's
    # location is its client id and a caregiver's home its caregiver id.
    place_id: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_kind_of_coordinates(self) -> Self:
        geographic = (self.lat is not None, self.lon is not None)
        planar = (self.x_km is not None, self.y_km is not None)
        if any(geographic) and any(planar):
            raise ValueError("give lat/lon or x_km/y_km, not both")
        if geographic == (True, False) or geographic == (False, True):
            raise ValueError("give both lat and lon")
        if planar == (True, False) or planar == (False, True):
            raise ValueError("give both x_km and y_km")
        if not any(geographic) and not any(planar):
            raise ValueError("no coordinates: give lat and lon (or an address to geocode)")
        return self

    @property
    def is_planar(self) -> bool:
        return self.x_km is not None

    @property
    def key(self) -> tuple[float, float]:
        """The coordinates as a hashable pair (same place, same key)."""
        if self.x_km is not None and self.y_km is not None:
            return (self.x_km, self.y_km)
        return (self.lat or 0.0, self.lon or 0.0)


FIRST_YEAR, LAST_YEAR = 1900, 2999  # a roster's times; far ones are typing slips (0001-01-01)


def in_calendar(moment: datetime) -> datetime:
    """``moment`` when its year is one a roster can hold (time zones convert it), else
    ValueError."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"{moment.isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return moment


# A datetime of the input: local wall-clock time unless it carries an offset, in range.
Moment = Annotated[datetime, AfterValidator(in_calendar)]


def same_clock(start: datetime, end: datetime) -> None:
    """ValueError unless both times carry a UTC offset or neither does (they cannot be
    ordered otherwise: a time without one is local to a zone the interval does not know)."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise ValueError(
            f"{start.isoformat()} and {end.isoformat()}: give both times with a UTC offset "
            "or both without"
        )


def local_times(model: BaseModel, zone: ZoneInfo) -> BaseModel:
    """``model`` with every datetime in it (nested models and tuples included) that carries a
    UTC offset as the local wall-clock time of ``zone`` (the same moment), so that times given
    with and without an offset compare; ``model`` itself when it has none."""
    changed: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        local = _local_value(value, zone)
        if local is not value:
            changed[name] = local
    return model.model_copy(update=changed) if changed else model


def _local_value(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        try:
            return value.astimezone(zone).replace(tzinfo=None)
        except OverflowError:
            raise ValueError(f"{value.isoformat()} is out of the calendar's range") from None
    if isinstance(value, BaseModel):
        return local_times(value, zone)
    if isinstance(value, tuple):
        items = tuple(_local_value(v, zone) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


class TimeWindow(_Frozen):
    """A closed interval [start, end] of local datetimes."""

    start: Moment
    end: Moment

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        same_clock(self.start, self.end)
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self


class Shift(_Frozen):
    """A period a caregiver is available, leaving from and returning to home."""

    start: Moment
    end: Moment

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        same_clock(self.start, self.end)
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before or when it starts ({self.start})")
        return self


def rested_shifts(
    shifts: Iterable[Shift],
    min_rest_min: int | None,
    day_of: Callable[[datetime], date] = datetime.date,
) -> tuple[Shift, ...]:
    """The shifts in order, each on a later day starting no earlier than the previous shift's
    end plus ``min_rest_min`` (dropped if nothing is left of it), so that the daily rest holds
    whatever the work turns out to be. Shifts of one day (split shifts) are not separated by
    it. ``day_of`` gives a moment's local day."""
    ordered = sorted(shifts, key=lambda s: s.start)
    if min_rest_min is None:
        return tuple(ordered)
    rested: list[Shift] = []
    for shift in ordered:
        if rested and day_of(rested[-1].start) < day_of(shift.start):
            earliest = rested[-1].end + timedelta(minutes=min_rest_min)
            if earliest >= shift.end:
                continue
            shift = Shift(start=max(shift.start, earliest), end=shift.end)
        rested.append(shift)
    return tuple(rested)


class Credential(_Frozen):
    """A dated qualification: counts as the skill ``name`` up to and including ``valid_until``
    (None: no expiry). From the next day on the caregiver lacks it."""

    name: str = Field(min_length=1, max_length=100)
    valid_until: date | None = None

    @field_validator("name", mode="after")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    def valid_on(self, day: date) -> bool:
        return self.valid_until is None or day <= self.valid_until


class Caregiver(_Frozen):
    id: Id
    name: str | None = None
    role: Role
    skills: frozenset[str] = frozenset()
    home: Location
    shifts: tuple[Shift, ...] = ()
    max_work_min_per_day: int | None = Field(default=None, gt=0, le=24 * 60)
    # Over the shifts of one calendar week (Monday to Sunday).
    max_work_min_per_week: int | None = Field(default=None, gt=0, le=7 * 24 * 60)
    # Working time in a calendar week beyond this is overtime, at Weights.overtime_per_s.
    overtime_after_min_per_week: int | None = Field(default=None, gt=0, le=7 * 24 * 60)
    # The hours of the caregiver's contract in a week: workload fairness compares the work each
    # caregiver is given with this (Weights.workload_deviation_per_pct). None: not compared.
    contracted_min_per_week: int | None = Field(default=None, gt=0, le=7 * 24 * 60)
    # Least time off between the end of one day's work and the start of the next day's.
    min_rest_min: int | None = Field(default=None, gt=0, le=24 * 60)
    # A route longer than break_after_min holds a break of break_min, and neither stretch of
    # work before or after it is longer than break_after_min (e.g. 360 and 30: German ArbZG §4).
    break_after_min: int | None = Field(default=None, gt=0, le=24 * 60)
    break_min: int = Field(default=30, gt=0, le=4 * 60)
    credentials: tuple[Credential, ...] = ()
    travel_mode: TravelMode = TravelMode.DRIVE
    speed_kph: float | None = Field(default=None, gt=0, le=150)
    languages: frozenset[str] = frozenset()
    gender: Gender | None = None
    avoids_pets: bool = False
    avoids_smoking: bool = False
    # What one shift can carry, in the units of Visit.load (supplies, equipment); None: no limit.
    capacity: int | None = Field(default=None, ge=0)

    @field_validator("skills", "languages", mode="before")
    @classmethod
    def _lower_set(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(",", ";").split(";")]
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(str(v).strip().lower() for v in value if str(v).strip())
        return value

    @field_validator("credentials", mode="before")
    @classmethod
    def _credential_text(cls, value: object) -> object:
        """``wound_care:2026-12-03; cpr`` -> credentials (a date: the last valid day)."""
        if not isinstance(value, str):
            return value
        out = []
        for part in (p.strip() for p in value.split(";")):
            if part:
                name, _, until = part.partition(":")
                out.append({"name": name, "valid_until": until.strip() or None})
        return out

    def contract_target_min(self, horizon_days: int) -> float | None:
        """The work a fair share of the contract asks over ``horizon_days``: the weekly contract
        pro rata, but never more than the caregiver's shifts hold (time off lowers it). None
        without a contract or without shifts."""
        available = sum((s.end - s.start).total_seconds() / 60 for s in self.shifts)
        if self.contracted_min_per_week is None or not available:
            return None
        return min(self.contracted_min_per_week * horizon_days / 7, available)

    def skills_on(self, day: date | None) -> frozenset[str]:
        """Skills plus the credentials valid on ``day`` (all of them when no day is given)."""
        return self.skills | {c.name for c in self.credentials if day is None or c.valid_on(day)}


class Client(_Frozen):
    id: Id
    name: str | None = None
    location: Location
    excluded_caregivers: frozenset[str] = frozenset()
    preferred_caregivers: frozenset[str] = frozenset()
    preferred_gender: Gender | None = None
    languages: frozenset[str] = frozenset()
    has_pets: bool = False
    smoker: bool = False
    # Caregivers who have served this client before: when given, any other caregiver costs
    # Weights.new_caregiver_for_client (a repair fills it from the roster it repairs).
    known_caregivers: frozenset[str] = frozenset()

    @field_validator(
        "excluded_caregivers",
        "preferred_caregivers",
        "known_caregivers",
        "languages",
        mode="before",
    )
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(",", ";").split(";")]
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(str(v).strip() for v in value if str(v).strip())
        return value

    @field_validator("languages", mode="after")
    @classmethod
    def _lower(cls, value: frozenset[str]) -> frozenset[str]:
        return frozenset(v.lower() for v in value)


class Dependency(_Frozen):
    """This visit starts between ``min_lag_min`` and ``max_lag_min`` after visit ``after`` starts.

    The lag is start-to-start (as in Mankowska et al. 2014). It binds when both visits are
    assigned; either may be left unassigned on its own, with its own reason. With
    ``different_caregiver`` nobody who serves visit ``after`` serves this one (Mankowska's
    double services: two staff members, even when the lag would let one do both; an agency's
    second opinion, a supervisory visit by someone else).
    """

    after: Id
    min_lag_min: int = Field(default=0, ge=0)
    max_lag_min: int | None = Field(default=None, ge=0)
    different_caregiver: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_lag_min is not None and self.max_lag_min < self.min_lag_min:
            raise ValueError("max_lag_min is smaller than min_lag_min")
        return self


class Published(_Frozen):
    """Where a published roster has a visit: its caregivers and its start. A solve of a visit
    that carries one (a repair, ``scheduler.ops.repair``) pays for each change against it:
    Weights.changed_caregiver per caregiver not among ``caregiver_ids``, Weights.moved_start when
    the start moves by more than Settings.churn_tolerance_min."""

    caregiver_ids: tuple[Id, ...] = Field(min_length=1, max_length=2)
    start: Moment


class Visit(_Frozen):
    id: Id
    client_id: Id
    duration_min: int = Field(gt=0, le=24 * 60)
    windows: tuple[TimeWindow, ...] = Field(min_length=1)
    required_skills: frozenset[str] = frozenset()
    roles: frozenset[Role] = frozenset()  # empty: any role
    priority: int = Field(default=3, ge=1, le=5)  # 5 = most important
    caregivers_required: int = Field(default=1, ge=1, le=2)
    dependency: Dependency | None = None
    pinned_caregiver: Id | None = None
    published: Published | None = None
    load: int = Field(default=0, ge=0)  # taken from each serving caregiver's shift capacity

    @field_validator("required_skills", mode="before")
    @classmethod
    def _lower_set(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(",", ";").split(";")]
        if isinstance(value, (list, tuple, set, frozenset)):
            return frozenset(str(v).strip().lower() for v in value if str(v).strip())
        return value

    @field_validator("roles", mode="before")
    @classmethod
    def _split_roles(cls, value: object) -> object:
        if isinstance(value, str):
            return [
                part.strip().lower() for part in value.replace(",", ";").split(";") if part.strip()
            ]
        return value

    @model_validator(mode="after")
    def _windows_sorted_disjoint(self) -> Self:
        ordered = sorted(self.windows, key=lambda w: w.start)
        for earlier, later in pairwise(ordered):
            if later.start <= earlier.end:
                raise ValueError("time windows overlap; merge them into one")
        object.__setattr__(self, "windows", tuple(ordered))
        return self


class Weights(_Frozen):
    """Soft-goal weights, in cost units: one unit is one second of travel."""

    travel_per_s: int = Field(default=1, ge=0)
    non_preferred_caregiver: int = Field(default=900, ge=0)  # client named preferred caregivers
    language_mismatch: int = Field(default=600, ge=0)  # no shared language
    gender_mismatch: int = Field(default=1200, ge=0)  # preferred gender not met
    unassigned_per_priority: int = Field(default=36_000, ge=1)  # x priority (1..5), per caregiver
    # Soft windows (Settings.late_start_max_min > 0): per second a visit starts after its window,
    # and per second of the latest such start in the roster (Mankowska et al. 2014 weigh both).
    lateness_per_s: int = Field(default=10, ge=0)
    max_lateness_per_s: int = Field(default=0, ge=0)
    # Per second of working time beyond a caregiver's weekly overtime threshold.
    overtime_per_s: int = Field(default=2, ge=0)
    # Workload fairness in a weekly plan's first stage: per caregiver with a contract and per
    # percentage point between their planned work as a share of contract and a level common to
    # their role.
    workload_deviation_per_pct: int = Field(default=60, ge=0)
    # Churn against a published roster (visits with ``published``; a repair): per caregiver of
    # a visit who is not one it had, per start moved beyond the tolerance, and per visit given
    # to a caregiver the client has never had (Client.known_caregivers). Below one priority-1
    # visit left out (36,000): a repair covers first and changes little second.
    changed_caregiver: int = Field(default=5_400, ge=0)
    moved_start: int = Field(default=1_800, ge=0)
    new_caregiver_for_client: int = Field(default=1_800, ge=0)


class TravelModelName(StrEnum):
    GREAT_CIRCLE = "great_circle"  # distance on the sphere x detour factor / speed
    ROAD = "road"  # shortest paths on the roads of a local OpenStreetMap extract
    PLANAR = "planar"  # straight lines on a plane (x_km, y_km) / speed: benchmark instances
    MATRIX = "matrix"  # given travel times between place ids, one matrix file per travel mode


class TravelSettings(_Frozen):
    """Which travel model a scenario uses; great-circle needs no map."""

    model: TravelModelName = TravelModelName.GREAT_CIRCLE
    # A local OSM extract (.osm or .osm.bz2). It also geocodes addresses given without
    # coordinates. The readers make a relative path absolute against the scenario's folder.
    map_file: str | None = None
    # Travel model ``matrix``: per travel mode, a file of travel times between place ids
    # (io/matrix_files.py: CSV from_id,to_id,duration_s[,distance_m] or a square .npz). The
    # readers make a relative path absolute against the scenario's folder. A caregiver's own
    # speed_kph does not apply to a given matrix.
    matrix_files: dict[TravelMode, str] = {}

    @model_validator(mode="after")
    def _road_needs_map(self) -> Self:
        if self.model is TravelModelName.ROAD and not self.map_file:
            raise ValueError("road travel needs a map_file (an OSM extract)")
        if self.model is TravelModelName.MATRIX and not self.matrix_files:
            raise ValueError("matrix travel needs matrix_files (a file per travel mode)")
        return self


class Settings(_Frozen):
    travel: TravelSettings = TravelSettings()
    # Soft windows: a visit may start up to this long after its last window closes, at the
    # lateness weights; 0 keeps every window hard.
    late_start_max_min: int = Field(default=0, ge=0, le=7 * 24 * 60)
    # A published visit's start may move this much before it counts as moved (Published).
    churn_tolerance_min: int = Field(default=15, ge=0, le=24 * 60)
    detour_factor: float = Field(default=1.3, ge=1.0, le=3.0)
    drive_speed_kph: float = Field(default=30.0, gt=0, le=150)
    bicycle_speed_kph: float = Field(default=15.0, gt=0, le=60)
    walk_speed_kph: float = Field(default=4.5, gt=0, le=10)
    weights: Weights = Weights()

    def speed_kph(self, caregiver: Caregiver) -> float:
        if caregiver.speed_kph is not None:
            return caregiver.speed_kph
        return {
            TravelMode.DRIVE: self.drive_speed_kph,
            TravelMode.BICYCLE: self.bicycle_speed_kph,
            TravelMode.WALK: self.walk_speed_kph,
        }[caregiver.travel_mode]


class Scenario(_Frozen):
    """Everything one solve needs: the caseload of a day (or more) plus settings."""

    name: str = "scenario"
    time_zone: str = "UTC"
    caregivers: tuple[Caregiver, ...] = ()
    clients: tuple[Client, ...] = ()
    visits: tuple[Visit, ...] = ()
    settings: Settings = Settings()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown IANA time zone {value[:60]!r}") from None
        return value

    @model_validator(mode="after")
    def _local_times(self) -> Self:
        """Times given with a UTC offset become local wall-clock times of the scenario's zone
        (the same moments), so that they compare with the times given without one."""
        zone = self.zone
        for name in ("caregivers", "visits"):
            items = getattr(self, name)
            local = tuple(local_times(item, zone) for item in items)
            if any(a is not b for a, b in zip(local, items, strict=True)):
                object.__setattr__(self, name, local)  # frozen: set once, while validating
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; the look-up tables below are rebuilt for it, never carried over stale."""
        copied = super().model_copy(update=update, deep=deep)
        for name in ("caregivers_by_id", "clients_by_id", "visits_by_id"):
            copied.__dict__.pop(name, None)
        return copied

    def local_date(self, moment: datetime) -> date:
        """The calendar day of ``moment`` in the scenario's zone (naive times are local)."""
        return moment.date() if moment.tzinfo is None else moment.astimezone(self.zone).date()

    def horizon_days(self) -> int:
        """Calendar days from the earliest to the latest shift or visit window (0 when none)."""
        moments = [m for c in self.caregivers for s in c.shifts for m in (s.start, s.end)]
        moments += [m for v in self.visits for w in v.windows for m in (w.start, w.end)]
        days = [self.local_date(m) for m in moments]
        return (max(days) - min(days)).days + 1 if days else 0

    @cached_property
    def caregivers_by_id(self) -> dict[str, Caregiver]:
        return {c.id: c for c in self.caregivers}

    @cached_property
    def clients_by_id(self) -> dict[str, Client]:
        return {c.id: c for c in self.clients}

    @cached_property
    def visits_by_id(self) -> dict[str, Visit]:
        return {v.id: v for v in self.visits}
