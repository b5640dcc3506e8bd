"""Theme sets in an index: build a set's tagging model, store it, tag statements, keep in step.

* ``install_theme_set`` builds the model of a set (embedding only its descriptions and example
  texts, a few dozen short texts), stores it and tags every statement.
* ``tag_pending`` tags the statements that have no current tags (new or changed ones): the
  pipeline calls it after every update, ``themes reload`` after a set changed.  It reads stored
  passage vectors only; no model runs.
* ``refresh_themes`` is the pipeline's hook: the built-in CAP set is installed (or refreshed
  when this version ships other descriptions), then pending statements are tagged.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from indexer.manifest import ChannelInfo
from indexer.store import IN_CHUNK, StatementStore
from indexer.themes import shipped
from indexer.themes.storage import (
    has_theme_tables,
    save_theme_set,
    statements_to_tag,
    theme_sets,
    write_tags,
)
from indexer.themes.tagging import (
    ChannelWeights,
    TaggingModel,
    keyword_idf,
    mean_vectors,
    prototype_weights,
    tag_statements,
)
from indexer.themes.taxonomy import BUILTIN_CAP, ThemeSet, builtin_cap
from models.embedder import Embedder
from models.errors import ConfigError

BATCH = 2000
"""Statements tagged per transaction."""


@dataclass(slots=True)
class TagReport:
    """What a tagging run did, per theme set."""

    tagged: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Statements tagged over every set."""
        return sum(self.tagged.values())


def build_model(
    theme_set: ThemeSet,
    channels: Mapping[str, ChannelInfo],
    embedders: Mapping[str, Embedder],
    store: StatementStore | None = None,
) -> TaggingModel:
    """The tagging model of a set for the channels of this index (zero-shot, no training).

    Each channel whose embedder is given gets prototypes: per theme, the normalised mean of
    its descriptions' embeddings (query side), its example texts' embeddings (document side)
    and its example statements' stored vectors (read from ``store``, needed only when a theme
    lists ``example_ids``).  Keyword weights are inverse document frequencies over the index's
    statements (``store``); temperature and thresholds are the calibrated CAP settings.
    """
    weights: list[ChannelWeights] = []
    for name in sorted(channels):
        info = channels[name]
        embedder = embedders.get(name)
        if embedder is None or embedder.fingerprint != info.fingerprint:
            continue
        prototypes = _prototypes(theme_set, store, name, embedder)
        weights.append(
            prototype_weights(name, info.fingerprint, prototypes, shipped.PROTOTYPE_SCALE)
        )
    if not weights and not any(t.keywords for t in theme_set.themes):
        raise ConfigError(
            f"cannot tag with theme set {theme_set.set_id!r}: no model of this index's channels "
            f"({', '.join(sorted(channels)) or 'none'}) was given and no theme has keywords"
        )
    keywords = tuple(t.keywords for t in theme_set.themes)
    texts = sample_texts(store) if store is not None else []
    tuning = shipped.prototype_settings()
    return TaggingModel(
        theme_ids=tuple(t.theme_id for t in theme_set.themes),
        channels=tuple(weights),
        keywords=keywords,
        keyword_weights=keyword_idf(texts, keywords) if texts else (),
        keyword_weight=float(tuning.get("keyword_weight", 1.0)),
        temperature=float(tuning["temperature"]),
        threshold=float(tuning["threshold"]),
        secondary_threshold=float(tuning["secondary_threshold"]),
        procedural_theme=theme_set.procedural_theme,
        standardize=True,
        method="prototypes" if weights else "keywords",
    )


IDF_SAMPLE = 5000
"""Statements keyword frequencies are counted over (a fixed, id-ordered sample)."""


