"""What the web page adds to a search: ``GET /ui`` (HTML) against ``GET /search`` (JSON).

Usage::

    .venv/bin/python bench/bench_web.py --index /tmp/eval-index [--repeat 2]

Starts ``policy-search serve`` on a free loopback port, then for every dev question and mode
sends the same search to the JSON API (with the facet counts the page shows) and to the page
(after one warm-up pass), alternating
which goes first so that neither profits from warm caches, and prints the medians of both and
the median of the per-question difference (HTML minus JSON).  Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import QUESTIONS, _free_port, _wait_healthy

FACETS = "theme,body,year"
"""The facet counts the search page shows (``search_api.web.routes.FACETS``)."""


def _timed(client: httpx.Client, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    client.get(path, params=params).raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--modes", default="hybrid,lexical")
    args = parser.parse_args()
    questions = [json.loads(line)["query"] for line in QUESTIONS.read_text().splitlines() if line]
    port = _free_port()
    command = [str(Path(sys.executable).parent / "policy-search"), "serve"]
    command += ["--index", str(args.index), "--port", str(port)]
    if args.model:
        command += ["--model", args.model]
    server = subprocess.Popen(
        command,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            print(f"server start to healthy: {_wait_healthy(client, 180):.1f} s")
            for mode in args.modes.split(","):
                json_ms, html_ms, diff_ms = [], [], []
                for q in questions:  # warm-up
                    _timed(client, "/search", {"q": q, "mode": mode, "facets": FACETS})
                    _timed(client, "/ui", {"q": q, "mode": mode})
                for round_ in range(args.repeat):
                    for i, q in enumerate(questions):
                        params = {"q": q, "mode": mode}
                        same = {**params, "facets": FACETS}  # the page asks for these counts
                        if (i + round_) % 2:
                            h = _timed(client, "/ui", params)
                            j = _timed(client, "/search", same)
                        else:
                            j = _timed(client, "/search", same)
                            h = _timed(client, "/ui", params)
                        json_ms.append(j * 1000)
                        html_ms.append(h * 1000)
                        diff_ms.append((h - j) * 1000)
                median = statistics.median
                print(
                    f"{mode:<8} n={len(json_ms):3d}  JSON median {median(json_ms):6.1f} ms"
                    f"  HTML median {median(html_ms):6.1f} ms"
                    f"  HTML-JSON median {median(diff_ms):+5.1f} ms"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
