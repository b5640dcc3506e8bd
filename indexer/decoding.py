"""Bytes to text: the encodings Japanese and English minutes come in.

Minutes arrive as UTF-8 (with or without BOM), UTF-16 (with BOM) or Shift_JIS/CP932, which is
common for Japanese government text files.  The decoded text is kept as it is (no
normalisation) so it can be shown as published.  Binary data is refused with a ParseError
rather than turned into mojibake statements.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from models.errors import ParseError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACKS = ("utf-8", "cp932")
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CONTROL_RATIO = 0.01


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from bytes and the encoding that decoded it."""

    text: str
    encoding: str


def _control_ratio(text: str) -> float:
    sample = text[:20_000]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    return controls / len(sample)


def _check_text(text: str, encoding: str, source: str) -> DecodedText:
    if "\x00" in text or _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise ParseError(source, "binary data, not a text file")
    if not text.strip():
        raise ParseError(source, "empty file (no text)")
    return DecodedText(text, encoding)


def decode_bytes(data: bytes, source: str) -> DecodedText:
    """Decode minutes bytes, trying BOMs, then UTF-8, then CP932 (a superset of Shift_JIS).

    Raises ParseError (naming ``source``) for empty input, binary data or undecodable bytes.
    """
    if not data.strip():
        raise ParseError(source, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding), encoding, source)
            except UnicodeDecodeError as exc:
                raise ParseError(source, f"invalid {encoding} text: {exc.reason}") from exc
    if b"\x00" in data[:8192]:
        raise ParseError(source, "binary data, not a text file")
    for encoding in _FALLBACKS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _check_text(text, encoding, source)
    raise ParseError(source, "not text: cannot decode as UTF-8, UTF-16 or Shift_JIS/CP932")
