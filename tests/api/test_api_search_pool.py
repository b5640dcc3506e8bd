"""Bounded search concurrency on a real uvicorn process: queueing, 503 when full, 504 on time.

The servers here are real (uvicorn, the app, the real index and searcher); questions containing
``SLOW`` are made expensive by ``tests/api/pool_server.py`` so the timing is under control.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.live_server import ENTRY_POINT, free_port
from tests.conftest import REPO_ROOT


@contextmanager
def running(command: list[str], port: int, log_path: Path) -> Iterator[str]:
    """Start ``command`` (a server on ``port``), wait for /health, stop it afterwards."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, f"server exited: {log_path.read_text()}"
                assert time.monotonic() < deadline, f"no start: {log_path.read_text()}"
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def pool_server(index: Path, tmp_path: Path, *options: str) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "tests.api.pool_server", str(index), str(port), *options]
    with running(command, port, tmp_path / "server.log") as base:
        yield base


def timed_get(
    http: httpx.Client, path: str, params: dict[str, str] | None = None
) -> tuple[float, int]:
    started = time.monotonic()
    response = http.get(path, params=params)
    return time.monotonic() - started, response.status_code


def client(base: str) -> httpx.Client:
    """One client for many threads (a client per request spends ~40 ms building TLS state)."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    return httpx.Client(base_url=base, timeout=60, limits=limits)


def test_searches_beyond_the_pool_wait_their_turn_while_health_answers_at_once(
    small_index: Path, tmp_path: Path
) -> None:
    # 44 expensive searches: more than uvicorn's own thread pool (40), which used to run them
    # all at once and make /health wait behind them.
    options = ("--workers", "2", "--queue", "60", "--timeout", "60", "--burn", "0.15")
    with pool_server(small_index, tmp_path, *options) as base, client(base) as http:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=44) as clients:
            slow = [
                clients.submit(timed_get, http, "/search", {"q": f"SLOW 予算 {i}"})
                for i in range(44)
            ]
            time.sleep(0.5)
            health = [timed_get(http, "/health") for _ in range(10)]
            statement = timed_get(http, "/meetings")
            still_waiting = sum(not future.done() for future in slow)
            results = [future.result() for future in slow]
        elapsed = time.monotonic() - started

    assert [status for _, status in results] == [200] * 44
    # Two at a time: 44 x 0.15 s / 2 = 3.3 s of work, so the last answer comes late (the burn is
    # wall-clock time, so all at once would answer every request within about 0.2 s)...
    assert elapsed > 3.0
    assert max(seconds for seconds, _ in results) > 2.0
    # ...while the cheap routes were answered meanwhile, not after the queue drained.
    assert still_waiting > 10
    assert [status for _, status in health] == [200] * 10
    assert statistics.median(seconds for seconds, _ in health) < 0.5
    assert max(seconds for seconds, _ in health) < 2.0
    assert statement[1] == 200 and statement[0] < 2.0


def test_a_full_queue_answers_503_and_an_overdue_search_504_with_json_errors(
    small_index: Path, tmp_path: Path
) -> None:
    options = ("--workers", "1", "--queue", "1", "--timeout", "0.6", "--burn", "3")
    with pool_server(small_index, tmp_path, *options) as base, client(base) as http:
        with ThreadPoolExecutor(max_workers=4) as clients:

            def slow_search(i: int) -> tuple[float, httpx.Response]:
                started = time.monotonic()
                response = http.get("/search", params={"q": f"SLOW {i}"})
                return time.monotonic() - started, response

            answers = list(clients.map(slow_search, range(4)))
        after_timeout = http.get("/search", params={"q": "予算"})
        health = http.get("/health")

    by_status: dict[int, list[tuple[float, httpx.Response]]] = {}
    for seconds, response in answers:
        by_status.setdefault(response.status_code, []).append((seconds, response))
    assert sorted(by_status) == [503, 504]
    assert len(by_status[503]) == len(by_status[504]) == 2
    for seconds, response in by_status[503]:  # refused at once, with a hint when to retry
        assert response.json()["error"] == "server_busy"
        assert "busy" in response.json()["detail"]
        assert response.headers["retry-after"] == "1"
        assert seconds < 0.5
    for seconds, response in by_status[504]:  # the running and the waiting search both gave up
        assert response.json()["error"] == "search_timeout"
        assert "0.6 s" in response.json()["detail"]
        assert 0.5 < seconds < 2.5
    # The overdue search stopped at its next deadline check: the worker is free again at once,
    # not after the 3 s its question would have cost.
    assert after_timeout.status_code == 200
    assert after_timeout.json()["results"]
    assert health.status_code == 200


def test_the_real_serve_command_answers_32_concurrent_searches_without_errors(
    small_index: Path, tmp_path: Path
) -> None:
    port = free_port()
    command = [str(ENTRY_POINT), "serve", "--index", str(small_index), "--model", "fake"]
    command += ["--port", str(port), "--search-workers", "2", "--search-timeout", "30"]
    questions = ["サプライチェーンの強靱化", "経済安全保障", "inflation outlook", "予算"] * 16
    with running(command, port, tmp_path / "serve.log") as base, client(base) as http:
        sequential = http.get("/search", params={"q": questions[0]}).json()
        with ThreadPoolExecutor(max_workers=32) as clients:
            pages = list(clients.map(lambda q: http.get("/search", params={"q": q}), questions))
    assert [page.status_code for page in pages] == [200] * len(questions)
    assert pages[0].json() == sequential  # the same answer under load as alone
