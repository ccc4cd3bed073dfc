"""A request to stop the search early and keep the best roster found so far.

One flag per process. Anything may request the stop (the CLI's Ctrl-C and SIGTERM handlers, a
library caller's thread, a worker's parent): the routing search checks it as one of its limits,
CP-SAT solves are stopped through :func:`stopping`, and the decomposed solve stops handing out
parts. A worker process watches its parent's flag (:func:`watch`), so a stop reaches the parts
that are running too. What stops early is still finished into a validated roster, marked
``solve_info.interrupted``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, Protocol

_requested = threading.Event()


class _Event(Protocol):  # threading.Event or multiprocessing's
    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


def request_stop() -> None:
    """Stop the search now running (or the next one) as soon as it can, keeping its best."""
    _requested.set()


def stop_requested() -> bool:
    return _requested.is_set()


def reset() -> None:
    """Let searches run to their limits again (before a new solve)."""
    _requested.clear()


def watch(parent: _Event) -> None:
    """In a worker process: request the stop here when ``parent`` (an event the parent sets
    on its stop) is set."""

    def forward() -> None:
        parent.wait()
        request_stop()

    threading.Thread(target=forward, name="stop-watch", daemon=True).start()


@contextlib.contextmanager
def stopping(solver: Any) -> Iterator[None]:
    """Within: a requested stop ends ``solver``'s (CP-SAT) search with its best solution."""
    done = threading.Event()

    def wait_for_stop() -> None:
        while not done.wait(0.05):
            if stop_requested():
                solver.stop_search()
                return

    watcher = threading.Thread(target=wait_for_stop, name="cp-sat-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
