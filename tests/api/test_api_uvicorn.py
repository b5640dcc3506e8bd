"""`policy-search serve` as a real uvicorn process on loopback, queried over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ENTRY_POINT = Path(sys.executable).parent / "policy-search"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture()
def server(small_index: Path, tmp_path: Path) -> Iterator[str]:
    """A running server on 127.0.0.1; yields its base URL, terminates it afterwards."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    command = [str(ENTRY_POINT), "serve", "--index", str(small_index), "--model", "fake"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"server did not start: {(tmp_path / 'server.log').read_text()}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_a_real_server_answers_search_and_errors_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        health = http.get("/health").json()
        assert health["counts"]["meetings"] == 6

        page = http.get("/search", params={"q": "サプライチェーンの強靱化", "limit": 3}).json()
        assert len(page["results"]) == 3
        assert page["results"][0]["rank"] == 1

        posted = http.post("/search", json={"q": "サプライチェーンの強靱化", "limit": 3})
        assert posted.json() == page

        missing = http.get("/statements/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["error"] == "statement_not_found"

        too_long = http.get("/search", params={"q": "x" * 2001})
        assert too_long.status_code == 422
