"""A travel-time matrix from a routing service's table endpoint: OSRM (``/table/v1``) or
Valhalla (``/sources_to_targets``), the scenario's places asked in blocks of sources and
destinations (services cap a request's size), the answer as a ``TravelMatrix`` to write with
``io/matrix_files.write_matrix``. A pair the service cannot route is left out (NaN), so the
scenario's check names it.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import numpy as np

from scheduler.domain.model import Location, TravelMode
from scheduler.errors import MatrixError, Problem
from scheduler.io.matrix_files import TravelMatrix

TIMEOUT_S = 60.0
BLOCK = 100  # places per side of one request (OSRM's default max-table-size is 100)


class TableService(StrEnum):
    OSRM = "osrm"
    VALHALLA = "valhalla"


OSRM_PROFILES = {
    TravelMode.DRIVE: "driving",
    TravelMode.BICYCLE: "cycling",
    TravelMode.WALK: "foot",
}
VALHALLA_COSTING = {
    TravelMode.DRIVE: "auto",
    TravelMode.BICYCLE: "bicycle",
    TravelMode.WALK: "pedestrian",
}


def fetch_matrix(
    url: str,
    places: Sequence[tuple[str, Location]],
    *,
    service: TableService = TableService.OSRM,
    mode: TravelMode = TravelMode.DRIVE,
    block: int = BLOCK,
) -> TravelMatrix:
    """Travel times (and distances) between ``places`` (id, geographic location) from the
    ``service`` at ``url``; MatrixError naming the service's answer when it cannot be used."""
    unique = dict(places)  # one row per place id
    ids = tuple(unique)
    if any(place.lat is None or place.lon is None for place in unique.values()):
        raise MatrixError([Problem(url, "a routing service needs lat/lon places, not x_km/y_km")])
    coords = [(float(p.lat or 0.0), float(p.lon or 0.0)) for p in unique.values()]
    n = len(ids)
    duration = np.full((n, n), np.nan)
    distance = np.full((n, n), np.nan)
    ask = _osrm_block if service is TableService.OSRM else _valhalla_block
    for a in range(0, n, block):
        for b in range(0, n, block):
            sources, targets = range(a, min(a + block, n)), range(b, min(b + block, n))
            seconds, metres = ask(url.rstrip("/"), coords, sources, targets, mode)
            duration[a : a + len(sources), b : b + len(targets)] = seconds
            distance[a : a + len(sources), b : b + len(targets)] = metres
    np.fill_diagonal(duration, 0.0)
    np.fill_diagonal(distance, 0.0)
    return TravelMatrix(ids, duration, distance, source=url)


def _osrm_block(
    url: str,
    coords: list[tuple[float, float]],
    sources: range,
    targets: range,
    mode: TravelMode,
) -> tuple[np.ndarray, np.ndarray]:
    asked = list(dict.fromkeys([*sources, *targets]))
    at = {place: i for i, place in enumerate(asked)}
    points = ";".join(f"{coords[i][1]:.6f},{coords[i][0]:.6f}" for i in asked)
    query = (
        f"sources={';'.join(str(at[i]) for i in sources)}"
        f"&destinations={';'.join(str(at[i]) for i in targets)}&annotations=duration,distance"
    )
    answer = _request(f"{url}/table/v1/{OSRM_PROFILES[mode]}/{points}?{query}", None, url)
    if answer.get("code") != "Ok":
        message = answer.get("message") or answer.get("code") or "no code"
        raise MatrixError([Problem(url, f"OSRM answered {message!r}")])
    seconds = _grid(answer.get("durations"), len(sources), len(targets), url, "durations")
    metres = _grid(answer.get("distances"), len(sources), len(targets), url, "distances")
    return seconds, metres


def _valhalla_block(
    url: str,
    coords: list[tuple[float, float]],
    sources: range,
    targets: range,
    mode: TravelMode,
) -> tuple[np.ndarray, np.ndarray]:
    body = {
        "sources": [{"lat": coords[i][0], "lon": coords[i][1]} for i in sources],
        "targets": [{"lat": coords[i][0], "lon": coords[i][1]} for i in targets],
        "costing": VALHALLA_COSTING[mode],
        "units": "kilometers",
    }
    answer = _request(f"{url}/sources_to_targets", body, url)
    rows = answer.get("sources_to_targets")
    if not isinstance(rows, list) or len(rows) != len(sources):
        message = answer.get("error") or "no sources_to_targets of the expected size"
        raise MatrixError([Problem(url, f"Valhalla answered {message!r}")])
    seconds = np.full((len(sources), len(targets)), np.nan)
    metres = np.full((len(sources), len(targets)), np.nan)
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(targets):
            raise MatrixError([Problem(url, f"Valhalla answered a row of the wrong size ({i})")])
        for j, cell in enumerate(row):
            cell = cell if isinstance(cell, dict) else {}
            seconds[i, j] = _number(cell.get("time"))
            metres[i, j] = _number(cell.get("distance")) * 1000.0
    return seconds, metres


def _grid(values: Any, rows: int, cols: int, url: str, name: str) -> np.ndarray:
    if values is None and name == "distances":
        return np.full((rows, cols), np.nan)
    if not isinstance(values, list) or len(values) != rows:
        raise MatrixError([Problem(url, f"OSRM's {name} are not a {rows} x {cols} table")])
    grid = np.full((rows, cols), np.nan)
    for i, row in enumerate(values):
        if not isinstance(row, list) or len(row) != cols:
            raise MatrixError([Problem(url, f"OSRM's {name} are not a {rows} x {cols} table")])
        grid[i] = [_number(v) for v in row]
    return grid


def _number(value: Any) -> float:
    """A finite non-negative number, or NaN (the pair cannot be routed)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value) if math.isfinite(value) and value >= 0 else math.nan


def _request(address: str, body: dict[str, Any] | None, url: str) -> dict[str, Any]:
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json"} if data else {}
    request = urllib.request.Request(address, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read().decode("utf-8"))
        except ValueError:
            raise MatrixError([Problem(url, f"the service answered HTTP {exc.code}")]) from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise MatrixError([Problem(url, f"cannot reach the service: {exc}")]) from None
    except ValueError:
        raise MatrixError([Problem(url, "the service's answer is not JSON")]) from None
    if not isinstance(answer, dict):
        raise MatrixError([Problem(url, "the service's answer is not a JSON object")])
    return answer
