"""Read a scenario from one JSON file or from a folder of CSV files.

Every problem is collected with its file, row and field, and raised once as ScenarioError.

CSV folder: ``caregivers.csv``, ``clients.csv``, ``visits.csv`` and an optional ``scenario.json``
(name, time_zone, settings). Lists are ``;``-separated; windows and shifts are ISO 8601 intervals
``2026-11-24T08:00/2026-11-24T10:00`` (or ``2026-11-24T08:00/10:00``), several separated by ``;``.

A place is given by coordinates (``lat``/``lon``) or by an address line alone, which is geocoded
(offline, against the scenario's map unless another geocoder is passed). Coordinates win when both
are given. An address that cannot be resolved is a problem of its row, with the closest matches.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from scheduler.atomic import staged_files, write_atomic
from scheduler.domain.model import Caregiver, Client, Location, Scenario, TravelModelName, Visit
from scheduler.domain.validation import find_reference_problems
from scheduler.errors import InputFileError, Problem, ScenarioError
from scheduler.geocode.base import Geocoder

CSV_FILES = {"caregivers": "caregivers.csv", "clients": "clients.csv", "visits": "visits.csv"}
SETTINGS_FILE = "scenario.json"


def load_scenario(
    path: str | Path,
    *,
    map_file: str | Path | None = None,
    travel_model: TravelModelName | str | None = None,
    geocoder: Geocoder | None = None,
) -> Scenario:
    """A validated scenario from a ``.json`` file or a folder of CSV files.

    ``map_file`` and ``travel_model`` override the scenario's travel settings (a map alone means
    road travel on it); ``geocoder`` replaces the offline address book of the map.
    """
    path = Path(path)
    override = _travel_override(map_file, travel_model)
    try:
        is_folder, exists = path.is_dir(), path.exists()
    except OSError as exc:  # a name too long, a folder that cannot be entered
        raise ScenarioError([Problem(str(path)[:300], f"cannot be read: {exc.strerror}")]) from None
    if is_folder:
        return _load_csv_folder(path, override, geocoder)
    if not exists:
        raise ScenarioError([Problem(str(path), "no such file or folder")])
    if path.suffix.lower() != ".json":
        raise ScenarioError([Problem(str(path), "expected a .json file or a folder of CSV files")])
    return _load_json(path, override, geocoder)


def _travel_override(
    map_file: str | Path | None, travel_model: TravelModelName | str | None
) -> dict[str, str]:
    override: dict[str, str] = {}
    if map_file is not None:
        override["map_file"] = str(Path(map_file).resolve())
        override["model"] = TravelModelName.ROAD.value
    if travel_model is not None:
        override["model"] = TravelModelName(travel_model).value
    return override


def _with_travel(header: dict[str, Any], base: Path, override: dict[str, str]) -> dict[str, Any]:
    """``header`` with its map path made absolute against ``base``, and ``override`` applied."""
    settings = header.get("settings")
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        return header  # pydantic reports it
    travel = settings.get("travel") or {}
    if not isinstance(travel, dict):
        return header
    travel = dict(travel)
    if isinstance(travel.get("map_file"), str):
        travel["map_file"] = str((base / travel["map_file"]).resolve())
    if isinstance(travel.get("matrix_files"), dict):
        travel["matrix_files"] = {
            mode: str((base / name).resolve()) if isinstance(name, str) else name
            for mode, name in travel["matrix_files"].items()
        }
    travel.update(override)
    return {**header, "settings": {**settings, "travel": travel}}


class _Places:
    """Fills in coordinates from address lines, creating the map's address book on first need."""

    def __init__(self, header: dict[str, Any], geocoder: Geocoder | None):
        self._header = header
        self._geocoder = geocoder

    def _book(self) -> Geocoder | None:
        if self._geocoder is None:
            travel = (self._header.get("settings") or {}).get("travel") or {}
            if isinstance(travel, dict) and isinstance(travel.get("map_file"), str):
                from scheduler.geocode.osm import OsmAddressBook

                self._geocoder = OsmAddressBook(travel["map_file"])
        return self._geocoder

    def fill(self, place: Any) -> str | None:
        """Geocode ``place`` (a location dict) in place when it has an address and no
        coordinates; the problem, if any, as a message."""
        if not isinstance(place, dict) or not place.get("address"):
            return None
        given = ("lat", "lon", "x_km", "y_km")
        if any(place.get(k) not in (None, "") for k in given):
            return None  # coordinates win over the address
        geocoder = self._book()
        if geocoder is None:
            return (
                "no coordinates, and no map to find the address in "
                "(set settings.travel.map_file or pass --map)"
            )
        found = geocoder.resolve(str(place["address"]))
        if found is None:
            closest = geocoder.closest(str(place["address"]))
            hint = f"; closest: {' | '.join(closest)}" if closest else ""
            return f"address {place['address']!r} not found{hint}"
        place["lat"], place["lon"] = found.lat, found.lon
        return None


