"""JSON text to Python values, with failures reported as ParseError naming file and line."""

from __future__ import annotations

import json
from typing import Any

from models.errors import ParseError


def load_json(text: str, source: str, what: str = "JSON", line: int | None = None) -> Any:
    """``json.loads`` whose errors name ``source`` and the line (``line``, else the decoder's).

    ``what`` says what was being read (``JSON in sidecar``, ``JSON on line 12``); deeply nested
    input, which makes the decoder recurse without bound, is a ParseError too.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = line if line is not None else exc.lineno
        raise ParseError(source, f"malformed {what}: {exc.msg}", where) from exc
    except RecursionError as exc:
        raise ParseError(source, f"malformed {what}: nested too deeply", line) from exc
