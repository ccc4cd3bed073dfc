"""The table-service client against a fake OSRM and a fake Valhalla on the loopback address
(never the network): blocks put together in the right places, unroutable pairs left out,
errors named, and `scheduler matrix` writing a file the scenario then travels on."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from typer.testing import CliRunner

from scheduler import load_scenario
from scheduler.cli.app import app
from scheduler.domain.model import Location
from scheduler.errors import MatrixError
from scheduler.io.matrix_files import read_matrix
from scheduler.io.table_service import TableService, fetch_matrix

DATA = Path(__file__).resolve().parent.parent / "data"
runner = CliRunner()


def seconds_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The fake services' travel time: 10,000 s per degree, Manhattan (lat, lon)."""
    return round(10_000 * (abs(a[0] - b[0]) + abs(a[1] - b[1])), 3)


class FakeTables(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []
    unroutable: ClassVar[set[tuple[int, int]]] = set()  # pairs of request-local (source, target)

    def log_message(self, *_: object) -> None:  # quiet
        pass

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # OSRM: /table/v1/{profile}/{lon,lat;...}?sources=&destinations=
        address = urlsplit(self.path)
        FakeTables.requests.append(address.path)
        parts = address.path.split("/")
        if parts[1:4] != ["table", "v1", "driving"]:
            self._answer(400, {"code": "InvalidService", "message": "unknown service"})
            return
        points = [tuple(map(float, p.split(","))) for p in parts[4].split(";")]
        latlon = [(lat, lon) for lon, lat in points]
        query = parse_qs(address.query)
        sources = [int(i) for i in query["sources"][0].split(";")]
        targets = [int(i) for i in query["destinations"][0].split(";")]
        durations = [
            [
                None if (si, ti) in self.unroutable else seconds_between(latlon[s], latlon[t])
                for ti, t in enumerate(targets)
            ]
            for si, s in enumerate(sources)
        ]
        distances = [[None if d is None else d * 8 for d in row] for row in durations]
        self._answer(200, {"code": "Ok", "durations": durations, "distances": distances})

    def do_POST(self) -> None:  # Valhalla: /sources_to_targets
        FakeTables.requests.append(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/sources_to_targets" or body.get("costing") != "auto":
            self._answer(400, {"error": "no such costing"})
            return
        rows = [
            [
                {
                    "from_index": i,
                    "to_index": j,
                    "time": seconds_between((s["lat"], s["lon"]), (t["lat"], t["lon"])),
                    "distance": seconds_between((s["lat"], s["lon"]), (t["lat"], t["lon"]))
                    * 8
                    / 1000,
                }
                for j, t in enumerate(body["targets"])
            ]
            for i, s in enumerate(body["sources"])
        ]
        self._answer(200, {"sources_to_targets": rows})


@pytest.fixture
def server() -> Iterator[str]:
    FakeTables.requests, FakeTables.unroutable = [], set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeTables)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


PLACES = [(f"q{i}", Location(lat=50 + 0.01 * i, lon=11.5 + 0.003 * i * i)) for i in range(5)]


def expected() -> np.ndarray:
    coords = [(p.lat or 0.0, p.lon or 0.0) for _, p in PLACES]
    return np.array([[seconds_between(a, b) for b in coords] for a in coords])


@pytest.mark.parametrize("service", list(TableService))
def test_blocks_are_put_together_in_their_places(server: str, service: TableService) -> None:
    found = fetch_matrix(server, PLACES, service=service, block=2)
    assert found.ids == tuple(p for p, _ in PLACES)
    assert np.allclose(found.duration_s, expected())
    assert found.distance_m is not None and np.allclose(found.distance_m, expected() * 8)
    assert len(FakeTables.requests) == 9  # 3 x 3 blocks of at most 2 places a side


def test_a_pair_the_service_cannot_route_is_left_out(server: str) -> None:
    FakeTables.unroutable = {(0, 1)}
    found = fetch_matrix(server, PLACES, block=10)
    assert np.isnan(found.duration_s[0, 1]) and not np.isnan(found.duration_s[1, 0])


def test_a_service_error_is_named(server: str) -> None:
    with pytest.raises(MatrixError, match="Valhalla answered 'no such costing'"):
        fetch_matrix(server, PLACES, service=TableService.VALHALLA, mode="walk")  # type: ignore[arg-type]
    with pytest.raises(MatrixError, match="cannot reach the service"):
        fetch_matrix("http://127.0.0.1:9", PLACES)


def test_the_command_writes_a_matrix_the_scenario_then_travels_on(
    server: str, tmp_path: Path
) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(DATA / "tiny_csv", folder)
    result = runner.invoke(
        app, ["matrix", str(folder), "--url", server, "--out", str(folder / "drive.npz")]
    )
    assert result.exit_code == 0, result.output
    assert read_matrix(folder / "drive.npz").ids == ("P1", "P2", "A", "B")
    settings = {"name": "tiny", "time_zone": "Europe/Berlin"}
    settings["settings"] = {"travel": {"model": "matrix", "matrix_files": {"drive": "drive.npz"}}}
    (folder / "scenario.json").write_text(json.dumps(settings), encoding="utf-8")
    scenario = load_scenario(folder)
    assert scenario.settings.travel.matrix_files["drive"].endswith("drive.npz")  # type: ignore[index]
    down = runner.invoke(app, ["matrix", str(folder), "--url", "http://127.0.0.1:9", "-o", "x.csv"])
    assert down.exit_code == 2 and "Traceback" not in down.output and "cannot reach" in down.output