# --- JSON ---------------------------------------------------------------------------------------

_PLACE_OF = {"clients": "location", "caregivers": "home"}


def _load_json(path: Path, override: dict[str, str], geocoder: Geocoder | None) -> Scenario:
    source = str(path)
    raw = read_json(path, ScenarioError)
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(source, "the top level must be an object")])
    raw = _with_travel(raw, path.parent, override)
    places = _Places(raw, geocoder)
    problems = []
    for collection, key in _PLACE_OF.items():
        items = raw.get(collection)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and (message := places.fill(item.get(key))):
                row, item_id = f"{collection}[{index}]", item.get("id")
                problems.append(
                    Problem(source, message, row=row, field=f"{key}.address", item_id=item_id)
                )
    if problems:
        raise ScenarioError(problems)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError([json_problem(source, raw, err) for err in exc.errors()]) from None
    _raise_travel_problems(scenario, source)
    _raise_reference_problems(scenario, lambda coll, i: (source, f"{coll}[{i}]"))
    return scenario


def read_json(path: Path, error: type[InputFileError]) -> Any:
    """Parsed JSON, or ``error`` naming the file (and line) when it cannot be read."""
    source = str(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error([Problem(source, "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error([Problem(source, f"cannot read: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise error([Problem(source, f"not valid JSON: {exc.msg}", row=exc.lineno)]) from None
    except RecursionError:
        raise error([Problem(source, "not usable JSON: nested too deeply")]) from None


def read_csv_table(path: Path, error: type[InputFileError]) -> pd.DataFrame:
    """A CSV file as text cells (header names stripped), or ``error`` naming the file when it
    cannot be read."""
    source = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise error([Problem(source, "no such file")]) from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise error([Problem(source, f"cannot read as CSV: {exc}")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def json_problem(source: str, raw: dict[str, Any], err: Any) -> Problem:
    loc = list(err["loc"])
    row: str | None = None
    item_id = None
    if len(loc) >= 2 and isinstance(loc[1], int):
        collection, index = loc[0], loc[1]
        row = f"{collection}[{index}]"
        items = raw.get(str(collection))
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            item_id = items[index].get("id")
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or None
    return Problem(
        source,
        _message(err),
        row=row,
        field=field,
        item_id=str(item_id) if item_id is not None else None,
    )


def _message(err: Any) -> str:
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


# --- CSV folder ---------------------------------------------------------------------------------

_CAREGIVER_COLUMNS = {
    "id",
    "name",
    "role",
    "skills",
    "home_lat",
    "home_lon",
    "home_x_km",
    "home_y_km",
    "home_address",
    "shifts",
    "max_work_min_per_day",
    "max_work_min_per_week",
    "overtime_after_min_per_week",
    "contracted_min_per_week",
    "min_rest_min",
    "break_after_min",
    "break_min",
    "credentials",
    "travel_mode",
    "speed_kph",
    "languages",
    "gender",
    "avoids_pets",
    "avoids_smoking",
    "capacity",
}
_CLIENT_COLUMNS = {
    "id",
    "name",
    "lat",
    "lon",
    "x_km",
    "y_km",
    "address",
    "excluded_caregivers",
    "preferred_caregivers",
    "preferred_gender",
    "languages",
    "has_pets",
    "smoker",
}
_VISIT_COLUMNS = {
    "id",
    "client_id",
    "duration_min",
    "windows",
    "required_skills",
    "roles",
    "priority",
    "caregivers_required",
    "after",
    "min_lag_min",
    "max_lag_min",
    "pinned_caregiver",
    "load",
}


class CellError(ValueError):
    """A cell that cannot be read, with the column it is in."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def _intervals(text: str, column: str = "windows") -> list[dict[str, str]]:
    """``a/b; c/d`` -> [{start, end}, ...]; an end without a date takes the start's date.
    CellError naming ``column`` when a part is not such an interval."""
    out = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        if part.count("/") != 1:
            raise CellError(column, f"{part[:60]!r} is not an interval 'start/end'")
        start_text, end_text = (s.strip() for s in part.split("/"))
        try:
            start = datetime.fromisoformat(start_text)
            if "T" not in end_text and " " not in end_text and "-" not in end_text:
                end_text = f"{start.date().isoformat()}T{end_text}"
            datetime.fromisoformat(end_text)
        except ValueError:
            message = (
                f"{part[:60]!r} is not an interval of dates and times (2026-11-24T08:00/10:00)"
            )
            raise CellError(column, message) from None
        out.append({"start": start_text, "end": end_text})
    return out


def _place(row: dict[str, str], prefix: str) -> dict[str, Any]:
    """A location record from the (prefixed) lat, lon, x_km, y_km and address columns."""
    keys = ("lat", "lon", "x_km", "y_km", "address")
    return {k: row[prefix + k] for k in keys if row.get(prefix + k)}


def _caregiver_record(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {k: v for k, v in row.items() if not k.startswith("home_")}
    record.pop("shifts", None)
    record["home"] = _place(row, "home_")
    if "shifts" in row:
        record["shifts"] = _intervals(row["shifts"], "shifts")
    return record


def _client_record(row: dict[str, str]) -> dict[str, Any]:
    place_columns = {"lat", "lon", "x_km", "y_km", "address"}
    record: dict[str, Any] = {k: v for k, v in row.items() if k not in place_columns}
    record["location"] = _place(row, "")
    return record


def _visit_record(row: dict[str, str]) -> dict[str, Any]:
    lag_keys = {"after", "min_lag_min", "max_lag_min"}
    record: dict[str, Any] = {k: v for k, v in row.items() if k not in lag_keys | {"windows"}}
    if "windows" in row:
        record["windows"] = _intervals(row["windows"])
    if row.get("after"):
        record["dependency"] = {k: row[k] for k in lag_keys if row.get(k)}
    elif row.get("min_lag_min") or row.get("max_lag_min"):
        raise ValueError("min_lag_min/max_lag_min given without 'after'")
    return record


_CSV_SPECS: dict[
    str, tuple[type[BaseModel], set[str], Callable[[dict[str, str]], dict[str, Any]]]
] = {
    "caregivers": (Caregiver, _CAREGIVER_COLUMNS, _caregiver_record),
    "clients": (Client, _CLIENT_COLUMNS, _client_record),
    "visits": (Visit, _VISIT_COLUMNS, _visit_record),
}
_RECORD_TO_COLUMN = {
    "home.lat": "home_lat",
    "home.lon": "home_lon",
    "home.x_km": "home_x_km",
    "home.y_km": "home_y_km",
    "home": "home_lat",
    "location.lat": "lat",
    "location.lon": "lon",
    "location.x_km": "x_km",
    "location.y_km": "y_km",
    "location": "lat",
    "dependency.after": "after",
    "dependency.min_lag_min": "min_lag_min",
    "dependency.max_lag_min": "max_lag_min",
    "dependency": "after",
}


def _column(field: str) -> str:
    if field in _RECORD_TO_COLUMN:
        return _RECORD_TO_COLUMN[field]
    return field.split(".")[0]


def _load_csv_folder(folder: Path, override: dict[str, str], geocoder: Geocoder | None) -> Scenario:
    problems: list[Problem] = []
    header: dict[str, Any] = {}
    settings_path = folder / SETTINGS_FILE
    if settings_path.exists():
        try:
            header = json.loads(settings_path.read_text(encoding="utf-8"))
            if not isinstance(header, dict):
                raise ValueError("the top level must be an object")
        except RecursionError:
            problems.append(Problem(str(settings_path), "not usable JSON: nested too deeply"))
            header = {}
        except (ValueError, OSError) as exc:
            problems.append(Problem(str(settings_path), f"cannot read: {exc}"))
            header = {}
    header = _with_travel(header, folder, override)
    places = _Places(header, geocoder)

    records: dict[str, list[Any]] = {}
    rows_of: dict[str, list[int]] = {}
    for collection, (model, columns, to_record) in _CSV_SPECS.items():
        path = folder / CSV_FILES[collection]
        source = str(path)
        records[collection], rows_of[collection] = [], []
        if not path.exists():
            problems.append(Problem(source, "file is missing"))
            continue
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(source, f"cannot read as CSV: {exc}"))
            continue
        frame.columns = [str(c).strip() for c in frame.columns]
        for unknown in sorted(set(frame.columns) - columns):
            problems.append(
                Problem(
                    source,
                    f"unknown column (expected some of {sorted(columns)})",
                    row=1,
                    field=unknown,
                )
            )
        if "id" not in frame.columns:
            problems.append(Problem(source, "the 'id' column is missing", row=1))
            continue
        for position, raw in enumerate(frame.to_dict(orient="records")):
            line = position + 2  # the header is line 1
            row = {
                k: str(v).strip() for k, v in raw.items() if k in columns and str(v).strip() != ""
            }
            item_id = row.get("id")
            try:
                record = to_record(row)
                place_key = _PLACE_OF.get(collection)
                if place_key and (message := places.fill(record.get(place_key))):
                    column = "home_address" if collection == "caregivers" else "address"
                    problems.append(
                        Problem(source, message, row=line, field=column, item_id=item_id)
                    )
                    continue
                records[collection].append(model.model_validate(record))
                rows_of[collection].append(line)
            except ValueError as exc:
                if isinstance(exc, ValidationError):
                    for err in exc.errors():
                        field = ".".join(str(p) for p in err["loc"]) or None
                        problems.append(
                            Problem(
                                source,
                                _message(err),
                                row=line,
                                field=_column(field) if field else None,
                                item_id=item_id,
                            )
                        )
                else:
                    cell = exc.column if isinstance(exc, CellError) else None
                    problems.append(
                        Problem(source, str(exc), row=line, field=cell, item_id=item_id)
                    )
    if problems:
        raise ScenarioError(problems)

    try:
        scenario = Scenario.model_validate({**header, **records})
    except ValidationError as exc:
        raise ScenarioError(
            [
                Problem(str(settings_path), _message(e), field=".".join(map(str, e["loc"])))
                for e in exc.errors()
            ]
        ) from None

    _raise_travel_problems(scenario, str(settings_path))

    def locate(collection: str, index: int) -> tuple[str, int]:
        return str(folder / CSV_FILES[collection]), rows_of[collection][index]

    _raise_reference_problems(scenario, locate)
    return scenario


def _raise_travel_problems(scenario: Scenario, source: str) -> None:
    """The map or the travel matrices the scenario names, checked (a matrix: read, and giving
    every pair of places the scenario has)."""
    travel = scenario.settings.travel
    if travel.map_file and not Path(travel.map_file).is_file():
        message = f"map file {travel.map_file} does not exist"
        raise ScenarioError([Problem(source, message, field="settings.travel.map_file")])
    if travel.model is TravelModelName.MATRIX:
        from scheduler.io.matrix_files import scenario_matrices

        scenario_matrices(scenario, source)


def _raise_reference_problems(
    scenario: Scenario, locate: Callable[[str, int], tuple[str, int | str]]
) -> None:
    findings = find_reference_problems(scenario)
    if findings:
        problems = []
        for f in findings:
            source, row = locate(f.collection, f.index)
            problems.append(
                Problem(source, f.message, row=row, field=_column(f.field), item_id=f.item_id)
            )
        raise ScenarioError(problems)


# --- writing ------------------------------------------------------------------------------------


def _joined(values: object) -> str:
    return ";".join(sorted(str(getattr(v, "value", v)) for v in values))  # type: ignore[attr-defined]


def _interval_text(items: tuple[Any, ...]) -> str:
    return ";".join(
        f"{w.start.isoformat(timespec='minutes')}/{w.end.isoformat(timespec='minutes')}"
        for w in items
    )


def _place_columns(place: Location, prefix: str, planar: bool) -> dict[str, object]:
    keys = ("x_km", "y_km") if planar else ("lat", "lon")
    values = {prefix + k: getattr(place, k) for k in keys}
    return {**values, prefix + "address": place.address or ""}


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` as a ``.json`` file, or as a CSV folder (any other path)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        write_atomic(path, scenario.model_dump_json(indent=2, exclude_defaults=True) + "\n")
        return
    planar = scenario.settings.travel.model is TravelModelName.PLANAR
    caregivers = [
        {
            "id": c.id,
            "name": c.name or "",
            "role": c.role.value,
            "skills": _joined(c.skills),
            **_place_columns(c.home, "home_", planar),
            "shifts": _interval_text(c.shifts),
            "max_work_min_per_day": c.max_work_min_per_day or "",
            "max_work_min_per_week": c.max_work_min_per_week or "",
            "overtime_after_min_per_week": c.overtime_after_min_per_week or "",
            "contracted_min_per_week": c.contracted_min_per_week or "",
            "min_rest_min": c.min_rest_min or "",
            "break_after_min": c.break_after_min or "",
            "break_min": c.break_min,
            "credentials": "; ".join(
                f"{k.name}:{k.valid_until.isoformat()}" if k.valid_until else k.name
                for k in c.credentials
            ),
            "travel_mode": c.travel_mode.value,
            "speed_kph": c.speed_kph or "",
            "languages": _joined(c.languages),
            "gender": c.gender.value if c.gender else "",
            "avoids_pets": c.avoids_pets,
            "avoids_smoking": c.avoids_smoking,
            "capacity": "" if c.capacity is None else c.capacity,
        }
        for c in scenario.caregivers
    ]
    clients = [
        {
            "id": c.id,
            "name": c.name or "",
            **_place_columns(c.location, "", planar),
            "excluded_caregivers": _joined(c.excluded_caregivers),
            "preferred_caregivers": _joined(c.preferred_caregivers),
            "preferred_gender": c.preferred_gender.value if c.preferred_gender else "",
            "languages": _joined(c.languages),
            "has_pets": c.has_pets,
            "smoker": c.smoker,
        }
        for c in scenario.clients
    ]
    visits = [
        {
            "id": v.id,
            "client_id": v.client_id,
            "duration_min": v.duration_min,
            "windows": _interval_text(v.windows),
            "required_skills": _joined(v.required_skills),
            "roles": _joined(v.roles),
            "priority": v.priority,
            "caregivers_required": v.caregivers_required,
            "after": v.dependency.after if v.dependency else "",
            "min_lag_min": v.dependency.min_lag_min if v.dependency else "",
            "max_lag_min": (
                v.dependency.max_lag_min
                if v.dependency and v.dependency.max_lag_min is not None
                else ""
            ),
            "pinned_caregiver": v.pinned_caregiver or "",
            "load": v.load,
        }
        for v in scenario.visits
    ]
    header = {
        "name": scenario.name,
        "time_zone": scenario.time_zone,
        "settings": scenario.settings.model_dump(),
    }
    with staged_files(path) as staging:  # the folder's files appear together
        tables = (("caregivers", caregivers), ("clients", clients), ("visits", visits))
        for collection, rows in tables:
            # An empty collection still gets its header, so that the folder reads back.
            columns = list(rows[0]) if rows else ["id"]
            frame = pd.DataFrame(rows, columns=columns)
            frame.to_csv(staging / CSV_FILES[collection], index=False)
        (staging / SETTINGS_FILE).write_text(json.dumps(header, indent=2) + "\n", encoding="utf-8")
