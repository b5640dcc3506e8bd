"""HTTP load on a real ``policy-search serve`` process: req/s, p50/p90/p99 and errors by clients.

Usage::

    .venv/bin/python bench/bench_load.py --index DIR [--model fake] [--clients 1,8,32]
        [--seconds 20] [--mode hybrid] [--url http://HOST:PORT]

Starts ``policy-search serve`` on a free loopback port (or loads ``--url``, a server already
running), waits for ``/health`` (the start time is printed), sends one warm-up pass of the dev
questions, then for each number of clients runs that many threads for ``--seconds``, each with
its own keep-alive ``http.client`` connection, sending ``GET /search`` with the dev questions in
turn (each client starts at a different question).  Printed per level: requests, req/s,
p50/p90/p99 latency and errors (any status but 200, or a broken connection), plus the server's
peak RSS, the CPU model and the load average, since the machine may be shared; with the
server's and the load generator's own CPU time per request (both run on the same cores).

Standard library only on the client side, so the same code loads other servers too
(``bench/txtai_side_by_side.py`` imports `run_level`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO.parent / "shared" / "eval" / "dev.jsonl"
PathFor = Callable[[str], str]
"""Turns a question into the request path (``/search?q=...``)."""


@dataclass(frozen=True)
class LevelResult:
    """What one load level measured."""

    clients: int
    seconds: float
    latencies: tuple[float, ...]
    errors: int
    first_error: str

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        """Latency at quantile ``q`` in ms (nearest rank), NaN without successful requests."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    def line(self, label: str = "") -> str:
        return (
            f"{label}{self.clients:3d} clients  {self.requests:6d} requests  "
            f"{self.throughput:7.1f} req/s  p50 {self.percentile(0.5):7.1f} ms  "
            f"p90 {self.percentile(0.9):7.1f} ms  p99 {self.percentile(0.99):7.1f} ms  "
            f"errors {self.errors}" + (f" (first: {self.first_error})" if self.errors else "")
        )


def cpu_description() -> str:
    """The CPU model, core count and the vector extensions that matter for the encoders."""
    model, flags = "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    except OSError:
        pass
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8")
    present = ",".join(f for f in wanted if f in flags) or "none of avx2/avx512/amx"
    return f"{model}, {os.cpu_count()} logical CPUs, flags: {present}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def dev_questions(path: Path = QUESTIONS) -> list[str]:
    return [json.loads(line)["query"] for line in path.read_text().splitlines() if line.strip()]


