"""The search pool: at most `workers` searches run, a bounded queue waits, time limits hold."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from search_api.search_pool import (
    SearchPool,
    SearchTimeoutError,
    ServerBusyError,
    check_deadline,
    usable_cores,
)


class Gate:
    """Work that blocks until released and records how many ran at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self.started = 0

    def __call__(self) -> str:
        with self._lock:
            self.running += 1
            self.started += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            self.release.wait(10)
            return "done"
        finally:
            with self._lock:
                self.running -= 1


def test_no_more_than_workers_searches_run_at_once_and_the_rest_wait() -> None:
    gate = Gate()

    async def scenario() -> list[str]:
        pool = SearchPool(workers=2, queue_limit=10, timeout=10)
        tasks = [asyncio.create_task(pool.run(gate)) for _ in range(8)]
        await asyncio.sleep(0.2)
        assert (gate.running, pool.admitted) == (2, 8)
        gate.release.set()
        results = await asyncio.gather(*tasks)
        pool.close()
        return results

    assert asyncio.run(scenario()) == ["done"] * 8
    assert gate.most_at_once == 2


def test_a_full_queue_refuses_at_once_and_admits_again_when_work_ends() -> None:
    gate = Gate()

    async def scenario() -> None:
        pool = SearchPool(workers=1, queue_limit=1, timeout=10)
        first = asyncio.create_task(pool.run(gate))
        second = asyncio.create_task(pool.run(gate))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        with pytest.raises(ServerBusyError, match="1 searches are running and 1 are waiting"):
            await pool.run(gate)
        assert time.monotonic() - started < 0.05
        gate.release.set()
        assert await asyncio.gather(first, second) == ["done", "done"]
        assert await pool.run(lambda: "again") == "again"
        pool.close()

    asyncio.run(scenario())


def test_a_search_waiting_past_its_time_limit_is_dropped_without_running() -> None:
    gate = Gate()
    ran: list[str] = []

    async def scenario() -> None:
        pool = SearchPool(workers=1, queue_limit=4, timeout=0.3)
        blocker = asyncio.create_task(pool.run(gate))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(SearchTimeoutError, match=r"time limit of 0\.3 s"):
            await pool.run(lambda: ran.append("late"))
        assert 0.2 < time.monotonic() - started < 1.0
        assert pool.admitted == 1  # the dropped search gave its slot back
        gate.release.set()
        with pytest.raises(SearchTimeoutError):
            await blocker  # the blocker itself outlived the limit
        pool.close()

    asyncio.run(scenario())
    assert ran == []


def test_a_running_search_is_stopped_at_its_next_deadline_check() -> None:
    checks: list[float] = []

    def slow_search() -> str:
        end = time.monotonic() + 5
        while time.monotonic() < end:
            checks.append(time.monotonic())
            check_deadline()  # raises once the request's time is up
            time.sleep(0.01)
        return "finished"

    async def scenario() -> float:
        pool = SearchPool(workers=1, queue_limit=0, timeout=0.2)
        with pytest.raises(SearchTimeoutError):
            await pool.run(slow_search)
        started = time.monotonic()
        while pool.admitted:  # the worker is freed soon after the 504
            await asyncio.sleep(0.01)
        freed_after = time.monotonic() - started
        pool.close()
        return freed_after

    assert asyncio.run(scenario()) < 0.5
    assert checks[-1] - checks[0] < 1.0


def test_errors_of_the_work_reach_the_caller_and_free_the_slot() -> None:
    def broken() -> None:
        raise ValueError("bad question")

    async def scenario() -> None:
        pool = SearchPool(workers=1, queue_limit=0, timeout=5)
        with pytest.raises(ValueError, match="bad question"):
            await pool.run(broken)
        assert pool.admitted == 0
        assert await pool.run(lambda: 42) == 42
        pool.close()

    asyncio.run(scenario())


def test_outside_the_pool_deadline_checks_do_nothing_and_defaults_follow_the_cores() -> None:
    check_deadline()
    pool = SearchPool()
    assert pool.workers == usable_cores() >= 1
    assert pool.queue_limit == 32 * pool.workers
    pool.close()
    with pytest.raises(ValueError, match="workers >= 1"):
        SearchPool(workers=0)
