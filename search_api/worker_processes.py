"""Worker processes that do not outlive the process that started them.

A `ProcessPoolExecutor` worker waits on a pipe whose write end it holds itself, so when its
parent is killed (``kill -9`` of an ``index`` run, which the index survives by design) the
worker would wait forever.  Every worker of this package therefore asks the Linux kernel to
kill it when its parent dies (``prctl(PR_SET_PDEATHSIG)``).  Elsewhere nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def exit_when_parent_dies() -> bool:
    """Have this process killed when its parent exits; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    started_by = multiprocessing.parent_process()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            return False
    except OSError:
        return False
    if started_by is not None and os.getppid() != started_by.pid:
        os._exit(1)  # the parent died before the request was made: the worker was orphaned
    return True
