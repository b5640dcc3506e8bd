"""A bounded pool for expensive requests: searches run on as many threads as there are cores.

Two cores cannot run 32 searches at once faster than two: more concurrent searches only thrash
(BLAS, FAISS and torch threads descheduled mid-call) and every answer gets later.  The server
therefore runs searches on a fixed pool of ``workers`` threads; further requests wait in a
bounded queue, in arrival order.  When the queue is full a request is refused at once
(`ServerBusyError`, HTTP 503 with ``Retry-After``); when a request's time limit passes, while it
waits or while it runs, it gets `SearchTimeoutError` (HTTP 504) instead of holding its client.

The time limit counts from admission.  A search that has not started when its time is up is
dropped; a running one is stopped at its next `check_deadline` (the searcher calls it between
stages), so a stuck request frees its worker soon after its client got the 504.  A slot in the
queue is released only when its work has really finished, so the bound holds even for requests
that already timed out.

Cheap routes (``/health``, one statement, meetings) do not go through the pool: they run on
the server's ordinary thread pool and are never queued behind searches.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from models.errors import PolicySearchError

T = TypeVar("T")

DEFAULT_QUEUE_PER_WORKER = 32
DEFAULT_TIMEOUT_SECONDS = 10.0

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "search_deadline", default=None
)


class ServerBusyError(PolicySearchError):
    """Every search worker is busy and the queue of waiting searches is full (retry later)."""

    code = "server_busy"


class SearchTimeoutError(PolicySearchError):
    """A search did not finish within the server's time limit per request."""

    code = "search_timeout"


def usable_cores() -> int:
    """The number of cores this process may run on (its CPU affinity, else the CPU count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def check_deadline() -> None:
    """Raise `SearchTimeoutError` when the current request's time limit has passed.

    Called between the stages of a search; outside the pool (CLI, tests) it does nothing.
    """
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise SearchTimeoutError("the search was stopped: it exceeded the time limit per request")


class SearchPool:
    """Runs expensive work on ``workers`` threads with at most ``queue_limit`` waiting."""

    def __init__(
        self,
        workers: int | None = None,
        queue_limit: int | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        """``workers`` defaults to the usable cores, ``queue_limit`` to 32 per worker.

        ``timeout`` is the time limit per request in seconds, waiting included.
        """
        self.workers = workers if workers is not None else usable_cores()
        self.queue_limit = (
            queue_limit if queue_limit is not None else DEFAULT_QUEUE_PER_WORKER * self.workers
        )
        if self.workers < 1 or self.queue_limit < 0 or not timeout > 0:
            raise ValueError(
                f"search pool needs workers >= 1, queue_limit >= 0 and timeout > 0, got "
                f"{self.workers}, {self.queue_limit}, {timeout}"
            )
        self.timeout = timeout
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="search"
        )
        self._slots = threading.BoundedSemaphore(self.workers + self.queue_limit)
        self._lock = threading.Lock()
        self._admitted = 0

    @property
    def admitted(self) -> int:
        """Requests running or waiting right now."""
        return self._admitted

    async def run(self, work: Callable[[], T]) -> T:
        """The result of ``work()``, computed on a pool thread within the time limit.

        Raises `ServerBusyError` at once when the pool and its queue are full, and
        `SearchTimeoutError` when the time limit passes first; errors of ``work`` propagate.
        """
        if not self._slots.acquire(blocking=False):
            raise ServerBusyError(
                f"the server is busy: {self.workers} searches are running and "
                f"{self.queue_limit} are waiting; retry in a moment"
            )
        deadline = time.monotonic() + self.timeout
        try:
            future = self._executor.submit(_run_before, deadline, work)
        except RuntimeError:  # shut down
            self._slots.release()
            raise
        with self._lock:
            self._admitted += 1
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except (TimeoutError, SearchTimeoutError):  # timed out here or at a deadline check
            future.cancel()  # a search still waiting is dropped; a running one stops soon
            raise SearchTimeoutError(
                f"the search did not finish within the time limit of {self.timeout:g} s per request"
            ) from None

    def _release(self, _future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._admitted -= 1
        self._slots.release()

    def close(self) -> None:
        """Stop accepting work; searches still waiting are dropped (at shutdown)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _run_before(deadline: float, work: Callable[[], T]) -> T:
    """Run ``work`` with the request's deadline visible to `check_deadline`."""
    if time.monotonic() > deadline:
        raise SearchTimeoutError("the search waited longer than the time limit per request")
    token = _deadline.set(deadline)
    try:
        return work()
    finally:
        _deadline.reset(token)
