"""Ids of meetings and statements: URL-safe, and stable when a meeting's other remarks change.

Analysts cite remarks and save links, so an id must survive edits elsewhere in its meeting and
travel in a URL path unencoded-safe.  The rules (documented in ``docs/index-format.md``):

- a **meeting id** is the Kokkai ``issueID``, a sidecar's ``meeting_id`` or the file name
  without its suffix, passed through ``url_safe_id``: letters and digits of any script and
  ``- _ . ~`` are kept; any other run of characters (spaces, ``# / ? %``, newlines, bytes that
  are not UTF-8) becomes ``-`` and a short digest of the original name is appended, so two
  names that differ only there still get different ids;
- a **statement id** is the Kokkai ``speechID`` (through ``url_safe_id``, which leaves it as
  it is), or ``{meeting id}_{digest of the remark's text}`` for the other formats, where the
  text is NFKC-normalised with whitespace collapsed; the second, third, ... identical remark of
  a meeting gets ``-2``, ``-3``, ... in reading order (the deterministic tie-break).

Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_ID_CHARS = 160
"""Longest meeting id kept verbatim (statement ids add at most 16 characters; the API accepts
ids of up to 200)."""
TEXT_DIGEST_CHARS = 10
"""Hex digits of a remark's text digest (40 bits: a clash inside one meeting is negligible)."""
NAME_DIGEST_CHARS = 8
_WHITESPACE = re.compile(r"\s+")


def _digest(data: bytes, chars: int) -> str:
    return hashlib.blake2b(data, digest_size=(chars + 1) // 2).hexdigest()[:chars]


def _raw_bytes(name: str) -> bytes:
    """The bytes a name came from (file names with invalid UTF-8 carry surrogate escapes)."""
    return name.encode("utf-8", "surrogateescape")


def _is_safe_char(char: str) -> bool:
    return char.isalnum() or char in "-_.~"


def is_url_safe(identifier: str) -> bool:
    """True when ``identifier`` needs no change to be used as an id (see ``url_safe_id``)."""
    return (
        0 < len(identifier) <= MAX_ID_CHARS
        and all(_is_safe_char(c) for c in identifier)
        and identifier.strip(".") != ""
        and unicodedata.is_normalized("NFC", identifier)
    )


def url_safe_id(name: str) -> str:
    """An id for ``name`` that needs no escaping in a URL path segment and has no newlines.

    A name that is already safe is returned unchanged (Kokkai ids, ordinary file names);
    otherwise each run of unsafe characters becomes ``-`` and a digest of the original name
    (its bytes, for a file name that is not UTF-8) is appended.
    """
    if is_url_safe(name):
        return name
    runs: list[str] = []
    for char in unicodedata.normalize("NFC", name):
        if _is_safe_char(char):
            runs.append(char)
        elif not runs or runs[-1] != "-":
            runs.append("-")
    cleaned = "".join(runs).strip("-.")[: MAX_ID_CHARS - NAME_DIGEST_CHARS - 1].strip("-.")
    digest = _digest(_raw_bytes(name), NAME_DIGEST_CHARS)
    return f"{cleaned}-{digest}" if cleaned else f"id-{digest}"


def text_key(text: str) -> str:
    """The digest that names a remark: its text, NFKC-normalised, whitespace collapsed."""
    normalised = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    return _digest(normalised.encode("utf-8", "surrogatepass"), TEXT_DIGEST_CHARS)


def statement_id(meeting_id: str, text: str, occurrence: int = 1) -> str:
    """The id of the ``occurrence``-th remark with this text in the meeting (1 = first)."""
    base = f"{meeting_id}_{text_key(text)}"
    return base if occurrence <= 1 else f"{base}-{occurrence}"


def statement_ids(meeting_id: str, texts: Iterable[str]) -> list[str]:
    """Ids for a meeting's remarks in reading order (identical texts: ``-2``, ``-3``, ...)."""
    seen: dict[str, int] = {}
    ids = []
    for text in texts:
        key = text_key(text)
        seen[key] = seen.get(key, 0) + 1
        base = f"{meeting_id}_{key}"
        ids.append(base if seen[key] == 1 else f"{base}-{seen[key]}")
    return ids
