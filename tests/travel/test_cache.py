"""The disk cache of arrays: a damaged entry is reported and rebuilt, never a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scheduler.errors import TravelWarning
from scheduler.travel.cache import ArrayCache


def _entry(cache: ArrayCache) -> Path:
    cache.store("matrices", "k", {"seconds": np.arange(9, dtype=np.int32).reshape(3, 3)})
    assert cache.directory is not None
    return cache.directory / "matrices" / "k.npz"


def test_a_stored_entry_reads_back(tmp_path: Path) -> None:
    cache = ArrayCache(tmp_path)
    _entry(cache)
    stored = cache.load("matrices", "k")
    assert stored is not None and stored["seconds"].tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut off mid-write by an old crash
        lambda data: b"not a zip at all",
        lambda data: data.replace(bytes(np.arange(9, dtype=np.int32)), bytes(9 * 4)),  # bits
    ],
    ids=["truncated", "garbage", "changed-values"],
)
def test_a_damaged_entry_is_reported_removed_and_rebuilt(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    cache = ArrayCache(tmp_path)
    path = _entry(cache)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.warns(TravelWarning, match="damaged"):
        assert cache.load("matrices", "k") is None
    assert not path.exists()
    _entry(cache)  # the caller rebuilds it
    assert cache.load("matrices", "k") is not None
