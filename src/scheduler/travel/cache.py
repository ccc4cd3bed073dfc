"""A disk cache of numpy arrays for built road networks, address books and travel matrices.

Entries are keyed by a hash of everything they were built from: the map file's *content* (not its
name or date), the parameters, and ``FORMAT_VERSION``; a changed file or parameter gives a new key,
so a stale entry is never read. Writes are atomic (``scheduler.atomic``); a damaged entry
(unreadable, or not matching the checksum stored with it) is reported and rebuilt; a cache that
cannot be written only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from scheduler.atomic import atomic_file
from scheduler.errors import TravelWarning

CACHE_DIR_ENV = "HOMECARE_SCHEDULER_CACHE"
FORMAT_VERSION = 3  # bump when what is stored, or how it is built, changes


def default_cache_dir() -> Path:
    """``$HOMECARE_SCHEDULER_CACHE``, else the user's cache folder for this application."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_cache_dir("homecare-scheduler"))


_digests: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (memoised per path, size and modification time)."""
    stat = path.stat()
    memo_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo_key not in _digests:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _digests[memo_key] = digest.hexdigest()
    return _digests[memo_key]


def cache_key(*parts: Any) -> str:
    text = json.dumps([FORMAT_VERSION, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


class ArrayCache:
    """Named groups of arrays stored as ``<dir>/<kind>/<key>.npz``; ``directory=None`` disables."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    def _path(self, kind: str, key: str) -> Path | None:
        return None if self.directory is None else self.directory / kind / f"{key}.npz"

    def load(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        """The entry's arrays, or None when there is none. A damaged entry (it does not load,
        or its arrays do not match the checksum stored with them) is reported, removed and
        so rebuilt by the caller."""
        path = self._path(kind, key)
        if path is None or not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
            checksum = arrays.pop(_CHECKSUM)
            if str(checksum) != _checksum(arrays):
                raise ValueError("checksum mismatch")
            return arrays
        except Exception as exc:  # any damage: a truncated zip, a missing array, flipped bits
            warnings.warn(
                f"travel cache entry {path.name} is damaged ({type(exc).__name__}); it is rebuilt",
                TravelWarning,
                stacklevel=2,
            )
            path.unlink(missing_ok=True)
            return None

    def store(self, kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
        path = self._path(kind, key)
        if path is None:
            return
        try:
            with atomic_file(path, "wb") as handle:
                entries = {**arrays, _CHECKSUM: np.array(_checksum(arrays))}
                np.savez(handle, **entries)  # type: ignore[arg-type]
        except OSError as exc:
            warnings.warn(f"travel cache not written ({exc}); it will be rebuilt", stacklevel=2)


_CHECKSUM = "__sha256__"


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()
