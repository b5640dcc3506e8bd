"""A real `policy-search serve` process on loopback for tests about HTTP itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ENTRY_POINT = Path(sys.executable).parent / "policy-search"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(
    index_dir: Path, log_path: Path, *extra: str, ready_status: int | None = 200
) -> Iterator[str]:
    """`policy-search serve` on 127.0.0.1 (fake model); yields the base URL, stops it after.

    It is ready when ``/health`` answers ``ready_status`` (``None``: any status, e.g. the 503
    of a server without an index).
    """
    port = free_port()
    command = [str(ENTRY_POINT), "serve", "--index", str(index_dir), "--model", "fake", *extra]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    pytest.fail(f"server exited: {log_path.read_text()}")
                try:
                    status = httpx.get(f"{base}/health", timeout=2).status_code
                    if ready_status is None or status == ready_status:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {log_path.read_text()}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
