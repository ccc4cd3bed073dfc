"""Travel-time matrices as files: what OSRM, Valhalla or a commercial service computed, keyed
by place ids (a client's or caregiver's id, or a location's ``place_id``).

Two forms, one per travel mode:

- CSV, long: ``from_id,to_id,duration_s[,distance_m]``, one row per ordered pair;
- ``.npz``, square: ``ids`` (n strings), ``duration_s`` (n x n) and optionally ``distance_m``.

Every value must be a finite non-negative number and a place's duration to itself 0; every
problem is named with the file, the row (CSV line, or the matrix row) and the ids. Which pairs
must be there depends on the scenario: ``require_pairs`` checks that every pair between the
places it uses is present.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scheduler.atomic import atomic_file
from scheduler.domain.model import Location, Scenario, TravelMode
from scheduler.errors import MatrixError, Problem
from scheduler.travel.matrix import MatrixTravel

CSV_COLUMNS = ("from_id", "to_id", "duration_s", "distance_m")
MAX_DURATION_S = 7 * 24 * 3600  # a week: a longer trip between two clients is a unit error
MAX_LISTED = 20  # problems of one kind named one by one; the rest counted


@dataclass(frozen=True)
class TravelMatrix:
    """Seconds (and optionally metres) between the places ``ids``; NaN where a pair is not
    given (a CSV may leave out pairs nobody travels)."""

    ids: tuple[str, ...]
    duration_s: np.ndarray
    distance_m: np.ndarray | None = None
    source: str = ""

    def index(self) -> dict[str, int]:
        return {place: i for i, place in enumerate(self.ids)}


def read_matrix(path: str | Path) -> TravelMatrix:
    """The matrix in ``path`` (``.csv`` or ``.npz``), checked; MatrixError naming every problem.
    Read once per file version (a scenario's loader and its travel model share the reading)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise MatrixError([Problem(str(path), "no such file")]) from None
    return _read_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_cached(path: str, _mtime_ns: int, _size: int) -> TravelMatrix:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return _read_csv(Path(path))
    if suffix == ".npz":
        return _read_npz(Path(path))
    raise MatrixError([Problem(path, "expected a .csv (from_id,to_id,duration_s) or .npz file")])


def _read_csv(path: Path) -> TravelMatrix:
    source = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise MatrixError([Problem(source, f"cannot read as CSV: {exc}")]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    problems = [
        Problem(source, f"unknown column (expected some of {list(CSV_COLUMNS)})", row=1, field=c)
        for c in frame.columns
        if c not in CSV_COLUMNS
    ]
    problems += [
        Problem(source, "the column is missing", row=1, field=c)
        for c in CSV_COLUMNS[:3]
        if c not in frame.columns
    ]
    if problems:
        raise MatrixError(problems)
    lines = np.arange(len(frame)) + 2  # the header is line 1
    origin = frame["from_id"].str.strip().to_numpy(dtype=str)
    target = frame["to_id"].str.strip().to_numpy(dtype=str)
    for column, ids in (("from_id", origin), ("to_id", target)):
        problems += _listed(source, "no place id", lines[ids == ""], column, origin, target)
    duration = _numbers(source, frame["duration_s"], "duration_s", lines, origin, target, problems)
    distance = (
        _numbers(source, frame["distance_m"], "distance_m", lines, origin, target, problems)
        if "distance_m" in frame.columns
        else None
    )
    pairs = pd.Series(list(zip(origin, target, strict=True)))
    repeated = pairs.duplicated(keep="first").to_numpy()
    problems += _listed(
        source, "the pair is given twice", lines[repeated], "from_id", origin, target
    )
    if problems:
        raise MatrixError(problems)
    names = tuple(sorted(set(origin) | set(target)))
    at = {place: i for i, place in enumerate(names)}
    rows = np.fromiter((at[p] for p in origin), dtype=np.int64, count=len(origin))
    cols = np.fromiter((at[p] for p in target), dtype=np.int64, count=len(target))
    square = np.full((len(names), len(names)), np.nan)
    square[rows, cols] = duration
    metres = None
    if distance is not None:
        metres = np.full((len(names), len(names)), np.nan)
        metres[rows, cols] = distance
    diagonal = np.isnan(np.diagonal(square))
    square[diagonal, diagonal] = 0.0  # a place's trip to itself may be left out
    return TravelMatrix(names, square, metres, source)


def _numbers(
    source: str,
    cells: pd.Series,
    column: str,
    lines: np.ndarray,
    origin: np.ndarray,
    target: np.ndarray,
    problems: list[Problem],
) -> np.ndarray:
    """The column's numbers; a cell that is not one, or not a value it may hold, is a problem
    of its line."""
    values = pd.to_numeric(cells.str.strip(), errors="coerce").to_numpy(dtype=np.float64)
    text = cells.str.strip().str.lower()
    unreadable = np.isnan(values) & ~text.isin(["nan"]).to_numpy()
    problems += _listed(source, "not a number", lines[unreadable], column, origin, target)
    limit = MAX_DURATION_S if column == "duration_s" else None
    bad = _out_of_range(values, limit) & ~unreadable
    problems += _listed(source, _range_text(limit), lines[bad], column, origin, target)
    if column == "duration_s":
        itself = (origin == target) & (values != 0) & ~bad & ~unreadable
        problems += _listed(source, "to itself must be 0", lines[itself], column, origin, target)
    return values


def _out_of_range(values: np.ndarray, limit: float | None) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(values) | (values < 0)
        if limit is not None:
            bad |= values > limit
    return bad


def _range_text(limit: float | None) -> str:
    return "must be finite, non-negative" + (" and at most a week" if limit else "")


def _listed(
    source: str,
    message: str,
    at_lines: np.ndarray,
    field: str,
    origin: np.ndarray,
    target: np.ndarray,
) -> list[Problem]:
    """One problem per CSV line in ``at_lines`` (the first MAX_LISTED, then a count)."""
    found = []
    for line in at_lines[:MAX_LISTED]:
        i = int(line) - 2
        pair = f"{origin[i] or '?'} -> {target[i] or '?'}"
        found.append(Problem(source, message, row=int(line), field=field, item_id=pair))
    if len(at_lines) > MAX_LISTED:
        found.append(Problem(source, f"{message}: {len(at_lines) - MAX_LISTED} more rows"))
    return found


def _read_npz(path: Path) -> TravelMatrix:
    source = str(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (ValueError, OSError, EOFError) as exc:
        raise MatrixError([Problem(source, f"cannot read as .npz: {exc}")]) from None
    problems = [
        Problem(source, "the array is missing", field=name)
        for name in ("ids", "duration_s")
        if name not in arrays
    ]
    problems += [
        Problem(source, "unknown array (expected ids, duration_s, distance_m)", field=name)
        for name in arrays
        if name not in ("ids", "duration_s", "distance_m")
    ]
    if problems:
        raise MatrixError(problems)
    ids = arrays["ids"]
    if ids.ndim != 1 or ids.dtype.kind not in "UOiu":
        raise MatrixError([Problem(source, "ids must be a list of place ids", field="ids")])
    names = tuple(str(x).strip() for x in ids.tolist())
    n = len(names)
    matrices: dict[str, np.ndarray] = {}
    for name in ("duration_s", "distance_m"):
        if name not in arrays:
            continue
        values = arrays[name]
        if values.shape != (n, n):
            problems.append(
                Problem(
                    source, f"shape {values.shape}, expected ({n}, {n}) for {n} ids", field=name
                )
            )
        elif values.dtype.kind not in "iuf":
            problems.append(Problem(source, f"not numbers ({values.dtype})", field=name))
        else:
            matrices[name] = values.astype(np.float64)
    seen: set[str] = set()
    for row, place in enumerate(names):
        if not place or place in seen:
            what = "an empty place id" if not place else "a place id given twice"
            problems.append(Problem(source, what, row=row, field="ids", item_id=place or None))
        seen.add(place)
    if problems:
        raise MatrixError(problems)
    return _checked(TravelMatrix(names, matrices["duration_s"], matrices.get("distance_m"), source))


def _checked(matrix: TravelMatrix) -> TravelMatrix:
    """``matrix`` (a square file's) when every value is finite, non-negative (a duration at
    most a week) and each place's duration to itself 0; MatrixError naming the pairs otherwise.
    NaN is a pair not given."""
    problems: list[Problem] = []
    for field, values, limit in (
        ("duration_s", matrix.duration_s, MAX_DURATION_S),
        ("distance_m", matrix.distance_m, None),
    ):
        if values is None:
            continue
        given = ~np.isnan(values)
        problems += _pairs(matrix, given & _out_of_range(values, limit), field, _range_text(limit))
        if field == "duration_s":
            eye = np.eye(len(matrix.ids), dtype=bool)
            problems += _pairs(matrix, eye & given & (values != 0), field, "to itself must be 0")
    if problems:
        raise MatrixError(problems)
    return matrix


def _pairs(matrix: TravelMatrix, mask: np.ndarray, field: str, message: str) -> list[Problem]:
    rows, cols = np.nonzero(mask)
    found = [
        Problem(
            matrix.source,
            f"{message}, got {matrix_value(matrix, field, i, j)}",
            row=int(i),
            field=field,
            item_id=f"{matrix.ids[i]} -> {matrix.ids[j]}",
        )
        for i, j in zip(rows[:MAX_LISTED], cols[:MAX_LISTED], strict=True)
    ]
    if len(rows) > MAX_LISTED:
        found.append(Problem(matrix.source, f"{message}: {len(rows) - MAX_LISTED} more pairs"))
    return found


def matrix_value(matrix: TravelMatrix, field: str, i: int, j: int) -> float:
    values = matrix.duration_s if field == "duration_s" else matrix.distance_m
    assert values is not None
    return float(values[i, j])


def require_pairs(matrix: TravelMatrix, places: Sequence[str], what: str) -> list[Problem]:
    """Problems for every place of ``places`` the matrix lacks and every pair between them it
    does not give (``what`` says which scenario field the ids come from)."""
    index = matrix.index()
    missing = [p for p in dict.fromkeys(places) if p not in index]
    problems = [
        Problem(matrix.source, f"no place {p!r} ({what})", field="from_id", item_id=p)
        for p in missing[:MAX_LISTED]
    ]
    if len(missing) > MAX_LISTED:
        problems.append(Problem(matrix.source, f"{len(missing) - MAX_LISTED} more places missing"))
    known = np.array([index[p] for p in dict.fromkeys(places) if p in index], dtype=np.int64)
    if len(known):
        block = matrix.duration_s[np.ix_(known, known)]
        gaps = np.isnan(block)
        rows, cols = np.nonzero(gaps)
        for i, j in zip(rows[:MAX_LISTED], cols[:MAX_LISTED], strict=True):
            pair = f"{matrix.ids[known[i]]} -> {matrix.ids[known[j]]}"
            problems.append(Problem(matrix.source, "no duration for this pair", item_id=pair))
        if len(rows) > MAX_LISTED:
            problems.append(Problem(matrix.source, f"{len(rows) - MAX_LISTED} more pairs missing"))
    return problems


def scenario_places(scenario: Scenario) -> list[tuple[str, Location, str]]:
    """Each place of ``scenario`` with its matrix id and what names it: clients' locations and
    caregivers' homes, by ``place_id`` or else the client's or caregiver's id."""
    places = [(c.location.place_id or c.id, c.location, f"client {c.id}") for c in scenario.clients]
    places += [(c.home.place_id or c.id, c.home, f"home of {c.id}") for c in scenario.caregivers]
    return places


def scenario_matrices(scenario: Scenario, source: str) -> dict[TravelMode, TravelMatrix]:
    """The matrix of every travel mode ``scenario``'s caregivers use, read and checked to give
    every pair between its places; MatrixError naming every problem (``source`` is where the
    scenario's settings are, for a mode without a file)."""
    files = scenario.settings.travel.matrix_files
    modes = sorted({c.travel_mode for c in scenario.caregivers})
    places = scenario_places(scenario)
    problems: list[Problem] = []
    found: dict[TravelMode, TravelMatrix] = {}
    for mode in modes:
        if mode not in files:
            field = f"settings.travel.matrix_files.{mode.value}"
            problems.append(
                Problem(source, f"no matrix for the caregivers who {mode.value}", field=field)
            )
            continue
        try:
            matrix = read_matrix(files[mode])
        except MatrixError as exc:
            problems += exc.problems
            continue
        for place_id, _, what in places:
            if place_id not in matrix.index():
                problems.append(
                    Problem(matrix.source, f"no place {place_id!r} ({what})", item_id=place_id)
                )
        if not problems:
            problems += require_pairs(matrix, [p for p, _, _ in places], "the scenario's places")
        found[mode] = matrix
    if problems:
        raise MatrixError(problems[: 3 * MAX_LISTED])
    return found


def matrix_travel(scenario: Scenario, source: str = "the scenario") -> MatrixTravel:
    """The travel model of a ``matrix`` scenario: its files' times between its places (a place
    is found by its coordinates; two ids at the same coordinates travel as the first)."""
    matrices = scenario_matrices(scenario, source)
    rows: dict[tuple[float, float], str] = {}
    for place_id, location, _ in scenario_places(scenario):
        rows.setdefault(location.key, place_id)
    keys = tuple(rows)
    seconds = {}
    for mode, matrix in matrices.items():
        index = matrix.index()
        at = np.array([index[rows[key]] for key in keys], dtype=np.int64)
        seconds[mode] = matrix.duration_s[np.ix_(at, at)]
    return MatrixTravel(keys=keys, seconds=seconds)


def write_matrix(path: str | Path, matrix: TravelMatrix) -> None:
    """Write ``matrix`` as ``.npz`` (square) or CSV (long; any other suffix), atomically."""
    path = Path(path)
    if path.suffix.lower() == ".npz":
        arrays: dict[str, Any] = {"ids": np.array(matrix.ids), "duration_s": matrix.duration_s}
        if matrix.distance_m is not None:
            arrays["distance_m"] = matrix.distance_m
        with atomic_file(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        return
    n = len(matrix.ids)
    ids = np.array(matrix.ids, dtype=object)
    columns = {
        "from_id": np.repeat(ids, n),
        "to_id": np.tile(ids, n),
        "duration_s": matrix.duration_s.ravel(),
    }
    if matrix.distance_m is not None:
        columns["distance_m"] = matrix.distance_m.ravel()
    frame = pd.DataFrame(columns)
    frame = frame[frame["duration_s"].notna()]  # a pair not given is a row left out
    with atomic_file(path) as handle:
        frame.to_csv(handle, index=False, float_format="%.3f", lineterminator="\n")
