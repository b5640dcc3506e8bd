"""The searcher: questions in, ranked statements out (semantic, lexical or hybrid), plus related.

`Searcher` is built once per opened index (the API does it in its lifespan, the CLI per
command) from an `OpenIndex` and the embedders of its channels.  Dense channels (e5, the
optional multilingual USE) search passage vectors in FAISS; BM25 searches the same passages'
words; each channel's passages become a statement ranking (`search_api.ranking`), and hybrid
fuses them with weights chosen by the question's language.  Filters become the set of allowed
passage ids that every channel searches within, so a selective filter still fills a page.
Every ranking is computed to a fixed depth and ties are broken by statement id, so pages are
stable and never overlap.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from indexer.manifest import Manifest
from indexer.records import Meeting, Passage, Statement, StatementFilter
from indexer.store import StatementStore
from indexer.themes.queries import resolve_themes
from indexer.vectors import FaissVectorIndex
from models.embedder import Embedder
from models.errors import ConfigError, IndexCorruptError
from search_api.catalog import PassageCatalog
from search_api.facets import count_facets
from search_api.fusion import convex_fusion_arrays, fuse
from search_api.lexical import Analyzer, found_words, question_language
from search_api.overlap import StageOverlap
from search_api.question_translation import QuestionTranslator, TermGroup
from search_api.ranking import (
    RankingConfig,
    StatementRanking,
    allowed_rows_mask,
    rank_statements,
    top_rows,
)
from search_api.related.finder import RelatedFinder
from search_api.related.hubness import PassageDensity
from search_api.related.sources import (
    RelatedSource,
    SourceSelection,
    statement_source,
    text_source,
    with_query_vectors,
)
from search_api.relevance import relevance, score_scale
from search_api.results import (
    ChannelHealth,
    Highlight,
    IndexHealth,
    SearchHit,
    SearchMode,
    SearchPage,
    SearchRequest,
)
from search_api.search_cache import CACHE_DIRNAME, load_derived_data
from search_api.search_pool import check_deadline, usable_cores
from search_api.thread_caps import ThreadCap

IntArray = npt.NDArray[np.int64]
LEXICAL_CHANNEL = "bm25"
DEFAULT_SCOPE = StatementFilter()


class SearchableIndex(Protocol):
    """What the searcher needs of an opened index (``indexer.index_dir.OpenIndex``)."""

    directory: object
    manifest: Manifest
    store: StatementStore

    @property
    def channels(self) -> tuple[str, ...]: ...

    def vectors(self, channel: str) -> FaissVectorIndex: ...

    def close(self) -> None: ...


class Searcher:
    """Semantic, lexical and hybrid search over one opened index; safe to share across threads."""

    def __init__(
        self,
        index: SearchableIndex,
        embedders: Mapping[str, Embedder],
        config: RankingConfig | None = None,
        analyzer: Analyzer | None = None,
        search_threads: int | None = 1,
        stage_helpers: int | None = None,
        dictionary: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        """``search_threads`` caps the BLAS and OpenMP pools during a search (None: leave them).

        ``dictionary`` (English -> Japanese, `models.bilingual_dictionary`) lets BM25 search
        English questions in Japanese words (`search_api.question_translation`); None: in
        their own words only.

        On 2 cores, numpy's BLAS, FAISS's OpenMP and torch's threads fighting each other made
        searches 2-3 times slower; one question needs no parallelism *within* a stage. Its
        channels are independent, though: ``stage_helpers`` threads run them beside the
        caller's (`search_api.overlap`; default one fewer than the usable cores, 0 = in turn).
        """
        self._index = index
        self._store = index.store
        self._config = config or RankingConfig()
        self._analyzer = analyzer or Analyzer()
        self._analyzer_lock = threading.Lock()
        self._translator = (
            None if dictionary is None else QuestionTranslator(dictionary, self._analyze)
        )
        self._dense = tuple(c for c in index.channels if c in embedders)
        self._embedders = {c: embedders[c] for c in self._dense}
        self._lexical, self._catalog = load_derived_data(index, self._analyzer, self._config.bm25)
        self._default_ids = self._catalog.substantive_passage_ids()
        self._default_ids.setflags(write=False)  # lets FAISS reuse its filter (vectors.py)
        self._default_mask = allowed_rows_mask(self._catalog, self._default_ids)
        self._thread_cap = ThreadCap(search_threads) if search_threads else None
        helpers = usable_cores() - 1 if stage_helpers is None else stage_helpers
        self._overlap = StageOverlap(min(helpers, len(self._dense)))
        density = PassageDensity(
            Path(str(index.directory)) / CACHE_DIRNAME,
            index.manifest.version_key,
            index.vectors,
            self._catalog,
            self._config.related.hub_neighbours,
        )
        self._related = RelatedFinder(
            index.vectors, self._store, self._catalog, self._lexical, self._analyze,
            self._config.related, density,
        )  # fmt: skip
        self._related.tuning = self._config.tuning
        self._related.translator = self._translator

    @property
    def related_finder(self) -> RelatedFinder:
        """The related-remarks ranking (its ``themes`` hook takes a theme lookup)."""
        return self._related

    @property
    def catalog(self) -> PassageCatalog:
        """The in-memory passage table (for evaluation and benchmarks)."""
        return self._catalog

    @property
    def store(self) -> StatementStore:
        """The index's SQLite store (theme pages read it)."""
        return self._store

    @property
    def dense_channels(self) -> tuple[str, ...]:
        """The embedding channels questions are searched in."""
        return self._dense

    def embedder(self, channel: str) -> Embedder:
        """The embedder of one dense channel (benchmarks time it alone)."""
        return self._embedders[channel]

    def _thread_limit(self) -> contextlib.AbstractContextManager[object]:
        return contextlib.nullcontext() if self._thread_cap is None else self._thread_cap

    # ---- search ------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        """One page of statements for a question, best first, within the request's filters."""
        with self._thread_limit():
            return self._search(request)

    def _search(self, request: SearchRequest) -> SearchPage:
        query = request.query.strip()
        if not query:
            raise ConfigError("the question is empty")
        if request.limit < 1 or request.offset < 0:
            raise ConfigError(
                f"limit must be >= 1 and offset >= 0, got {request.limit}, {request.offset}"
            )
        language = question_language(query)
        allowed, mask = self._scope(request.filters)
        words = self._analyze(query)
        terms = [term for term, _word in words]
        groups = self._translated(query, language, request.mode)
        rankings = self._channel_rankings(
            query, (terms, groups), request.mode, language, (allowed, mask)
        )
        fused = self._fuse(rankings, language)
        check_deadline()
        shown = [*words, *(pair for group in groups for pair in group.words)]
        page = self._page(query, fused, rankings, shown, request, language)
        if request.facets:
            matched = [self._catalog.statement_ids[s] for s, _score in fused]
            page = replace(page, facets=count_facets(self._store, matched, request.facets))
        if groups and LEXICAL_CHANNEL in rankings:
            shown_words = {g.source: g.translations for g in groups}
            page = replace(page, translations=tuple(shown_words.items()))
        return page

    def _translated(self, query: str, language: str, mode: SearchMode) -> list[TermGroup]:
        """An English question's words as groups of Japanese index terms (BM25 only)."""
        if self._translator is None or language != "en" or mode == SearchMode.SEMANTIC:
            return []
        return self._translator.term_groups(query)

    def _channel_rankings(
        self,
        query: str,
        words: tuple[Sequence[str], Sequence[TermGroup]],
        mode: SearchMode,
        language: str,
        scope: tuple[IntArray | None, npt.NDArray[np.bool_]],
    ) -> dict[str, StatementRanking]:
        allowed, mask = scope
        terms, groups = words
        channels: list[str] = []
        if mode in (SearchMode.SEMANTIC, SearchMode.HYBRID):
            channels.extend(self._dense)
        if mode in (SearchMode.LEXICAL, SearchMode.HYBRID):
            channels.append(LEXICAL_CHANNEL)
        if len(channels) > 1:
            weights = self._config.fusion.for_language(language, channels)
            channels = [c for c, w in zip(channels, weights, strict=True) if w > 0] or channels

        def ranking_of(channel: str) -> Callable[[], StatementRanking]:
            def rank() -> StatementRanking:
                check_deadline()
                with self._thread_limit():  # the stage helpers' threads too (per-thread OpenMP)
                    if channel == LEXICAL_CHANNEL:
                        return self._lexical_ranking(terms, groups, mask, language)
                    xq = self._embedders[channel].embed_query(query)
                    return self._dense_ranking(channel, xq, allowed, language)

            return rank

        found = self._overlap.run([ranking_of(channel) for channel in channels])
        return dict(zip(channels, found, strict=True))

    def _dense_ranking(
        self, channel: str, xq: npt.NDArray[np.float32], allowed: IntArray | None, language: str
    ) -> StatementRanking:
        vectors = self._index.vectors(channel)
        k = max(1, min(self._config.passage_depth, vectors.ntotal))
        distances, labels = vectors.search(xq, k, allowed)
        found = labels >= 0
        ids, scores = labels[found], distances[found]
        if xq.ndim == 2 and xq.shape[0] > 1:  # several query vectors: best score per passage
            order = np.lexsort((ids, -scores))
            first = np.unique(ids[order], return_index=True)[1]
            ids, scores = ids[order][first], scores[order][first]
        rows = self._catalog.rows_of(ids)
        known = (rows < self._catalog.passage_ids.size) & (
            self._catalog.passage_ids[np.minimum(rows, self._catalog.passage_ids.size - 1)] == ids
        )
        tuning = self._config.tuning_of(channel)
        return rank_statements(self._catalog, rows[known], scores[known], tuning, language)

    def _lexical_ranking(
        self,
        terms: Sequence[str],
        groups: Sequence[TermGroup],
        mask: npt.NDArray[np.bool_],
        language: str,
    ) -> StatementRanking:
        """BM25 of the question's own terms plus its translated groups (structured query)."""
        scores = self._lexical.score_rows(terms)
        if groups:
            scores = scores + self._lexical.score_groups([g.terms for g in groups])
        rows = top_rows(scores, mask, self._config.passage_depth)
        tuning = self._config.tuning_of(LEXICAL_CHANNEL)
        return rank_statements(self._catalog, rows, scores[rows], tuning, language)

    def _fuse(
        self, rankings: Mapping[str, StatementRanking], language: str
    ) -> Sequence[tuple[int, float]]:
        if len(rankings) == 1:
            return next(iter(rankings.values())).as_pairs()
        if self._config.fusion.method == "convex":
            weights = self._config.fusion.for_language(language, list(rankings))
            arrays = [(r.statements, r.scores) for r in rankings.values()]
            return convex_fusion_arrays(arrays, weights)
        pairs = {channel: ranking.as_pairs() for channel, ranking in rankings.items()}
        return fuse(pairs, self._config.fusion, language)

    # ---- related -----------------------------------------------------------------------
    def related(
        self,
        statement_id: str,
        limit: int = 10,
        offset: int = 0,
        filters: StatementFilter = DEFAULT_SCOPE,
        exclude_same_meeting: bool = True,
        selection: SourceSelection | None = None,
    ) -> SearchPage:
        """Statements on the same issue as ``statement_id`` (or a passage of it), with reasons.

        Never the statement itself, and by default nothing of its meeting; the ranking and the
        reasons are `search_api.related`'s.  Without loaded models only stored vectors are used.
        """
        with self._thread_limit():
            statement = self._store.get_statement(statement_id)
            source = statement_source(
                self._store,
                self._index.channels,
                statement,
                selection or SourceSelection(),
                self._config.related.context_weight,
            )
            return self._related_page(source, filters, exclude_same_meeting, (limit, offset))

    def related_text(
        self, text: str, limit: int = 10, offset: int = 0, filters: StatementFilter = DEFAULT_SCOPE
    ) -> SearchPage:
        """Statements on the same issue as any text (a paragraph of a paper, an article)."""
        with self._thread_limit():
            if not text.strip():
                raise ConfigError("the text is empty")
            source = text_source(
                text,
                question_language(text),
                self._embedders,
                self._config.related.max_source_passages,
            )
            return self._related_page(source, filters, False, (limit, offset))

    def _related_page(
        self,
        source: RelatedSource,
        filters: StatementFilter,
        exclude_same_meeting: bool,
        window: tuple[int, int],
    ) -> SearchPage:
        check_deadline()
        limit, offset = window
        if limit < 1 or offset < 0:
            raise ConfigError(f"limit must be >= 1 and offset >= 0, got {limit}, {offset}")
        if not source.passages or not source.vectors:
            if not source.vectors and source.statement is not None and source.passages:
                raise IndexCorruptError(f"no stored vectors for {source.statement.statement_id}")
            return SearchPage(source.text[:80], 0, (), limit, offset)
        wanted = [c for c in self._dense if self._related.wants_query_side(c)]
        if wanted and not source.query_vectors:
            source = with_query_vectors(source, self._embedders, wanted)
        _allowed, mask = self._scope(filters)
        mask = self._related.exclusion_mask(mask, source, exclude_same_meeting)
        return self._related.page(source, self._related.rank(source, mask), limit, offset)

    def close(self) -> None:
        """Release the index (its SQLite snapshot) and the stage helpers; the searcher cannot be
        used afterwards."""
        self._overlap.close()
        self._index.close()

    # ---- records -----------------------------------------------------------------------
    def get_statement(self, statement_id: str) -> tuple[Statement, Meeting]:
        """A statement and its meeting; raises StatementNotFoundError."""
        statement = self._store.get_statement(statement_id)
        return statement, self._store.get_meeting(statement.meeting_id)

    def iter_statements(self) -> Iterator[Statement]:
        """Every statement of the index (evaluation looks sources up by their text)."""
        return self._store.iter_statements()

    def meetings(self) -> list[tuple[Meeting, int]]:
        """Every meeting with its number of statements, by date."""
        return self._store.list_meetings()

    def meeting(self, meeting_id: str) -> tuple[Meeting, list[Statement]]:
        """A meeting and its statements in order; raises MeetingNotFoundError."""
        return self._store.get_meeting(meeting_id), self._store.statements_of_meeting(meeting_id)

    def health(self) -> IndexHealth:
        """Model, counts and index age, for /health."""
        manifest = self._index.manifest
        channels = manifest.channels
        primary = next((c for c in ("e5", *sorted(channels)) if c in channels), None)
        info = channels[primary] if primary is not None else None
        return IndexHealth(
            model_id=info.model_id if info else "",
            model_fingerprint=info.fingerprint if info else "",
            meetings=self._store.count_meetings(),
            statements=self._store.count_statements(),
            passages=self._store.count_passages(),
            built_at=manifest.created_at,
            updated_at=manifest.updated_at,
            channels=tuple(
                ChannelHealth(name, c.model_id, c.fingerprint, c.dimension)
                for name, c in sorted(channels.items())
            ),
            translation_entries=self._translator.entries if self._translator else 0,
        )

    # ---- helpers -----------------------------------------------------------------------
    def _analyze(self, text: str) -> list[tuple[str, str]]:
        """The question's (term, word) pairs; Sudachi's tokenizer is not shared across threads."""
        with self._analyzer_lock:
            return self._analyzer.analyze_with_surfaces(text)

    def _scope(self, filters: StatementFilter) -> tuple[IntArray | None, npt.NDArray[np.bool_]]:
        """Allowed passage ids (None = all) and the same as a mask over catalog rows."""
        if filters == DEFAULT_SCOPE:
            return self._default_ids, self._default_mask
        if filters.themes:
            filters = replace(filters, themes=resolve_themes(self._store, filters.themes))
        if filters.is_unrestricted:
            return None, allowed_rows_mask(self._catalog, None)
        allowed = self._store.passage_ids_matching(filters)
        return allowed, allowed_rows_mask(self._catalog, allowed)

    def _page(
        self,
        query: str,
        fused: Sequence[tuple[int, float]],
        rankings: Mapping[str, StatementRanking],
        words: Sequence[tuple[str, str]],
        request: SearchRequest,
        language: str,
    ) -> SearchPage:
        window = fused[request.offset : request.offset + request.limit]
        best_score = fused[0][1] if fused else 0.0
        scale = score_scale(list(rankings), self._config.fusion, language, best_score)
        catalog = self._catalog
        ids = [catalog.statement_ids[s] for s, _ in window]
        best = {s: self._best_row(s, rankings) for s, _ in window}
        passages = self._store.get_passages([int(catalog.passage_ids[r]) for r in best.values()])
        statements = self._store.get_statements(ids)
        meetings = self._store.get_meetings(sorted({s.meeting_id for s in statements.values()}))
        hits = []
        for rank, ((index, score), statement_id) in enumerate(
            zip(window, ids, strict=True), start=request.offset + 1
        ):
            statement = statements[statement_id]
            passage = passages.get(int(catalog.passage_ids[best[index]]))
            hits.append(
                SearchHit(
                    statement=statement,
                    meeting=meetings[statement.meeting_id],
                    score=float(score),
                    rank=rank,
                    highlight=self._highlight(statement, passage, words),
                    relevance=relevance(float(score), scale),
                )
            )
        return SearchPage(query, len(fused), tuple(hits), request.limit, request.offset)

    @staticmethod
    def _best_row(statement: int, rankings: Mapping[str, StatementRanking]) -> int:
        """The best passage of a statement in the first channel (by priority) that has it."""
        for ranking in rankings.values():
            where = np.flatnonzero(ranking.statements == statement)
            if where.size:
                return int(ranking.best_rows[where[0]])
        raise ValueError(f"statement {statement} is in no ranking")

    def _highlight(
        self, statement: Statement, passage: Passage | None, words: Sequence[tuple[str, str]]
    ) -> Highlight:
        if passage is None:
            head = statement.text[:400]
            return Highlight(passage=head, terms=(), char_end=len(head))
        found = found_words(passage.text, words)
        return Highlight(passage.text, found, passage.char_start, passage.char_end)
