"""Related remarks: rank the index by everything known about a source, and say why.

Channels, each a statement ranking fused like a search (convex fusion of min-max normalised
scores, weights in `RelatedConfig`):

* ``e5``, ``use``...: the source's passages as stored (document-side) vectors, each searched
  in FAISS, per statement aggregated over source passages (``search_api.related.scoring``),
  each pair's cosine corrected for hubness (``search_api.related.hubness``);
* ``e5:query``: the same passages embedded as questions (e5's ``query:`` side), when a
  model is loaded and the channel has a weight;
* ``bm25``: more-like-this, the source's most distinctive terms by tf-idf against the index
  (``search_api.related.terms``), and for an English source its most distinctive words'
  Japanese translations, each word one structured-query group
  (``search_api.question_translation``);
* ``<channel>:context``: the neighbouring remarks of the source in its meeting (meeting
  structure), when ``context_weight`` > 0;
* ``<channel>:feedback``: pseudo-relevance feedback, the best passages of the first
  ``feedback`` results searched again (Rocchio for dense channels, RM3-style terms for BM25).

The source statement never appears in its own results, nor (by default) its meeting.  The
reasons of each shown result come from these same rankings (``search_api.related.reasons``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from indexer.records import Statement
from indexer.store import StatementStore
from indexer.vectors import FaissVectorIndex
from search_api.catalog import PassageCatalog
from search_api.fusion import convex_fusion, reciprocal_rank_fusion
from search_api.lexical import LexicalIndex, folded_text, found_words
from search_api.question_translation import QuestionTranslator, TermGroup
from search_api.ranking import ChannelTuning, top_rows
from search_api.related.config import (
    CONTEXT_SUFFIX,
    FEEDBACK_SUFFIX,
    LEXICAL,
    QUERY_SUFFIX,
    RelatedConfig,
)
from search_api.related.diversity import cap_per_meeting
from search_api.related.hubness import PassageDensity, csls_correction, source_density
from search_api.related.reasons import (
    PassageRef,
    RelatedHit,
    RelatedReason,
    ThemeLookup,
    shared_themes,
    tagged_shared_themes,
)
from search_api.related.scoring import PairRanking, aggregate_pairs
from search_api.related.sources import RelatedSource
from search_api.related.terms import (
    WeightedTerm,
    score_passages,
    select_groups,
    select_terms,
)
from search_api.related.themes import source_theme_keys
from search_api.relevance import fused_scale, relevance
from search_api.results import Highlight, SearchPage

IntArray = npt.NDArray[np.int64]
MAX_SHOWN_TERMS = 10
"""Shared terms a reason lists, most distinctive first (a long speech shares dozens)."""


@dataclass(frozen=True, slots=True)
class RelatedRanking:
    """The full ordering with the channel rankings and terms it came from (for the reasons)."""

    ordered: list[tuple[int, float]]
    rankings: dict[str, PairRanking]
    terms: list[WeightedTerm]
    groups: list[TermGroup] = field(default_factory=list)
    """An English source's translated words searched by more-like-this (empty otherwise)."""


