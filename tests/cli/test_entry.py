"""The console script gives ``serve`` one OpenMP thread per search thread before FAISS loads."""

from __future__ import annotations

import os
import subprocess
import sys

from search_api.cli.entry import command_environment
from tests.conftest import REPO_ROOT


def test_serve_gets_one_openmp_thread_unless_the_user_chose() -> None:
    assert command_environment(["serve", "--index", "idx"], {}) == {"OMP_NUM_THREADS": "1"}
    assert command_environment(["serve"], {"OMP_NUM_THREADS": "2"}) == {}
    assert command_environment(["search", "serve"], {}) == {}  # "serve" as a question
    assert command_environment(["index", "minutes/"], {}) == {}
    assert command_environment(["--version"], {}) == {}


def faiss_threads_after(command: str) -> int:
    """FAISS's OpenMP threads in a fresh process after the console script ran ``command --help``."""
    code = (
        "import sys\n"
        f"sys.argv = ['policy-search', '{command}', '--help']\n"
        "from search_api.cli import entry\n"
        "try:\n    entry.main()\nexcept SystemExit:\n    pass\n"
        "import faiss\nprint(faiss.omp_get_max_threads(), file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(done.stderr.strip().splitlines()[-1])


def test_the_server_process_loads_faiss_with_one_openmp_thread() -> None:
    cores = len(os.sched_getaffinity(0))
    assert faiss_threads_after("serve") == 1
    assert faiss_threads_after("search") == cores  # other commands keep OpenMP's default