def run_level(
    base_url: str, path_for: PathFor, questions: Sequence[str], clients: int, seconds: float
) -> LevelResult:
    """``clients`` threads sending requests back to back for ``seconds`` (keep-alive each)."""
    parsed = urllib.parse.urlsplit(base_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        mine: list[float] = []
        failed: list[str] = []
        turn = number * 7
        start.wait()
        while time.perf_counter() < stop_at[0]:
            question = questions[turn % len(questions)]
            turn += 1
            began = time.perf_counter()
            try:
                connection.request("GET", path_for(question))
                response = connection.getresponse()
                body = response.read()
                if response.status == 200:
                    mine.append(time.perf_counter() - began)
                else:
                    failed.append(f"HTTP {response.status} {body[:120]!r}")
            except (OSError, http.client.HTTPException) as exc:
                failed.append(f"{type(exc).__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(failed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at.append(began + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return LevelResult(clients, elapsed, tuple(latencies), len(errors), errors[0] if errors else "")


def wait_healthy(base_url: str, path: str, deadline_s: float, process: subprocess.Popen) -> float:
    """Seconds until ``path`` answers 200 (raises SystemExit when the server dies or hangs)."""
    parsed = urllib.parse.urlsplit(base_url)
    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        if process.poll() is not None:
            raise SystemExit(f"server exited with status {process.returncode}")
        try:
            host = parsed.hostname or "127.0.0.1"
            connection = http.client.HTTPConnection(host, parsed.port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"server not healthy after {deadline_s} s")


def peak_rss_mb(pid: int) -> str:
    """Peak and current resident memory of a process (Linux /proc), for the report."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "unknown"
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    peak = int(fields["VmHWM"].split()[0]) / 1024
    now = int(fields["VmRSS"].split()[0]) / 1024
    return f"peak {peak:.0f} MB, now {now:.0f} MB"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process (all its threads) has used so far, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_all(
    base_url: str,
    path_for: PathFor,
    levels: Sequence[int],
    seconds: float,
    label: str = "",
    server_pid: int | None = None,
) -> list[LevelResult]:
    """One warm-up pass, then each level in turn; prints a line per level.

    With ``server_pid`` each line also gives the server's CPU time per answered request: if it
    grows with the clients, concurrency is wasting CPU (spinning, contention) rather than
    queueing.
    """
    questions = dev_questions()
    parsed = urllib.parse.urlsplit(base_url)
    warm = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=60)
    for question in questions:
        warm.request("GET", path_for(question))
        warm.getresponse().read()
    warm.close()
    results = []
    for clients in levels:
        before = cpu_seconds(server_pid) if server_pid else None
        own_before = time.process_time()
        result = run_level(base_url, path_for, questions, clients, seconds)
        own = time.process_time() - own_before
        after = cpu_seconds(server_pid) if server_pid else None
        cost = ""
        if before is not None and after is not None and result.latencies:
            cost = f"  server CPU {1000 * (after - before) / len(result.latencies):.1f} ms/request"
        if result.latencies:  # the load generator shares the machine's cores with the server
            cost += f"  client CPU {1000 * own / len(result.latencies):.1f} ms/request"
        print(result.line(label) + cost, flush=True)
        results.append(result)
    return results


def policy_search_path(mode: str) -> PathFor:
    def path_for(question: str) -> str:
        return "/search?" + urllib.parse.urlencode({"q": question, "mode": mode})

    return path_for


def start_server(
    index: Path, model: str | None, extra: Sequence[str] = ()
) -> tuple[subprocess.Popen, str]:
    """``policy-search serve`` on a free loopback port (one torch/BLAS thread per search)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "policy-search"), "serve", "--index", str(index)]
    if model:
        command += ["--model", model]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with tempfile.NamedTemporaryFile(
        prefix="policy-search-serve-", suffix=".log", delete=False
    ) as log:
        print(f"server log: {log.name}")
        process = subprocess.Popen(
            [*command, "--port", str(port), *extra], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return process, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="index directory to serve")
    parser.add_argument("--model", help="model the index was built with (default: e5)")
    parser.add_argument("--url", help="load an already running server instead")
    parser.add_argument("--clients", default="1,8,32", help="comma-separated levels")
    parser.add_argument("--seconds", type=float, default=20.0, help="per level")
    parser.add_argument("--mode", default="hybrid", choices=("hybrid", "semantic", "lexical"))
    parser.add_argument("--serve-arg", action="append", default=[], help="extra serve option")
    args = parser.parse_args()
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    print(f"CPU: {cpu_description()}")
    print(f"load average before: {load_average()}")
    process = None
    if args.url:
        base = args.url.rstrip("/")
    elif args.index:
        process, base = start_server(args.index, args.model, args.serve_arg)
    else:
        parser.error("give --index DIR or --url URL")
    try:
        if process is not None:
            started = wait_healthy(base, "/health", 300, process)
            print(f"server start to healthy: {started:.2f} s ({peak_rss_mb(process.pid)})")
        run_all(
            base,
            policy_search_path(args.mode),
            levels,
            args.seconds,
            f"{args.mode}: ",
            server_pid=process.pid if process is not None else None,
        )
        if process is not None:
            print(f"server memory after the load: {peak_rss_mb(process.pid)}")
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
