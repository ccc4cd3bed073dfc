"""Parallel execution of independent parts, behind one interface: the only module that
imports ``dask``.

``Workers.run(fn, tasks)`` applies a module-level function to plain-data tasks and hands back
one result per task, in the tasks' order, or None for a task whose worker failed twice (it
raised, or its process died: a lost part is kept as it was by the caller, never half-applied).
Three implementations: in this process (one worker), local worker processes (the default),
and an existing Dask distributed cluster (the optional ``dask`` extra).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from scheduler.errors import ClusterError, Problem
from scheduler.stop import stop_requested, watch

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# How often a task is tried before its part is kept as it was.
ATTEMPTS = 2
# How long to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT_S = 10
# How often a waiting parent looks for a requested stop.
_POLL_S = 0.1


class Workers(Protocol):
    @property
    def count(self) -> int:
        """How many tasks run at once."""
        ...

    def run(
        self, fn: Callable[[T], R], tasks: Sequence[T], on_done: Callable[[int], None] | None = None
    ) -> list[R | None]:
        """``fn`` of each task (None where it failed ``ATTEMPTS`` times), in order;
        ``on_done(i)`` as task ``i`` ends, in the order they end."""
        ...


class InlineWorkers:
    """One worker: this process."""

    count = 1

    def run(
        self, fn: Callable[[T], R], tasks: Sequence[T], on_done: Callable[[int], None] | None = None
    ) -> list[R | None]:
        results: list[R | None] = []
        for i, task in enumerate(tasks):
            result = None
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    result = fn(task)
                    break
                except Exception as error:  # a part's fault must not lose the day
                    log.warning("part %d failed (attempt %d): %s", i, attempt, type(error).__name__)
            results.append(result)
            if on_done is not None:
                on_done(i)
        return results


class ProcessWorkers:
    """``count`` local worker processes (spawned: OR-Tools is not fork-safe); a pool whose
    process died is replaced and its unfinished tasks tried again. A stop requested here
    (``scheduler.stop``) reaches the workers' searches, which return their best at once; the
    workers ignore Ctrl-C themselves (the terminal sends it to them too): the parent decides."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=self._context,
                initializer=_start_worker,
                initargs=(self._stop,),
            )
        return self._pool

    def run(
        self, fn: Callable[[T], R], tasks: Sequence[T], on_done: Callable[[int], None] | None = None
    ) -> list[R | None]:
        """All tasks at once; then each task that failed again on its own, so that a task
        whose process dies (which breaks the whole pool) takes no other task down with it."""
        if self._stop.is_set() and not stop_requested():  # stopped before: fresh workers
            self.close()
            self._stop = self._context.Event()
        results: list[R | None] = [None] * len(tasks)
        failed = self._attempt(fn, tasks, range(len(tasks)), results, on_done, last=False)
        for i in failed:
            self._attempt(fn, tasks, [i], results, on_done, last=True)
        return results

    def _attempt(
        self,
        fn: Callable[[T], R],
        tasks: Sequence[T],
        indices: Iterable[int],
        results: list[R | None],
        on_done: Callable[[int], None] | None,
        *,
        last: bool,
    ) -> list[int]:
        """Runs the tasks ``indices`` at once; the ones that failed, in order."""
        try:
            futures = {self._executor().submit(fn, tasks[i]): i for i in indices}
        except BrokenProcessPool:
            self._discard()
            futures = {self._executor().submit(fn, tasks[i]): i for i in indices}
        failed, broken = [], False
        for future in self._as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as error:  # raised, or lost its process (BrokenProcessPool)
                failed.append(i)
                broken |= isinstance(error, BrokenProcessPool)
                log.warning(
                    "part %d failed%s: %s", i, " again" if last else "", type(error).__name__
                )
            if on_done is not None and (last or i not in failed):
                on_done(i)
        if broken:
            self._discard()
        return sorted(failed)

    def _as_completed(self, futures: Iterable[Future[Any]]) -> Iterator[Future[Any]]:
        """The futures as they end, passing a stop requested meanwhile on to the workers."""
        pending = set(futures)
        while pending:
            if stop_requested():
                self._stop.set()
            done, pending = wait(pending, timeout=_POLL_S, return_when=FIRST_COMPLETED)
            yield from done

    def _discard(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskWorkers:
    """The workers of an existing Dask distributed cluster (``tcp://HOST:PORT``), or of a
    ``distributed.Client`` the caller holds. The workers need ``homecare-scheduler``
    installed."""

    def __init__(self, cluster: str | Any) -> None:
        try:
            from distributed import Client
        except ImportError:  # the optional extra
            raise _cluster_error(
                "a Dask cluster needs the dask extra: pip install 'homecare-scheduler[dask]'"
            ) from None
        if isinstance(cluster, str):
            try:
                self._client = Client(cluster, timeout=CONNECT_TIMEOUT_S)
            except (OSError, ValueError) as error:
                raise _cluster_error(
                    f"cannot reach the Dask cluster at {cluster}: {error}"
                ) from None
            self._owned = True
        else:
            self._client, self._owned = cluster, False
        threads = self._client.nthreads()
        self.count = max(1, sum(threads.values()))

    def run(
        self, fn: Callable[[T], R], tasks: Sequence[T], on_done: Callable[[int], None] | None = None
    ) -> list[R | None]:
        from distributed import as_completed as dask_completed

        if not tasks:
            return []
        # pure=False: a task is run even when an equal one ran before.
        futures = self._client.map(fn, list(tasks), pure=False, retries=ATTEMPTS - 1)
        index_of = {future.key: i for i, future in enumerate(futures)}
        results: list[R | None] = [None] * len(tasks)
        for future in dask_completed(futures):
            if stop_requested():  # the parts not back yet are kept as they were
                self._client.cancel(futures)
                break
            i = index_of[future.key]
            try:
                results[i] = future.result()
            except Exception as error:  # the task raised, or its worker died past the retries
                log.warning("part %d failed on the cluster: %s", i, type(error).__name__)
            if on_done is not None:
                on_done(i)
        return results

    def close(self) -> None:
        if self._owned:
            self._client.close()


def _start_worker(stop: Any) -> None:
    """A local worker process: Ctrl-C is the parent's to handle; its stop is ours."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch(stop)


@contextmanager
def workers_for(count: int | None, cluster: str | Any | None) -> Iterator[Workers]:
    """The workers a solve asks for: the Dask cluster if named, else ``count`` local processes
    (None: one per core), else this process alone."""
    if cluster is not None:
        dask = DaskWorkers(cluster)
        try:
            yield dask
        finally:
            dask.close()
        return
    count = count or os.cpu_count() or 1
    if count == 1:
        yield InlineWorkers()
        return
    local = ProcessWorkers(count)
    try:
        yield local
    finally:
        local.close()


def _cluster_error(message: str) -> ClusterError:
    return ClusterError([Problem(source="cluster", message=message, field="cluster")])
