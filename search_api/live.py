"""A searcher that follows its index on disk: a completed update is picked up without restart.

The server opens the index once at startup.  While it runs, an indexing command may complete an
update and swap in a new manifest.  ``LiveSearcher`` looks at a cheap *stamp* of the index (the
manifest's identity on disk) at most once per ``interval`` seconds; when it changed, a new searcher
is opened in a background thread while the old one keeps answering, and the reference is swapped
when the new one is ready.  Requests that already hold the old searcher finish with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from models.errors import IndexNotFoundError, PolicySearchError

log = logging.getLogger(__name__)

S = TypeVar("S")
RETIRE_AFTER_SECONDS = 30.0
Stamp = Hashable | None
"""What identifies one version of the index on disk; ``None`` when there is no index."""


class LiveSearcher(Generic[S]):
    """Holds the current searcher and swaps in a new one when the index on disk changes."""

    def __init__(
        self,
        open_searcher: Callable[[], S],
        read_stamp: Callable[[], Stamp],
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        close: Callable[[S], None] | None = None,
    ) -> None:
        self._open = open_searcher
        self._close = close
        self._read_stamp = read_stamp
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._searcher: S | None = None
        self._stamp: Stamp = None
        self._error: PolicySearchError | None = None
        self._checked_at = float("-inf")
        self._reloader: threading.Thread | None = None
        self.generation = 0
        """How many times a searcher was opened (1 after a successful start)."""

    def start(self) -> None:
        """Open the index now; a missing or mismatched index is remembered, not raised.

        The server then answers 503 with the reason until a usable index appears.
        """
        with self._lock:
            self._checked_at = self._clock()
            self._open_now(self._read_stamp())

    def current(self) -> S:
        """The searcher to answer this request with (checks the disk at most once a second)."""
        self._maybe_reload()
        searcher = self._searcher
        if searcher is None:
            raise self._error or IndexNotFoundError("no index is open")
        return searcher

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait for a reload in progress to finish (tests and shutdown)."""
        thread = self._reloader
        if thread is not None:
            thread.join(timeout)

    def _maybe_reload(self) -> None:
        now = self._clock()
        if now - self._checked_at < self._interval:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._checked_at = now
            stamp = self._read_stamp()
            if stamp == self._stamp or stamp is None:
                return
            if self._searcher is None:
                self._open_now(stamp)
            elif self._reloader is None or not self._reloader.is_alive():
                self._reloader = threading.Thread(
                    target=self._reload, args=(stamp,), name="index-reload", daemon=True
                )
                self._reloader.start()
        finally:
            self._lock.release()

    def _open_now(self, stamp: Stamp) -> None:
        """Open synchronously (no searcher to keep answering meanwhile); caller holds the lock."""
        try:
            self._searcher = self._open()
        except PolicySearchError as exc:
            log.warning("index not available: %s", exc)
            self._error = exc
        else:
            self._error = None
            self.generation += 1
        self._stamp = stamp

    def _reload(self, stamp: Stamp) -> None:
        """Open the changed index beside the current one and swap it in when ready."""
        try:
            searcher = self._open()
        except Exception as exc:  # a thread must not die silently: log, keep the old searcher
            log.warning("index changed but could not be opened, keeping the old one: %s", exc)
            with self._lock:
                self._stamp = stamp
            return
        with self._lock:
            old, self._searcher = self._searcher, searcher
            self._stamp = stamp
            self._error = None
            self.generation += 1
        log.info("index reloaded (generation %d)", self.generation)
        if old is not None:
            self._retire(old)

    def close(self) -> None:
        """Close the current searcher (at shutdown)."""
        self.wait_idle(timeout=5.0)
        with self._lock:
            searcher, self._searcher = self._searcher, None
        if searcher is not None and self._close is not None:
            self._close(searcher)

    def _retire(self, old: S) -> None:
        """Close a replaced searcher once requests that took it before the swap are done.

        Requests hold a searcher only while they run, so a grace period well beyond a search's
        duration suffices; closing releases the old SQLite snapshot (WAL can checkpoint again).
        """
        if self._close is None:
            return
        timer = threading.Timer(RETIRE_AFTER_SECONDS, self._close, args=(old,))
        timer.daemon = True
        timer.start()