class RelatedFinder:
    """Ranks statements against a `RelatedSource` within an allowed-passage mask."""

    def __init__(
        self,
        vectors: Callable[[str], FaissVectorIndex],
        store: StatementStore,
        catalog: PassageCatalog,
        lexical: LexicalIndex,
        analyze: Callable[[str], list[tuple[str, str]]],
        config: RelatedConfig | None = None,
        density: PassageDensity | None = None,
    ) -> None:
        """``vectors(channel)`` gives a channel's FAISS index; ``analyze`` is the BM25 analyzer;
        ``density`` the passages' neighbourhood densities (None: no hubness correction)."""
        self._vectors = vectors
        self._density = density
        self._store = store
        self._catalog = catalog
        self._lexical = lexical
        self._analyze = analyze
        self.config = config or RelatedConfig()
        self.tuning: Mapping[str, ChannelTuning] = {}
        """Per-channel corrections (the searcher passes its own)."""
        self.themes: ThemeLookup | None = None
        """Where shared themes come from; None: the statements' stored tags."""
        self.translator: QuestionTranslator | None = None
        """English sources' words in Japanese for more-like-this (None: their own words only;
        the searcher passes its own)."""

    def wants_query_side(self, channel: str) -> bool:
        """Whether the ranking uses ``channel``'s query side (so the caller should embed it)."""
        return self.config.weights.get(channel + QUERY_SUFFIX, 0.0) > 0

    def exclusion_mask(
        self, mask: npt.NDArray[np.bool_], source: RelatedSource, exclude_same_meeting: bool
    ) -> npt.NDArray[np.bool_]:
        """``mask`` without the source statement's passages (and its meeting's, by default)."""
        if source.statement is None:
            return mask
        own = self._catalog.statement_index(source.statement.statement_id)
        if own is None:
            return mask
        owners = self._catalog.passage_statement
        mask = mask & (owners != own)
        if exclude_same_meeting:
            meeting = self._catalog.statement_meeting[own]
            mask = mask & (self._catalog.statement_meeting[owners] != meeting)
        return mask

    def rank(self, source: RelatedSource, mask: npt.NDArray[np.bool_]) -> RelatedRanking:
        """Every allowed statement ordered by the fused channels (diversity applied)."""
        allowed = self._catalog.passage_ids[mask]
        rankings: dict[str, PairRanking] = {}
        weights = self.config.weights
        main = np.array([not p.context for p in source.passages], dtype=np.bool_)
        for channel, xq in source.vectors.items():
            rankings.update(self._dense(channel, channel, xq, main, source, allowed))
        for channel, xq in source.query_vectors.items():
            name = channel + QUERY_SUFFIX
            if weights.get(name, 0.0) > 0:
                rankings.update(self._dense(channel, name, xq, main, source, allowed))
        terms: list[WeightedTerm] = []
        groups: list[TermGroup] = []
        if weights.get(LEXICAL, 0.0) > 0:
            text = " ".join(p.text for p in source.passages if not p.context)
            terms = select_terms(self._analyze(text), self._lexical, self.config.terms)
            scores = score_passages(self._lexical, terms)
            groups = self._translated(text, source.language)
            if groups:
                scores = scores + self._lexical.score_groups([g.terms for g in groups])
            rows = top_rows(scores, mask, self.config.depth)
            rankings[LEXICAL] = PairRanking.from_rows(self._catalog, rows, scores[rows])
        fused = self._fused(rankings)
        if self.config.feedback > 0 and fused:
            rankings.update(self._feedback(fused, rankings, source, (allowed, mask)))
            fused = self._fused(rankings)
        ordered = cap_per_meeting(fused, self._catalog.statement_meeting, self.config.per_meeting)
        return RelatedRanking(ordered, rankings, terms, groups)

    def _translated(self, text: str, language: str) -> list[TermGroup]:
        """An English source's most distinctive words as groups of Japanese index terms (each
        scored as one term: `search_api.question_translation`), chosen like its own terms."""
        if self.translator is None or language != "en":
            return []
        groups = self.translator.term_groups(text)
        return select_groups(groups, self._lexical, self.config.terms)

    def _fused(self, rankings: Mapping[str, PairRanking]) -> list[tuple[int, float]]:
        names = [n for n in rankings if self._weight(n) > 0]
        lists = [rankings[n].as_pairs() for n in names]
        channel_weights = [self._weight(n) for n in names]
        if self.config.fusion == "rrf":
            return reciprocal_rank_fusion(lists, channel_weights)
        return convex_fusion(lists, channel_weights)

    def _feedback(
        self,
        fused: Sequence[tuple[int, float]],
        rankings: Mapping[str, PairRanking],
        source: RelatedSource,
        scope: tuple[IntArray, npt.NDArray[np.bool_]],
    ) -> dict[str, PairRanking]:
        """Pseudo-relevance feedback: the best passages of the first results, searched again.

        Rocchio-style for every dense channel (the feedback passages' stored vectors, their
        coverage averaged) and RM3-style for BM25 (their distinctive terms).
        """
        allowed, mask = scope
        top = [statement for statement, _score in fused[: self.config.feedback]]
        rows = [self._pair(statement, rankings)[2] for statement in top]
        ids = [int(self._catalog.passage_ids[row]) for row in rows]
        out: dict[str, PairRanking] = {}
        for channel in source.vectors:
            name = channel + FEEDBACK_SUFFIX
            if self._weight(name) <= 0:
                continue
            xq = self._store.stored_vectors(channel, ids)
            vectors = self._vectors(channel)
            k = max(1, min(self.config.depth, vectors.ntotal))
            distances, labels = vectors.search(xq, k, allowed)
            out[name] = aggregate_pairs(
                self._catalog,
                distances,
                labels,
                np.ones(len(ids)),
                self._tuning(channel),
                source.language,
                "mean",
                correction=self._hub_correction(channel, distances, labels),
            )
        if self._weight(LEXICAL + FEEDBACK_SUFFIX) > 0:
            passages = self._store.get_passages(ids)
            text = " ".join(p.text for p in passages.values())
            terms = select_terms(self._analyze(text), self._lexical, self.config.terms)
            scores = score_passages(self._lexical, terms)
            top_found = top_rows(scores, mask, self.config.depth)
            out[LEXICAL + FEEDBACK_SUFFIX] = PairRanking.from_rows(
                self._catalog, top_found, scores[top_found]
            )
        return out

    def _tuning(self, channel: str) -> ChannelTuning:
        """The search's cross-language offset with the related ranking's own length penalty."""
        offset = self.tuning.get(channel, ChannelTuning()).cross_language_offset
        return ChannelTuning(self.config.long_speech_penalty, offset)

    def _weight(self, name: str) -> float:
        if name.endswith(FEEDBACK_SUFFIX):
            base = self.config.weights.get(name.removesuffix(FEEDBACK_SUFFIX), 0.0)
            return base * self.config.feedback_weight
        if name.endswith(CONTEXT_SUFFIX):
            base = self.config.weights.get(name.removesuffix(CONTEXT_SUFFIX), 0.0)
            return base * self.config.context_weight
        return self.config.weights.get(name, 0.0)

    def _dense(
        self,
        channel: str,
        name: str,
        xq: npt.NDArray[np.float32],
        main: npt.NDArray[np.bool_],
        source: RelatedSource,
        allowed: IntArray,
    ) -> dict[str, PairRanking]:
        """The rankings ``name`` (and ``name:context``) from ``xq`` searched in ``channel``."""
        vectors = self._vectors(channel)
        k = max(1, min(self.config.depth, vectors.ntotal))
        distances, labels = vectors.search(np.ascontiguousarray(xq), k, allowed)
        correction = self._hub_correction(channel, distances, labels)
        tuning = self._tuning(channel)
        out: dict[str, PairRanking] = {}
        for label, rows in ((name, main), (name + CONTEXT_SUFFIX, ~main)):
            if rows.any() and self._weight(label) > 0:
                chosen = np.flatnonzero(rows)
                weights = source.weights[chosen]
                ranked = aggregate_pairs(
                    self._catalog,
                    distances[chosen],
                    labels[chosen],
                    weights,
                    tuning,
                    source.language,
                    self.config.aggregate,
                    correction=None if correction is None else correction[chosen],
                )
                # best_sources index the chosen rows; map them back to the source's passages
                out[label] = PairRanking(
                    ranked.statements,
                    ranked.scores,
                    ranked.best_rows,
                    chosen[ranked.best_sources],
                    ranked.pair_scores,
                )
        return out

    def _hub_correction(
        self, channel: str, distances: npt.NDArray[np.float32], labels: IntArray
    ) -> npt.NDArray[np.float64] | None:
        """CSLS's ``(r(x) + r(y)) / 2`` for each found pair, or None when the correction is off."""
        neighbours = self.config.hub_neighbours
        if self._density is None or neighbours <= 0:
            return None
        rows = self._catalog.rows_of_labels(labels)
        density = self._density.of(channel)
        return csls_correction(source_density(distances, labels, neighbours), density, rows)

    # ---- the page and its reasons ------------------------------------------------------
    def page(
        self, source: RelatedSource, ranking: RelatedRanking, limit: int, offset: int
    ) -> SearchPage:
        """One page of related hits, each with its reason."""
        window = ranking.ordered[offset : offset + limit]
        catalog = self._catalog
        ids = [catalog.statement_ids[s] for s, _ in window]
        statements = self._store.get_statements(ids)
        meetings = self._store.get_meetings(sorted({s.meeting_id for s in statements.values()}))
        pairs = {s: self._pair(s, ranking.rankings) for s, _ in window}
        passage_ids = [int(catalog.passage_ids[row]) for _ch, _src, row, _sim in pairs.values()]
        passages = self._store.get_passages(passage_ids)
        owners = self._term_owners(ranking.terms)
        group_owners = self._group_owners(ranking.groups)
        weights = [self._weight(name) for name in ranking.rankings]
        scale = fused_scale(weights, self.config.fusion)
        themes = (
            tagged_shared_themes(source_theme_keys(self._store, source), statements)
            if self.themes is None
            else shared_themes(
                self.themes, source.statement.statement_id if source.statement else None, ids
            )
        )
        hits = []
        for rank, ((index, score), statement_id) in enumerate(
            zip(window, ids, strict=True), start=offset + 1
        ):
            statement = statements[statement_id]
            channel, src, row, similarity = pairs[index]
            passage = passages[int(catalog.passage_ids[row])]
            terms = self._shared_terms(index, statement, source, owners)
            side = source.passages[src]
            reason = RelatedReason(
                channel=channel,
                similarity=similarity,
                source=PassageRef(side.text, side.char_start, side.char_end),
                result=PassageRef(passage.text, passage.char_start, passage.char_end),
                context=side.context,
                terms=terms,
                themes=themes.get(statement_id, ()),
                translations=self._translations(index, statement, group_owners),
            )
            highlight = Highlight(passage.text, terms, passage.char_start, passage.char_end)
            hits.append(
                RelatedHit(
                    statement=statement,
                    meeting=meetings[statement.meeting_id],
                    score=float(score),
                    rank=rank,
                    highlight=highlight,
                    relevance=relevance(float(score), scale),
                    reason=reason,
                )
            )
        label = source.statement.statement_id if source.statement else source.text[:80]
        return SearchPage(label, len(ranking.ordered), tuple(hits), limit, offset)

    def _pair(
        self, statement: int, rankings: Mapping[str, PairRanking]
    ) -> tuple[str, int, int, float]:
        """(channel, source passage, catalog row, similarity) of the pair shown as the reason.

        The first dense channel by weight that ranks the statement gives the pair; feedback
        channels never do, since their query vectors are the first results' passages, not the
        source's (their "source" index points into those). A statement no other channel ranks
        shows its best BM25 passage against the source's first passage.
        """
        dense = sorted(
            (n for n in rankings if n != LEXICAL and not n.endswith(FEEDBACK_SUFFIX)),
            key=lambda n: (n.endswith(CONTEXT_SUFFIX), -self._weight(n), n),
        )
        for name in [*dense, LEXICAL]:
            ranking = rankings.get(name)
            pair = ranking.pair_of(statement) if ranking is not None else None
            if pair is not None:
                return name, pair[0], pair[1], pair[2]
        rows = np.flatnonzero(self._catalog.passage_statement == statement)
        return LEXICAL, 0, int(rows[0]), 0.0

    def _term_owners(self, terms: Sequence[WeightedTerm]) -> list[tuple[WeightedTerm, set[int]]]:
        """Each selected term with the statements whose passages are indexed under it."""
        return [(weighted, self._statements_holding(weighted.term)) for weighted in terms]

    def _group_owners(self, groups: Sequence[TermGroup]) -> list[tuple[TermGroup, set[int]]]:
        """Each translated word with the statements whose passages hold one of its terms."""
        return [
            (group, set().union(*(self._statements_holding(t) for t in group.terms)))
            for group in groups
        ]

    def _statements_holding(self, term: str) -> set[int]:
        """Statements with a passage indexed under ``term`` (none for an unknown term)."""
        lexical = self._lexical
        column = lexical.vocabulary.get(term)
        if column is None:
            return set()
        postings = lexical.rows[lexical.indptr[column] : lexical.indptr[column + 1]]
        return set(self._catalog.passage_statement[postings].tolist())

    @staticmethod
    def _translations(
        statement: int, result: Statement, owners: Sequence[tuple[TermGroup, set[int]]]
    ) -> tuple[tuple[str, str], ...]:
        """(source word, translation as written in the result) for each translated word the
        result holds, most distinctive first; whole words before their parts (半導体, not 導体)."""
        pairs = []
        for group, statements in owners:
            if statement in statements:
                written = readable_terms(found_words(result.text, group.words), (result.text,))
                if written:
                    pairs.append((group.source, written[0]))
        return tuple(pairs[:MAX_SHOWN_TERMS])

    def _shared_terms(
        self,
        statement: int,
        result: Statement,
        source: RelatedSource,
        owners: Sequence[tuple[WeightedTerm, set[int]]],
    ) -> tuple[str, ...]:
        """Selected terms indexed in the result's passages, as written in both texts."""
        matched = [(w.term, w.surface) for w, statements in owners if statement in statements]
        if not matched:
            return ()
        in_result = found_words(result.text, matched)
        in_source = {w.lower() for w in found_words(source.text, [(w, w) for w in in_result])}
        shared = [w for w in in_result if w.lower() in in_source]
        words = readable_terms(shared, (result.text, source.text))

        def rank(word: str) -> int:  # the most distinctive term the word contains comes first
            folded = word.lower()
            hits = [i for i, (term, surface) in enumerate(matched) if surface.lower() in folded]
            return min(hits, default=len(matched))

        return tuple(sorted(words, key=rank)[:MAX_SHOWN_TERMS])


def readable_terms(words: Sequence[str], texts: Sequence[str]) -> tuple[str, ...]:
    """Shared words as a reader sees them: parts written together in every text are joined
    (サプライ + チェーン -> サプライチェーン) and a word inside another shown word is dropped
    (炭素 beside 脱炭素)."""
    folded = [folded_text(text)[1] for text in texts]
    joined: list[str] = []
    for word in words:
        if joined and all((joined[-1] + word).lower() in text for text in folded):
            joined[-1] += word
        else:
            joined.append(word)
    unique = list(dict.fromkeys(joined))
    return tuple(w for w in unique if not any(w != other and w in other for other in unique))
