"""Independent stages of one search run at once: the channels of a hybrid question.

A hybrid question embeds itself twice (e5 through OpenVINO, USE through numpy), searches two
FAISS indexes and scores BM25; most of that time is spent outside the GIL (the runtimes, FAISS
and numpy release it), so on a machine with more than one core the channels overlap instead of
waiting for each other. The first call runs on the caller's thread and the others on a small
pool of helper threads (one fewer than the cores), so one search never occupies more cores than
there are, and with every core already busy (a loaded server) nothing is lost but a hand-off.

Each helper call runs in a copy of the caller's context, so `search_pool.check_deadline` sees
the request's time limit there too.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class StageOverlap:
    """Runs a few independent calls at once, results in the calls' order."""

    def __init__(self, helpers: int) -> None:
        """``helpers``: threads beside the caller's (0 runs every call in turn)."""
        self._helpers = max(0, helpers)
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def helpers(self) -> int:
        return self._helpers

    def run(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        """Every call's result; the first exception raised by a call is raised here, after
        every call has finished (none is left running behind the caller's back)."""
        if self._helpers == 0 or len(calls) < 2:
            return [call() for call in calls]
        pool = self._executor()
        futures = [pool.submit(contextvars.copy_context().run, call) for call in calls[1:]]
        try:
            first = calls[0]()
        finally:
            concurrent.futures.wait(futures)
        return [first, *(future.result() for future in futures)]

    def close(self) -> None:
        """Stop the helper threads (calls already submitted finish first)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    self._helpers, thread_name_prefix="search-stage"
                )
            return self._pool
