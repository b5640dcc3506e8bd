"""Which language a remark is in (``ja`` or ``en``), from its characters alone.

The corpus mixes Japanese minutes (which contain Latin words like ``Small yard``) and English
minutes; counting kana and kanji against Latin letters tells them apart reliably without a
model.
"""

from __future__ import annotations

JAPANESE = "ja"
ENGLISH = "en"


def _is_japanese_char(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0xFF66 <= code <= 0xFF9F  # half-width katakana
        or code in (0x3005, 0x3006)  # 々 〆
    )


def detect_language(text: str, default: str = JAPANESE) -> str:
    """Return ``ja`` when Japanese characters make up a fair share of the letters, else ``en``.

    Text with no letters at all gets ``default``.
    """
    sample = text[:5000]
    japanese = sum(1 for ch in sample if _is_japanese_char(ch))
    latin = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    if japanese == 0 and latin == 0:
        return default
    # A Japanese character carries about as much as a short English word.
    return JAPANESE if japanese * 4 >= latin * 0.5 else ENGLISH
