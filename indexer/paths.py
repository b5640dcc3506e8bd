"""File paths as text that can be stored in SQLite, written to JSON and printed.

Paths are bytes on Linux: a file name need not be UTF-8 (``os.fsdecode`` then gives lone
surrogates, which SQLite, JSON encoders and terminals refuse) and may hold newlines.  Every
path the index stores or shows goes through ``path_text``.
"""

from __future__ import annotations

import os
from pathlib import PurePath

_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def path_text(path: PurePath | str) -> str:
    """``path`` as valid, single-line UTF-8 text.

    Bytes that are not UTF-8 appear as ``\\xNN`` and control characters (newlines) as
    ``\\n``/``\\xNN``; any other path is returned exactly as ``str(path)``.
    """
    text = os.fsdecode(path) if not isinstance(path, str) else path
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return text.translate(_CONTROL)
