"""What a related-remarks search starts from: the source's passages, their vectors and context.

A source is either an indexed statement (its stored passage vectors are reused, so no model
runs for the document side) or any text (split into passages like an indexed remark and
embedded).  The caller may narrow a statement to one passage or a character range: a long
speech covers several issues, and "related to this paragraph" is a different question from
"related to this speech".  Meeting structure adds context: the remark just before and just
after the source by another speaker (the question it answers, the answer it gets) join the
source as passages of lower weight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from indexer.chunking import split_passages
from indexer.records import Passage, Statement
from indexer.store import StatementStore
from models.embedder import Embedder
from models.errors import ConfigError, IndexCorruptError

FloatMatrix = npt.NDArray[np.float32]
TEXT_SOURCE_ID = "(text)"
"""The statement id given to the passages of a text source (never stored)."""


@dataclass(frozen=True, slots=True)
class SourcePassage:
    """One passage of the source, with where it sits in the source text and how much it counts."""

    text: str
    char_start: int
    char_end: int
    weight: float = 1.0
    context: bool = False
    """True for a passage of a neighbouring remark (meeting structure), not of the source."""


@dataclass(frozen=True, slots=True)
class RelatedSource:
    """The source of a related search: text, language, passages and their vectors per channel."""

    text: str
    language: str
    passages: tuple[SourcePassage, ...]
    vectors: Mapping[str, FloatMatrix]
    """Document-side vectors per dense channel, one row per passage (channels may be missing)."""
    statement: Statement | None = None
    query_vectors: Mapping[str, FloatMatrix] = field(default_factory=dict)
    """Query-side vectors (the passages embedded as questions), where computed."""

    @property
    def weights(self) -> npt.NDArray[np.float64]:
        """The weight of each passage, in order."""
        return np.array([p.weight for p in self.passages], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class SourceSelection:
    """Which part of a statement is the source: all of it, one passage, or a character range."""

    passage: int | None = None
    char_start: int | None = None
    char_end: int | None = None

    def pick(self, passages: Sequence[Passage], text_length: int) -> list[int]:
        """Positions (in ``passages``) of the selected passages; ConfigError when none fit."""
        if self.passage is not None:
            if not 0 <= self.passage < len(passages):
                raise ConfigError(
                    f"passage {self.passage} does not exist: the statement has "
                    f"{len(passages)} passage(s), numbered from 0"
                )
            return [self.passage]
        if self.char_start is None and self.char_end is None:
            return list(range(len(passages)))
        start = self.char_start or 0
        end = text_length if self.char_end is None else self.char_end
        if not 0 <= start < end <= text_length:
            raise ConfigError(
                f"character range {start}-{end} is not inside the statement's text "
                f"(0-{text_length})"
            )
        picked = [i for i, p in enumerate(passages) if p.char_start < end and p.char_end > start]
        if not picked:
            raise ConfigError(f"no passage overlaps the character range {start}-{end}")
        return picked


def statement_source(
    store: StatementStore,
    channels: Sequence[str],
    statement: Statement,
    selection: SourceSelection,
    context_weight: float = 0.0,
) -> RelatedSource:
    """The source for an indexed statement: its (selected) passages and their stored vectors.

    With ``context_weight > 0`` the neighbouring remarks by other speakers join with that weight.
    """
    ids = store.passage_ids_of_statement(statement.statement_id)
    stored = store.get_passages(ids)
    passages = [stored[i] for i in ids]
    picked = selection.pick(passages, len(statement.text))
    chosen_ids = [ids[i] for i in picked]
    parts = [
        SourcePassage(passages[i].text, passages[i].char_start, passages[i].char_end)
        for i in picked
    ]
    if context_weight > 0:
        for neighbour in neighbours(store, statement):
            for pid in store.passage_ids_of_statement(neighbour.statement_id):
                passage = store.get_passages([pid])[pid]
                chosen_ids.append(pid)
                parts.append(
                    SourcePassage(passage.text, -1, -1, weight=context_weight, context=True)
                )
    vectors: dict[str, FloatMatrix] = {}
    for channel in channels:
        try:
            vectors[channel] = store.stored_vectors(channel, chosen_ids)
        except IndexCorruptError:
            # A channel an update is still filling: rank by the channels that have vectors.
            continue
    return RelatedSource(statement.text, statement.language, tuple(parts), vectors, statement)


def neighbours(store: StatementStore, statement: Statement) -> list[Statement]:
    """The remarks just before and after ``statement`` in its meeting by another speaker.

    In a Diet committee that is the question a minister's answer replies to and the answer a
    question receives; procedural remarks (the chair calling the next speaker) are skipped.
    """
    remarks = [s for s in store.statements_of_meeting(statement.meeting_id) if not s.procedural]
    ids = [s.statement_id for s in remarks]
    if statement.statement_id not in ids:
        return []
    here = ids.index(statement.statement_id)
    found = []
    for step in (-1, 1):
        position = here + step
        if 0 <= position < len(remarks):
            other = remarks[position]
            if other.speaker_name != statement.speaker_name or other.speaker_name is None:
                found.append(other)
    return found


def text_source(
    text: str, language: str, embedders: Mapping[str, Embedder], max_passages: int
) -> RelatedSource:
    """The source for any text: passages cut as at indexing, embedded by every channel's model."""
    passages = split_passages(TEXT_SOURCE_ID, text)[:max_passages]
    if not passages:
        raise ConfigError("the text is empty")
    texts = [p.text for p in passages]
    vectors = {name: embedder.embed_documents(texts) for name, embedder in embedders.items()}
    parts = tuple(SourcePassage(p.text, p.char_start, p.char_end) for p in passages)
    return RelatedSource(text, language, parts, vectors)


def with_query_vectors(
    source: RelatedSource, embedders: Mapping[str, Embedder], channels: Sequence[str]
) -> RelatedSource:
    """The source with its passages also embedded as questions in ``channels`` (a model run)."""
    query: dict[str, FloatMatrix] = {}
    for channel in channels:
        embedder = embedders.get(channel)
        if embedder is None:
            continue
        query[channel] = np.stack([embedder.embed_query(p.text) for p in source.passages])
    return RelatedSource(
        source.text, source.language, source.passages, source.vectors, source.statement, query
    )
