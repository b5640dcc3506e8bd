"""The themes of a related search's source: its stored tags, or the tagger run on a text.

A statement source has the assigned themes the store attached to it.  A text sent to
``POST /related`` has none stored, so it is tagged like a statement (`indexer.themes.tagging`):
each stored theme set's model over the source's document-side passage vectors (their normalised
mean per channel) and its text's keywords.  Only assigned themes count, as for statements.
"""

from __future__ import annotations

import numpy as np

from indexer.store import StatementStore
from indexer.themes.storage import has_theme_tables, theme_sets
from indexer.themes.tagging import tag_statements
from search_api.related.sources import RelatedSource


def source_theme_keys(store: StatementStore, source: RelatedSource) -> frozenset[str]:
    """Qualified ids (``cap:8``) of the source's assigned themes (empty when untagged)."""
    if source.statement is not None:
        return frozenset(tag.key for tag in source.statement.themes)
    if not source.text.strip() or not has_theme_tables(store):
        return frozenset()
    main = np.array([not p.context for p in source.passages], dtype=np.bool_)
    vectors = {}
    for channel, matrix in source.vectors.items():
        rows = matrix[main] if main.any() else matrix
        mean = rows.astype(np.float64).mean(axis=0, keepdims=True)
        norm = float(np.linalg.norm(mean)) or 1.0
        vectors[channel] = (mean / norm).astype(np.float32)
    keys: set[str] = set()
    for theme_set, model, _digest in theme_sets(store):
        tags = tag_statements(model, vectors, [source.text], [False])[0]
        keys.update(f"{theme_set.set_id}:{tag.theme_id}" for tag in tags if tag.assigned)
    return frozenset(keys)
