"""Words for people: how a remark with no named speaker is labelled, in the CLI and the page.

議事要旨 summaries record what "a member" said without naming them, and FOMC minutes speak of
"participants"; a reader should see the word the source uses, not "(unknown speaker)".
"""

from __future__ import annotations

UNNAMED_SPEAKER: dict[str, dict[str, str]] = {
    "ja": {"ja": "委員", "en": "panel member"},
    "en": {"ja": "参加者", "en": "participant"},
}
"""By the statement's language, then the reader's: the source's own word for an unnamed speaker."""


def unnamed_speaker(statement_language: str, reader_language: str | None = None) -> str:
    """The label of a remark whose source names no speaker.

    ``reader_language`` is the interface language (``ja`` / ``en``); ``None`` gives the word
    the source itself uses (委員 in a Japanese summary, "participant" in English minutes).
    """
    words = UNNAMED_SPEAKER.get(statement_language, UNNAMED_SPEAKER["ja"])
    return words.get(reader_language or statement_language, words["ja"])


def speaker_label(
    name: str | None, statement_language: str, reader_language: str | None = None
) -> str:
    """The speaker's name, or the source's word for an unnamed one."""
    return name or unnamed_speaker(statement_language, reader_language)
