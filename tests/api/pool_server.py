"""A real uvicorn server whose questions containing ``SLOW`` are expensive (for pool tests).

    python -m tests.api.pool_server INDEX PORT --workers 1 --queue 1 --timeout 0.6 --burn 1.5

The app is the real one (``create_app``, the real index, searcher and search pool); only the
cost of a search is controlled: a question with ``SLOW`` in it first keeps its worker thread
busy for ``--burn`` seconds of CPU work, mostly in C without the GIL (hashing, as torch, FAISS
and numpy run most of a real search) with some Python between, checking the request's deadline
every millisecond or so as the searcher does between its stages.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path
from typing import Any

import uvicorn

from search_api.app import create_app
from search_api.python_api import IndexOpener
from search_api.results import SearchPage, SearchRequest
from search_api.search_pool import check_deadline
from search_api.settings import Settings

SLOW_MARKER = "SLOW"
_BLOCK = bytes(256 * 1024)


class ExpensiveQuestions:
    """The real searcher; questions containing ``SLOW`` burn CPU for ``burn`` seconds first."""

    def __init__(self, searcher: Any, burn: float) -> None:
        self._searcher = searcher
        self._burn = burn

    def search(self, request: SearchRequest) -> SearchPage:
        if SLOW_MARKER in request.query:
            end = time.perf_counter() + self._burn
            while time.perf_counter() < end:
                check_deadline()
                hashlib.sha256(_BLOCK).digest()  # about 0.5 ms of C work, GIL released
                sum(range(2_000))  # and a little Python
        return self._searcher.search(request)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._searcher, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--queue", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--burn", type=float, default=1.0)
    args = parser.parse_args()
    settings = Settings(
        index_dir=args.index,
        model_name="fake",
        search_workers=args.workers,
        search_queue=args.queue,
        search_timeout=args.timeout,
    )
    opener = IndexOpener(preload=True)
    app = create_app(settings, lambda s: ExpensiveQuestions(opener(s), args.burn))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
