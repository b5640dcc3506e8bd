"""Tagging statements with themes: pure functions over stored vectors and statement texts.

A ``TaggingModel`` is a linear scorer per embedding channel (one weight row and bias per theme)
plus keyword priors, a temperature and thresholds.  Scoring a statement:

1. its vector per channel is the normalised mean of its passages' stored vectors;
2. each channel gives logits ``W @ x + b`` (z-scored per statement for prototypes); they are
   added up;
3. keywords add ``keyword_weight * sum(idf * log(1 + matches))`` to their theme's logit;
4. ``softmax(logits / temperature)`` is the confidence of each theme (temperature fitted on
   held-out predictions, so a 0.8 is right about 80 % of the time on the dev set);
5. the best theme is *assigned* when its confidence reaches ``threshold``, a second one when it
   reaches ``secondary_threshold``; below ``threshold`` the statement is "none/mixed".  An
   assigned theme must also beat a uniform guess (``1 / themes``), which matters for small
   user sets.

Procedural remarks (the chair calling speakers) get the set's ``procedural_theme`` directly.
Nothing here touches SQLite or a model: ``indexer.themes.service`` feeds it and stores results.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from indexer.themes.keyword_matching import KeywordFinder

FloatMatrix = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
TOP_STORED = 3
"""Candidates kept per statement and theme set (assigned or not)."""


@dataclass(frozen=True, slots=True)
class ChannelWeights:
    """The linear scorer of one embedding channel: ``logits = x @ weights.T + bias``."""

    channel: str
    fingerprint: str
    weights: FloatMatrix
    """Shape (themes, dimension)."""
    bias: FloatMatrix
    """Shape (themes,)."""


@dataclass(frozen=True, slots=True)
class TaggingModel:
    """Everything needed to tag statements with one theme set, without running a model."""

    theme_ids: tuple[str, ...]
    channels: tuple[ChannelWeights, ...]
    keywords: tuple[tuple[str, ...], ...]
    keyword_weight: float = 1.0
    temperature: float = 1.0
    threshold: float = 0.4
    secondary_threshold: float = 0.25
    procedural_theme: str | None = None
    keyword_weights: tuple[tuple[float, ...], ...] = ()
    """Per theme, each keyword's weight (``keyword_idf`` over the index); empty: all 1."""
    standardize: bool = True
    """z-score each channel's scores per statement (see ``theme_logits``)."""
    method: str = "prototypes"
    """How the weights were made (``prototypes`` or ``logistic``), for the docs and ``themes``."""


@dataclass(frozen=True, slots=True)
class Tag:
    """One candidate theme of one statement."""

    theme_id: str
    score: float
    """Calibrated confidence in [0, 1]."""
    rank: int
    """1 = best."""
    assigned: bool
    """True when confident enough to count (filters, facets and counts use only these)."""