def sample_texts(store: StatementStore, limit: int = IDF_SAMPLE) -> list[str]:
    """Substantive statement texts of the index for keyword weights: an even sample by id."""
    with store.lock:
        rows = store.connection.execute(
            "SELECT text FROM statements WHERE procedural = 0 ORDER BY statement_id"
        ).fetchall()
    step = max(1, len(rows) // limit)
    return [row[0] for row in rows[::step]][:limit]


def _prototypes(
    theme_set: ThemeSet, store: StatementStore | None, channel: str, embedder: Embedder
) -> npt.NDArray[np.float32]:
    rows = []
    for theme in theme_set.themes:
        parts = [embedder.embed_query(text) for text in theme.prototype_texts()]
        if theme.examples:
            parts.extend(embedder.embed_documents(list(theme.examples)))
        if theme.example_ids:
            if store is None:
                raise ConfigError(f"theme {theme.theme_id}: example_ids need an index")
            found = statement_means(store, channel, list(theme.example_ids))
            missing = [sid for sid in theme.example_ids if sid not in found]
            if missing:
                raise ConfigError(
                    f"theme {theme_set.set_id}:{theme.theme_id}: example_ids not in the index: "
                    f"{', '.join(missing[:5])}"
                )
            parts.extend(found.values())
        mean = np.mean(np.stack(parts), axis=0)
        rows.append(mean / (np.linalg.norm(mean) or 1.0))
    return np.stack(rows).astype(np.float32)


def statement_means(
    store: StatementStore, channel: str, statement_ids: Sequence[str]
) -> dict[str, npt.NDArray[np.float32]]:
    """Each statement's normalised mean passage vector in ``channel`` (those that have one)."""
    info = store.channel(channel)
    sql = (
        "SELECT p.statement_id, v.vector FROM passages p JOIN vectors v ON v.content_hash = "
        "p.content_hash AND v.fingerprint = ? WHERE p.statement_id IN ({marks})"
    )
    out: dict[str, npt.NDArray[np.float32]] = {}
    ids = list(statement_ids)
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        with store.lock:
            rows = store.connection.execute(
                sql.format(marks=",".join("?" * len(chunk))), [info.fingerprint, *chunk]
            ).fetchall()
        if not rows:
            continue
        order = {sid: i for i, sid in enumerate(dict.fromkeys(r[0] for r in rows))}
        owners = np.fromiter((order[r[0]] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        means = mean_vectors(owners, matrix.reshape(len(rows), info.dimension), len(order))
        out.update({sid: means[i] for sid, i in order.items()})
    return out


def install_theme_set(
    store: StatementStore, theme_set: ThemeSet, embedders: Mapping[str, Embedder]
) -> TagReport:
    """Store a theme set (replacing one with its id) and tag every statement with it."""
    model = build_model(theme_set, store.channels(), embedders, store)
    save_theme_set(store, theme_set, model)
    return tag_pending(store, [theme_set.set_id])


def tag_pending(store: StatementStore, set_ids: Sequence[str] | None = None) -> TagReport:
    """Tag the statements with no current tags in these sets (all sets when None)."""
    started = time.perf_counter()
    report = TagReport()
    for theme_set, model, _digest in theme_sets(store):
        if set_ids is not None and theme_set.set_id not in set_ids:
            continue
        pending = statements_to_tag(store, theme_set.set_id)
        for start in range(0, len(pending), BATCH):
            batch = pending[start : start + BATCH]
            _tag_batch(store, theme_set.set_id, model, batch)
        report.tagged[theme_set.set_id] = len(pending)
    report.seconds = time.perf_counter() - started
    return report


def _tag_batch(
    store: StatementStore, set_id: str, model: TaggingModel, batch: Sequence[tuple[str, int]]
) -> None:
    ids = [sid for sid, _basis in batch]
    statements = store.get_statements(ids)
    vectors: dict[str, npt.NDArray[np.float32]] = {}
    for weights in model.channels:
        means = statement_means(store, weights.channel, ids)
        zero = np.zeros(weights.weights.shape[1], dtype=np.float32)
        vectors[weights.channel] = np.stack([means.get(sid, zero) for sid in ids])
    tags = tag_statements(
        model,
        vectors,
        [statements[sid].text for sid in ids],
        [statements[sid].procedural for sid in ids],
    )
    write_tags(
        store, set_id, [(sid, basis, t) for (sid, basis), t in zip(batch, tags, strict=True)]
    )


def refresh_themes(store: StatementStore, embedders: Mapping[str, Embedder]) -> TagReport:
    """After an update: install or refresh the built-in CAP set, then tag pending statements."""
    if not has_theme_tables(store):
        return TagReport()
    if not builtin_is_current(store):
        cap = builtin_cap()
        model = build_model(cap, store.channels(), embedders, store)
        save_theme_set(store, cap, model, cap.digest + shipped.model_version())
    return tag_pending(store)


def builtin_is_current(store: StatementStore) -> bool:
    """True when the stored CAP set is this version's (so refreshing it needs no model)."""
    if not has_theme_tables(store):
        return False
    stored = {s.set_id: digest for s, _model, digest in theme_sets(store)}
    return stored.get(BUILTIN_CAP) == builtin_cap().digest + shipped.model_version()


def retag(store: StatementStore, set_ids: Sequence[str]) -> TagReport:
    """Drop the tags of these sets and tag every statement again with their stored models."""
    with store.lock:
        conn = store.connection
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "DELETE FROM statement_themes WHERE set_id = ?", [(s,) for s in set_ids]
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return tag_pending(store, list(set_ids))
