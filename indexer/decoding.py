"""Bytes to text: the encodings Japanese and English minutes come in.

Minutes arrive as UTF-8 (with or without BOM), UTF-16 (with or without BOM), Shift_JIS/CP932,
which is common for Japanese government text files, or EUC-JP, found in older archives.  The
decoded text is kept as it is (no normalisation) so it can be shown as published.  Binary data
is refused with a ParseError rather than turned into mojibake statements.
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
_LEGACY_JAPANESE = ("cp932", "euc_jp")
"""Tried in this order when the bytes are not UTF-8; the likelier Japanese reading wins."""
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


def japanese_text_score(text: str) -> float:
    """Share of characters that ordinary minutes are made of: ASCII, kana, Japanese punctuation.

    A wrong decoding turns these into CJK ideographs, half-width katakana or other scripts, so
    the right one of several candidate decodings scores highest.  Pure; used to choose one.
    """
    sample = text[:20_000]
    if not sample:
        return 0.0
    plain = sum(
        1
        for ch in sample
        if ch.isascii() or "\u3000" <= ch <= "\u30ff" or "\uff01" <= ch <= "\uff5e"
    )
    return plain / len(sample)


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text with no BOM: NUL bytes at every other position give it away."""
    if len(data) % 2 or data[:8192].count(0) < len(data[:8192]) // 50:
        return None
    candidates = []
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            candidates.append((japanese_text_score(data.decode(encoding)), encoding))
        except UnicodeDecodeError:
            continue
    if not candidates:
        return None
    score, encoding = max(candidates)
    return (data.decode(encoding), encoding) if score > 0.2 else None


def decode_bytes(data: bytes, source: str) -> DecodedText:
    """Decode minutes bytes: a BOM, UTF-8, UTF-16 without BOM, then CP932 or EUC-JP.

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
        utf16 = _decode_utf16_without_bom(data)
        if utf16 is None:
            raise ParseError(source, "binary data, not a text file")
        return _check_text(*utf16, source)
    try:
        return _check_text(data.decode("utf-8"), "utf-8", source)
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, int, str, str]] = []
    for order, encoding in enumerate(_LEGACY_JAPANESE):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((japanese_text_score(text), -order, text, encoding))
    if not candidates:
        raise ParseError(
            source, "not text: cannot decode as UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP"
        )
    _, _, text, encoding = max(candidates)
    return _check_text(text, encoding, source)
