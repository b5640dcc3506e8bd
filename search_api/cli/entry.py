"""The ``policy-search`` console script: what a command needs in the process environment before
any library loads, then the CLI (`search_api.cli.main`).

``serve`` runs each search on one thread; its parallelism is several searches at once (the search
pool, `search_api.search_pool`).  OpenMP, which FAISS loads, takes the thread count of every
thread it will ever serve from ``OMP_NUM_THREADS`` once, when it loads, and FAISS loads as soon
as the CLI's modules are imported.  Capping OpenMP per thread at run time
(`search_api.thread_caps`) still left the server, in 3 of 8 load levels, burning about 55 ms of
CPU per request instead of 30 (threads spinning); with ``OMP_NUM_THREADS=1`` in its environment
it never did (docs/benchmarks.md, "fourth session").  So ``serve`` gets that variable here,
unless the user set it.  A server started another way (``uvicorn --factory``) should set it too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

ONE_THREAD_PER_SEARCH = frozenset({"serve"})
"""Commands whose process serves many searches at once, each on one thread."""


def command_environment(argv: Sequence[str], environ: Mapping[str, str]) -> dict[str, str]:
    """Variables to add to ``environ`` before the command in ``argv`` loads any library."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command in ONE_THREAD_PER_SEARCH and "OMP_NUM_THREADS" not in environ:
        return {"OMP_NUM_THREADS": "1"}
    return {}


def main() -> None:
    """Set the command's environment, then run the CLI."""
    os.environ.update(command_environment(sys.argv[1:], os.environ))
    from search_api.cli.main import main as run_cli

    run_cli()
