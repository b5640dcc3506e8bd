"""A small real index for API and CLI tests: real minutes from ../shared/corpus, fake embedder.

Six meetings of four formats (METI summary, three Diet committee sittings on the economic
security bill, a Cabinet Office council transcript, an English FOMC minutes), about 190
statements: enough for filters, paging and related remarks across meetings, built in about a
second because the hashing embedder needs no model.
"""

from __future__ import annotations

from pathlib import Path

from indexer.pipeline import UpdateOptions, default_embedders, update_index

SMALL_CORPUS = (
    "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt",
    "kokkai/meetings/2022-03-23_diet-208_shugiin-naikaku.json",
    "kokkai/meetings/2022-03-30_diet-208_shugiin-naikaku.json",
    "kokkai/meetings/2022-04-19_diet-208_sangiin-naikaku.json",
    "minutes/2025-10-03_kisei-kaikaku-suishin-kaigi.txt",
    "minutes/2021-07-28_fomc-minutes_en.txt",
)
"""Paths under the corpus directory."""

LATE_ADDITION = "kokkai/meetings/2021-12-15_diet-207_shugiin-keizaisangyo.json"
"""A meeting not in SMALL_CORPUS, added by tests that update a running index."""


def build_index(directory: Path, corpus_dir: Path, files: tuple[str, ...] = SMALL_CORPUS) -> Path:
    """Index ``files`` (relative to ``corpus_dir``) into ``directory`` with the fake embedder."""
    paths = [corpus_dir / name for name in files]
    summary = update_index(
        directory, paths, default_embedders("fake"), UpdateOptions(progress=False)
    )
    if summary.failed:
        raise RuntimeError(f"test index could not be built: {summary.to_json()['per_file']}")
    return directory
