"""How many threads a search may use inside each library: one, on every thread that searches.

Two limits, because the libraries keep their thread counts in two ways:

* BLAS pools (numpy's OpenBLAS) have one process-wide setting: `ThreadCap` lowers it while at
  least one search runs and restores it when the last one leaves (counted, so concurrent
  searches do not restore it under each other's feet).
* OpenMP (FAISS's parallel regions, and its OpenMP-built OpenBLAS) keeps the number *per
  thread*: a limit set in one thread does not reach another.  `ThreadCap` therefore also caps
  OpenMP in every thread that enters it, for as long as that thread is inside.  Capped only in
  the first thread, the other search threads each started a team of OpenMP threads that
  spin-wait after every parallel region; at 32 HTTP clients on 2 cores that doubled the CPU
  time per request.  The per-thread cap made that rarer, not gone, so ``policy-search serve``
  also starts with ``OMP_NUM_THREADS=1`` (`search_api.cli.entry`); the cap stays for searchers
  embedded in other programs (docs/benchmarks.md, "fourth session").
"""

from __future__ import annotations

import threading
from typing import Any

from threadpoolctl import ThreadpoolController

from indexer.vectors import openmp_threads, set_openmp_threads


class ThreadCap:
    """Caps BLAS pools while any search runs, and OpenMP in each thread while it searches."""

    def __init__(self, threads: int) -> None:
        self._threads = threads
        self._controller = ThreadpoolController()
        self._lock = threading.Lock()
        self._active = 0
        self._limiter: Any = None
        self._local = threading.local()

    def __enter__(self) -> ThreadCap:
        with self._lock:
            if self._active == 0:
                self._limiter = self._controller.limit(limits=self._threads)
            self._active += 1
        saved: list[int] = self._local.__dict__.setdefault("saved", [])
        saved.append(openmp_threads())
        set_openmp_threads(self._threads)
        return self

    def __exit__(self, *exc_info: object) -> None:
        set_openmp_threads(self._local.saved.pop())
        with self._lock:
            self._active -= 1
            if self._active == 0 and self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None
