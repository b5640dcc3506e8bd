"""HTTP latency of a real ``policy-search serve`` process on 127.0.0.1 (not a test: prints figures).

Usage::

    .venv/bin/python bench/bench_api.py --index /tmp/eval-index [--repeat 2]

Starts the server on a free loopback port, times start-up until ``/health`` answers, then sends
every dev question ``--repeat`` times per mode to ``GET /search`` (after one warm-up pass) and
``/health`` 20 times, and stops the server.  Requests are sequential and bounded in number.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO.parent / "shared" / "eval" / "dev.jsonl"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(client: httpx.Client, deadline_s: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        try:
            if client.get("/health").status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server not healthy after {deadline_s} s")


def _report(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    print(f"{label:<28} n={len(ms):4d}  median {statistics.median(ms):7.1f} ms  p90 {p90:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    questions = [json.loads(line)["query"] for line in QUESTIONS.read_text().splitlines() if line]
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [str(Path(sys.executable).parent / "policy-search")]
    server = subprocess.Popen(
        [*command, "serve", "--index", str(args.index), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            print(f"server start to healthy: {_wait_healthy(client, 120):.1f} s")
            for mode in ("hybrid", "semantic", "lexical"):
                for q in questions:  # warm-up
                    client.get("/search", params={"q": q, "mode": mode})
                times = []
                for _ in range(args.repeat):
                    for q in questions:
                        started = time.perf_counter()
                        client.get("/search", params={"q": q, "mode": mode}).raise_for_status()
                        times.append(time.perf_counter() - started)
                _report(f"GET /search {mode}", times)
            health = []
            for _ in range(20):
                started = time.perf_counter()
                client.get("/health").raise_for_status()
                health.append(time.perf_counter() - started)
            _report("GET /health", health)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
