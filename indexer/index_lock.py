"""The one lock every index writer takes: ``DIR/.lock``, held with ``flock`` while writing.

``index``, ``index --rebuild``, ``remove`` and ``check`` all take it, so two writers never
interleave.  ``--rebuild`` holds the lock of the index it replaces for the whole build and swaps
the new directory in under it (also holding the new directory's own ``.lock``, which becomes
``DIR/.lock`` by the swap), so no writer can start in the gap.  A writer that opened the old lock
file just before a swap notices afterwards that ``DIR/.lock`` is another file and tries again on
the new one.  The lock file records the holder's process id, for the refusal message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from models.errors import IndexWriteError

LOCK_NAME = ".lock"
_ATTEMPTS = 5


class IndexLock:
    """An exclusive hold on ``DIR/.lock``; release it with ``release()`` or a ``with`` block."""

    def __init__(self, directory: Path, fd: int) -> None:
        self.directory = directory
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, directory: Path) -> IndexLock:
        """Take the lock of ``directory`` (created if missing) without waiting.

        Raises IndexWriteError when another process holds it, naming that process.
        """
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexWriteError(f"cannot create the index directory {directory}: {exc}") from exc
        path = directory / LOCK_NAME
        for _ in range(_ATTEMPTS):
            fd = _open(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = _holder(fd)
                os.close(fd)
                raise IndexWriteError(
                    f"another policy-search process{holder} is updating the index at "
                    f"{directory}; wait for it to finish"
                ) from exc
            if _is_current(fd, path):
                _record_holder(fd)
                return cls(directory, fd)
            # The directory was swapped (a rebuild finished) after we opened the file.
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        raise IndexWriteError(f"the index at {directory} keeps being replaced; try again")

    @property
    def held(self) -> bool:
        """True until released."""
        return self._fd is not None

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> IndexLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lock_holder(directory: Path) -> int | None:
    """The process id recorded in ``DIR/.lock`` by its last holder (None when unknown)."""
    try:
        text = (directory / LOCK_NAME).read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return int(text.strip()) if text.strip().isdigit() else None


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise IndexWriteError(f"cannot open the index lock {path}: {exc}") from exc


def _is_current(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _record_holder(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError:
        pass  # the pid is only for messages; a full disk must not stop the lock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""
