"""`ThreadCap`: BLAS capped while any search runs, OpenMP capped in every thread that searches."""

from __future__ import annotations

import threading
from collections.abc import Callable

from threadpoolctl import threadpool_info

from indexer.vectors import openmp_threads, set_openmp_threads
from search_api.thread_caps import ThreadCap


def pool_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info()]


def in_thread(work: Callable[[], int]) -> int:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join()
    return result[0]


def test_blas_pools_stay_capped_while_any_search_runs_and_are_then_restored() -> None:
    before = pool_threads()
    cap = ThreadCap(1)
    with cap:
        with cap:  # a second, concurrent search
            assert set(pool_threads()) == {1}
        assert set(pool_threads()) == {1}  # the first search still runs: still capped
    assert pool_threads() == before


def test_openmp_is_capped_in_each_thread_that_enters_and_restored_when_it_leaves() -> None:
    cap = ThreadCap(1)
    set_openmp_threads(3)  # this thread's own setting, whatever the machine
    elsewhere = in_thread(openmp_threads)  # another thread's is its own (the default)

    def search_in_another_thread() -> int:
        with cap:
            return openmp_threads()

    try:
        with cap:
            assert openmp_threads() == 1
            assert in_thread(search_in_another_thread) == 1  # not only the first to enter
            with cap:  # nested (a search inside a related-remarks ranking)
                assert openmp_threads() == 1
            assert openmp_threads() == 1
        assert openmp_threads() == 3
        assert in_thread(openmp_threads) == elsewhere
    finally:
        set_openmp_threads(elsewhere)
