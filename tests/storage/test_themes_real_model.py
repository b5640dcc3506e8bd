"""CAP tags of real statements with the real models (slow: marked ``model``).

Statements are read from ../shared/corpus with the project's readers, cut into passages and
embedded with e5 and USE, so the tagger sees exactly what an index would store; the tagger is
the built-in CAP one (description prototypes, keywords, calibrated settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from indexer.chunking import split_passages
from indexer.index_dir import channel_info
from indexer.reading import read_minutes_file
from indexer.records import Statement
from indexer.themes.service import build_model
from indexer.themes.tagging import Tag, tag_statements
from indexer.themes.taxonomy import builtin_cap
from models.embedder import Embedder

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def embedders(real_embedder: Embedder) -> Iterator[dict[str, Embedder]]:
    """e5 (the session's) and the Universal Sentence Encoder, as an index has them."""
    from models.loading import load_embedder

    yield {"e5": real_embedder, "use": load_embedder("use")}


def _statement(corpus_dir: Path, name: str, marker: str) -> Statement:
    for parsed in read_minutes_file(corpus_dir / name):
        for statement in parsed.statements:
            if marker in statement.text:
                return statement
    raise AssertionError(f"no statement with {marker!r} in {name}")


def _tags(statements: list[Statement], embedders: dict[str, Embedder]) -> list[list[Tag]]:
    channels = {name: channel_info(e) for name, e in embedders.items()}
    model = build_model(builtin_cap(), channels, embedders)
    assert model.method == "prototypes" and len(model.channels) == 2
    vectors = {}
    for name, embedder in embedders.items():
        rows = []
        for statement in statements:
            passages = split_passages(statement.statement_id, statement.text)
            mean = embedder.embed_documents([p.text for p in passages]).mean(axis=0)
            rows.append(mean / np.linalg.norm(mean))
        vectors[name] = np.stack(rows).astype(np.float32)
    return tag_statements(
        model, vectors, [s.text for s in statements], [s.procedural for s in statements]
    )


def test_energy_inflation_and_procedure_get_their_cap_topics(
    corpus_dir: Path, embedders: dict[str, Embedder]
) -> None:
    energy = _statement(
        corpus_dir,
        "kokkai/meetings/2022-03-30_diet-208_shugiin-keizaisangyo.json",
        "サハリン１とサハリン２につきましては",
    )
    inflation = _statement(
        corpus_dir,
        "minutes/2021-07-28_fomc-minutes_en.txt",
        "Recent 12-month change measures of inflation",
    )
    chair = _statement(  # the working group's chair calls the next member: not flagged
        corpus_dir,
        "minutes/2025-11-06_kisei-kaikaku-startup-innovation-wg.txt",
        "続きまして、増島委員、お願いいたします。",
    )
    vote = _statement(  # flagged procedural by the reader
        corpus_dir, "minutes/2021-07-28_fomc-minutes_en.txt", "By unanimous vote, the Committee"
    )

    energy_tags, inflation_tags, chair_tags, vote_tags = _tags(
        [energy, inflation, chair, vote], embedders
    )

    assert (energy_tags[0].theme_id, energy_tags[0].assigned) == ("8", True)
    assert (inflation_tags[0].theme_id, inflation_tags[0].assigned) == ("1", True)
    assert (chair_tags[0].theme_id, chair_tags[0].assigned) == ("0", True)
    assert vote.procedural and (vote_tags[0].theme_id, vote_tags[0].score) == ("0", 1.0)
    assert min(energy_tags[0].score, inflation_tags[0].score) > 2 * 0.15  # 2x the none/mixed line
