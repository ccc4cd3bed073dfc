"""Test-wide settings: built maps and matrices go to a fresh temporary cache, never the user's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scheduler.travel.cache import CACHE_DIR_ENV


@pytest.fixture(autouse=True, scope="session")
def _private_travel_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setenv(CACHE_DIR_ENV, str(tmp_path_factory.mktemp("travel-cache")))
    yield
    patch.undo()