def mean_vectors(owners: IntArray, vectors: FloatMatrix, count: int) -> FloatMatrix:
    """Per statement, the normalised mean of its passages' vectors (``owners[i]`` = statement).

    A statement with no passage gets a zero vector (it scores only by keywords and bias).
    """
    sums = np.zeros((count, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, owners, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (sums / norms).astype(np.float32)


def normalise_text(text: str) -> str:
    """NFKC and lower case, so ``ＧＤＰ``/``gdp`` and full-width digits match keywords."""
    return unicodedata.normalize("NFKC", text).lower()


def keyword_counts(texts: Sequence[str], keywords: Sequence[Sequence[str]]) -> FloatMatrix:
    """Matches of each theme's keywords in each text, shape (texts, themes).

    Japanese keywords match as substrings (no spaces to split on); keywords in Latin letters
    match whole words only (``tax`` not in ``taxi``).
    """
    patterns = [_keyword_pattern(group) for group in keywords]
    out = np.zeros((len(texts), len(keywords)), dtype=np.float32)
    for row, text in enumerate(texts):
        norm = normalise_text(text)
        for column, pattern in enumerate(patterns):
            if pattern is not None:
                out[row, column] = len(pattern.findall(norm))
    return out


def keyword_evidence(
    texts: Sequence[str],
    keywords: Sequence[Sequence[str]],
    weights: Sequence[Sequence[float]] | None = None,
) -> npt.NDArray[np.float64]:
    """Per text and theme: ``sum over its keywords of weight * log(1 + matches)``.

    ``weights[t][k]`` is keyword k's weight in theme t (an inverse document frequency from
    ``keyword_idf``, so a word found in most remarks, like 予算, says little); None: all 1.
    One Aho-Corasick pass finds the keywords in each text (``keyword_matching``).
    """
    owners: dict[str, list[tuple[int, float]]] = {}
    for t, group in enumerate(keywords):
        for i, keyword in enumerate(group):
            if keyword.strip():
                weight = weights[t][i] if weights else 1.0
                owners.setdefault(normalise_text(keyword), []).append((t, weight))
    out = np.zeros((len(texts), len(keywords)), dtype=np.float64)
    if not owners:
        return out
    finder = KeywordFinder(owners)
    for row, text in enumerate(texts):
        counts: dict[str, int] = {}
        for found in finder.matches(normalise_text(text)):
            counts[found] = counts.get(found, 0) + 1
        for word, n in counts.items():
            for column, weight in owners.get(word, ()):
                out[row, column] += weight * float(np.log1p(n))
    return out


def keyword_idf(
    texts: Sequence[str], keywords: Sequence[Sequence[str]]
) -> tuple[tuple[float, ...], ...]:
    """``log(N / df)`` of every keyword over ``texts`` (a keyword found nowhere: ``log N``)."""
    n = max(len(texts), 1)
    finder = KeywordFinder(normalise_text(k) for group in keywords for k in group)
    df: dict[str, int] = {}
    for text in texts:
        for keyword in finder.present(normalise_text(text)):
            df[keyword] = df.get(keyword, 0) + 1
    out = []
    for group in keywords:
        row = []
        for keyword in group:
            found = df.get(normalise_text(keyword), 0) if keyword.strip() else 0
            row.append(round(float(np.log(n / found)) if found else float(np.log(n)), 4))
        out.append(tuple(row))
    return tuple(out)


def _keyword_pattern(group: Sequence[str]) -> re.Pattern[str] | None:
    parts = []
    for keyword in sorted({normalise_text(k) for k in group if k.strip()}, key=len, reverse=True):
        escaped = re.escape(keyword)
        parts.append(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if keyword.isascii() else escaped)
    return re.compile("|".join(parts)) if parts else None


def theme_logits(
    model: TaggingModel, vectors: Mapping[str, FloatMatrix], evidence: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Uncalibrated scores, shape (statements, themes), from every channel the model has.

    With ``model.standardize`` each channel's scores are z-scored per statement first: the
    encoders' cosine similarities sit in narrow, different bands (e5 about 0.75-0.9, USE
    0.1-0.5), and what tells themes apart is how far one stands above the others.
    """
    total: npt.NDArray[np.float64] | None = None
    for weights in model.channels:
        x = vectors.get(weights.channel)
        if x is None:
            continue
        part = x.astype(np.float64) @ weights.weights.T.astype(np.float64) + weights.bias
        if model.standardize:
            spread = part.std(axis=1, keepdims=True)
            spread[spread == 0] = 1.0
            part = (part - part.mean(axis=1, keepdims=True)) / spread
        total = part if total is None else total + part
    if total is None:
        total = np.zeros((evidence.shape[0], len(model.theme_ids)))
    return total + model.keyword_weight * evidence


def confidences(logits: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    """Softmax of ``logits / temperature`` per row: confidences in [0, 1] summing to 1."""
    z = logits / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def assign_tags(
    model: TaggingModel, probabilities: npt.NDArray[np.float64], procedural: Sequence[bool]
) -> list[list[Tag]]:
    """The stored candidates of each statement, best first, with which ones are assigned."""
    out: list[list[Tag]] = []
    ids = model.theme_ids
    uniform = 1.0 / max(len(ids), 1) + 1e-9
    for row, is_procedural in zip(probabilities, procedural, strict=True):
        if is_procedural and model.procedural_theme is not None:
            out.append([Tag(model.procedural_theme, 1.0, 1, True)])
            continue
        order = np.argsort(-row, kind="stable")[:TOP_STORED]
        tags: list[Tag] = []
        for rank, column in enumerate(order, start=1):
            score = float(row[column])
            limit = model.threshold if rank == 1 else model.secondary_threshold
            # Above the threshold and above a uniform guess (matters for small sets).
            assigned = score >= limit and score > uniform and (rank == 1 or tags[0].assigned)
            tags.append(Tag(ids[int(column)], round(score, 4), rank, assigned and rank <= 2))
        out.append(tags)
    return out


def tag_statements(
    model: TaggingModel,
    vectors: Mapping[str, FloatMatrix],
    texts: Sequence[str],
    procedural: Sequence[bool],
) -> list[list[Tag]]:
    """Tag statements given their per-channel mean vectors, texts and procedural flags."""
    evidence = keyword_evidence(texts, model.keywords, model.keyword_weights or None)
    probabilities = confidences(theme_logits(model, vectors, evidence), model.temperature)
    return assign_tags(model, probabilities, procedural)


def prototype_weights(
    channel: str, fingerprint: str, prototypes: FloatMatrix, scale: float
) -> ChannelWeights:
    """Zero-shot weights: each theme's row is its normalised prototype vector times ``scale``.

    Cosine similarities of one encoder sit in a narrow band (e5: about 0.7-0.9), so ``scale``
    stretches them into logits; the temperature then calibrates the result.
    """
    norms = np.linalg.norm(prototypes, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    rows = (prototypes / norms * scale).astype(np.float32)
    return ChannelWeights(channel, fingerprint, rows, np.zeros(len(rows), dtype=np.float32))
