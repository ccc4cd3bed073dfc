"""The workers: results in the tasks' order, a failing task retried and then given up as None
(its part kept as it was), a dead worker process replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scheduler.scale import workers as workers_module
from scheduler.scale.workers import InlineWorkers, ProcessWorkers, workers_for


def square(n: int) -> int:
    return n * n


def fails_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("a part's fault")
    return n


def dies_once(marker: str) -> str:
    """Kills its own process the first time it runs for a marker named ``die*``."""
    path = Path(marker)
    if path.name.startswith("die") and not path.exists():
        path.write_text("died")
        os._exit(1)
    return path.name


def always_dies(_: int) -> int:
    os._exit(1)


def test_inline_workers_give_results_in_order_and_none_for_a_failing_task() -> None:
    done: list[int] = []
    assert InlineWorkers().run(fails_on_three, [1, 2, 3, 4], done.append) == [1, 2, None, 4]
    assert done == [0, 1, 2, 3]


def test_process_workers_give_results_in_order() -> None:
    workers = ProcessWorkers(2)
    try:
        done: list[int] = []
        assert workers.run(square, list(range(6)), done.append) == [0, 1, 4, 9, 16, 25]
        assert sorted(done) == list(range(6))
        assert workers.run(fails_on_three, [3, 5]) == [None, 5]
    finally:
        workers.close()


def test_a_dead_worker_is_replaced_and_its_task_tried_again(tmp_path: Path) -> None:
    workers = ProcessWorkers(2)
    try:
        names = ["ok0", "die1", "ok2", "ok3"]
        assert workers.run(dies_once, [str(tmp_path / n) for n in names]) == names
        # A task whose worker dies every time is given up; the pool still works afterwards.
        assert workers.run(always_dies, [1]) == [None]
        assert workers.run(square, [7]) == [49]
    finally:
        workers.close()


def test_workers_for_one_worker_is_this_process() -> None:
    with workers_for(1, None) as workers:
        assert isinstance(workers, InlineWorkers)
    with workers_for(2, None) as workers:
        assert workers.count == 2


def test_an_unreachable_cluster_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    from scheduler.errors import ClusterError

    monkeypatch.setattr(workers_module, "CONNECT_TIMEOUT_S", 1)
    with (
        pytest.raises(ClusterError, match="cannot reach the Dask cluster"),
        workers_for(None, "tcp://127.0.0.1:9"),
    ):
        pass
