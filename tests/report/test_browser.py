"""The report in a real browser: headless Chromium (Debian's, never a downloaded one), offline,
every request that is not the file itself refused. Skipped, with the reason, where no Chromium
is installed; `.ci/run` installs it.

A screenshot of each page is kept in out/test-artefacts/ (or $SCHEDULER_TEST_ARTEFACTS)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scheduler.cli.app import app

ROOT = Path(__file__).parents[2]
TOWN = ROOT / "tests" / "data" / "town_csv"
CHROMIUM = os.environ.get("SCHEDULER_TEST_CHROMIUM") or shutil.which("chromium")
ARTEFACTS = Path(os.environ.get("SCHEDULER_TEST_ARTEFACTS", ROOT / "out" / "test-artefacts"))
# As root Chromium needs --no-sandbox; the rest keep it from calling home on a closed network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: install Debian's chromium (.ci/run does)"
)


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("town")
    result = CliRunner().invoke(
        app, ["solve", str(TOWN), "-o", str(out), "-t", "2", "--solution-limit", "200", "-q"]
    )
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "roster.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


class Page:
    """A page opened offline, with what it logged as errors and what it tried to fetch."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.fetched: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._only_the_file)
        self.page.goto(path.as_uri())

    def _only_the_file(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.fetched.append(url)
            route.abort()

    def traces(self, div: str, kind: str) -> list[dict[str, Any]]:
        return list(
            self.page.evaluate(
                f"document.getElementById('{div}').data"
                f".filter(t => t.meta && t.meta.kind === '{kind}')"
                ".map(t => ({name: t.name, points: t.x.length}))"
            )
        )

    def shot(self, name: str) -> None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTEFACTS / name), full_page=True)


def test_the_report_draws_every_route_and_stop_offline_and_its_numbers_are_the_rosters(
    browser: Any, solved: tuple[Path, dict[str, Any]]
) -> None:
    out, roster = solved
    page = Page(browser, out / "report.html")
    page.page.wait_for_function("document.getElementById('timeline').data !== undefined")
    working = {r["caregiver_id"] for r in roster["routes"] if r["stops"]}
    assert working
    assert {t["name"] for t in page.traces("map", "route")} == working
    assert len(page.traces("map", "streets")) == 1  # the scenario's OSM extract, offline
    stops = sum(len(r["stops"]) for r in roster["routes"])
    assert [t["points"] for t in page.traces("timeline", "service")] == [stops]
    # the map and the timeline are drawn: plotly has put an SVG in each
    assert page.page.locator("#map .main-svg").count() >= 1
    assert page.page.locator("#timeline .main-svg").count() >= 1
    shown = dict(
        page.page.evaluate(
            "[...document.querySelectorAll('#kpis td[data-kpi]')]"
            ".map(td => [td.dataset.kpi, td.textContent])"
        )
    )
    kpis = roster["kpis"]
    for key in ("visits_total", "visits_assigned", "visits_unassigned", "late_visits"):
        assert shown[key] == str(kpis[key]), key
    for key in ("travel_min", "service_min", "working_min"):
        assert shown[key] == f"{kpis[key]:.0f}", key
    rows = page.page.locator("#utilisation-table tr").count() - 1
    assert rows == len(kpis["caregivers"])
    page.shot("report.png")
    assert page.errors == [] and page.fetched == []


def test_the_itineraries_have_a_page_per_working_caregiver(
    browser: Any, solved: tuple[Path, dict[str, Any]]
) -> None:
    out, roster = solved
    page = Page(browser, out / "itineraries.html")
    sections = page.page.locator("section.itinerary")
    routes = [r for r in roster["routes"] if r["stops"]]
    assert sections.count() == len(routes)
    for i, route in enumerate(routes):
        section = sections.nth(i)
        assert section.get_attribute("data-caregiver") == route["caregiver_id"]
        assert section.locator("tr.stop").count() == len(route["stops"])
    page.shot("itineraries.png")
    assert page.errors == [] and page.fetched == []
