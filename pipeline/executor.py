"""Running independent tasks (one per page) serially or across processes.

The interface is deliberately queue-shaped: tasks are picklable argument tuples for a top-level
function, results come back as they finish tagged with their task index, and a failing task is
reported in its result instead of aborting the others. A RabbitMQ/Redis worker pool can
implement the same ``Executor`` protocol later.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ocr.threads import one_thread_per_process

T = TypeVar("T")


@dataclass
class TaskResult(Generic[T]):
    index: int  # position of the task in the submitted sequence
    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class Executor(Protocol):
    def map_unordered(
        self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]]
    ) -> Iterator[TaskResult[T]]:
        """Run ``fn(*task)`` for every task; yield results as they complete."""
        ...

    def close(self) -> None: ...


class SerialExecutor:
    """In-process, one task at a time: for tests, debugging and one-page files."""

    def map_unordered(
        self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]]
    ) -> Iterator[TaskResult[T]]:
        for index, args in enumerate(tasks):
            try:
                yield TaskResult(index, value=fn(*args))
            except Exception as exc:
                yield TaskResult(index, error=exc)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def default_jobs(jobs: int) -> int:
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


class ProcessExecutor:
    """A pool of worker processes (``jobs``, 0 = one per core), started on first use.

    At most ``2 * jobs`` tasks are in flight, so a 2000-page file does not queue 2000 pickled
    tasks at once, and results stream back as pages finish. Workers start from a fork server
    by default: forking the caller directly is unsafe when it runs threads (the API server,
    the hot-folder watcher) and would copy whatever memory it holds. Each worker is one page
    at a time on one core (``ocr.threads``).
    """

    def __init__(self, jobs: int = 0, start_method: str = "forkserver") -> None:
        self.jobs = default_jobs(jobs)
        self.start_method = start_method
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(self.start_method)
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=context, initializer=one_thread_per_process
            )
        return self._pool

    def map_unordered(
        self, fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]]
    ) -> Iterator[TaskResult[T]]:
        pool = self._get_pool()
        pending: dict[Future[T], int] = {}
        next_task = 0
        window = 2 * self.jobs
        while next_task < len(tasks) or pending:
            while next_task < len(tasks) and len(pending) < window:
                pending[pool.submit(fn, *tasks[next_task])] = next_task
                next_task += 1
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                error = future.exception()
                if error is not None:
                    yield TaskResult(index, error=error)
                else:
                    yield TaskResult(index, value=future.result())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def make_executor(jobs: int) -> Executor:
    """Serial for one job, a process pool otherwise."""
    return SerialExecutor() if default_jobs(jobs) == 1 else ProcessExecutor(jobs)
