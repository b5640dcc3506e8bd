"""Search from Python (notebooks, analyst tools): open an index, search, follow, browse themes.

    >>> from search_api.python_api import open_searcher, search, related, related_text
    >>> searcher = open_searcher("index")                                 # doctest: +SKIP
    >>> page = search(searcher, "半導体の供給網", limit=5, body="委員会")   # doctest: +SKIP
    >>> [hit.statement.speaker_name for hit in page.hits]                  # doctest: +SKIP
    >>> timeline = theme_timeline(searcher, "cap:8", by="house")          # doctest: +SKIP

``search`` and ``related`` take the HTTP API's parameter names, defaults and bounds; the
``Searcher`` methods underneath take ``SearchRequest``/``StatementFilter`` values.  Results are
the plain dataclasses of ``search_api.results``; ``search_api.presentation`` turns them into the
same dicts the API returns.  The server and the CLI open their searchers through this module
too, so every entry point sees the index through the same code.

``themes``, ``theme``, ``theme_timeline`` and ``theme_statements`` are ``GET /themes`` and its
sub-pages: the same parameters, built by the same ``search_api.theme_views`` functions, so they
return the API's JSON dicts (statement sources shown with their stored paths).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from indexer.index_dir import open_index
from indexer.manifest import read_manifest
from indexer.pipeline import PRIMARY_CHANNEL
from models.bilingual_dictionary import EnglishJapanese, load_english_japanese
from models.embedder import Embedder
from models.errors import ConfigError, IndexNotFoundError
from models.loading import EncoderOptions
from search_api.presentation import JsonDict, View
from search_api.related.api import RelatedTextParams
from search_api.related.sources import SourceSelection
from search_api.results import SearchPage
from search_api.schemas import FilterParams, RelatedParams, SearchParams, describe_validation
from search_api.searcher import SearchableIndex, Searcher
from search_api.settings import Settings
from search_api.theme_params import ThemeStatementsParams, TimelineParams
from search_api.theme_views import (
    theme_detail,
    theme_statements_page,
    themes_overview,
)
from search_api.theme_views import (
    theme_timeline as timeline_view,
)


def open_searcher(
    index_dir: str | Path, model: str | None = None, encoder: EncoderOptions | None = None
) -> Searcher:
    """A searcher over the index at ``index_dir``, with the model that built it.

    ``model`` names the embedding model of the index's main channel (``None``: the offline
    multilingual-e5-small; ``"fake"``: the test embedder); extra channels recorded in the index
    (e.g. ``use``) are loaded by their own names.  Raises IndexNotFoundError when there is no
    index and IndexMismatchError when it was built with another model.
    """
    settings = Settings(index_dir=Path(index_dir), model_name=model)
    if encoder is not None:
        settings = replace(settings, encoder=encoder)
    return IndexOpener()(settings)


def search(searcher: Searcher, q: str, **params: Any) -> SearchPage:
    """``GET /search`` from Python: the same parameter names, defaults and bounds.

    ``search(searcher, "半導体", limit=5, body="内閣委員会", date_from="2022-03-01")``; a value
    out of bounds raises ConfigError naming it, as the API answers 422.
    """
    return searcher.search(_checked(SearchParams, q=q, **params).to_request())


def related(searcher: Searcher, statement_id: str, **params: Any) -> SearchPage:
    """``GET /statements/{id}/related`` from Python: same parameters (``limit``, ``passage``,
    filters...); each hit is a `RelatedHit` with its ``reason``."""
    checked = _checked(RelatedParams, **params)
    return searcher.related(
        statement_id,
        limit=checked.limit,
        offset=checked.offset,
        filters=checked.to_filter(),
        exclude_same_meeting=checked.exclude_same_meeting,
        selection=SourceSelection(checked.passage, checked.char_start, checked.char_end),
    )


def related_text(searcher: Searcher, text: str, **params: Any) -> SearchPage:
    """``POST /related`` from Python: remarks related to any text, with their reasons."""
    checked = _checked(RelatedTextParams, q=text, **params)
    return searcher.related_text(
        checked.q, limit=checked.limit, offset=checked.offset, filters=checked.to_filter()
    )


def themes(searcher: Searcher, **filters: Any) -> JsonDict:
    """``GET /themes``: every theme set with its themes and statement counts within ``filters``
    (``body``, ``date_from``, ``language``... as for search)."""
    return themes_overview(searcher.store, _checked(FilterParams, **filters).to_filter())


def theme(searcher: Searcher, theme_id: str, **filters: Any) -> JsonDict:
    """``GET /themes/{id}``: ``"cap:8"`` or a bare id; description, counts by body, year and
    speaker group, top speakers and representative statements (heads of their texts).

    Raises ThemeNotFoundError for an unknown theme."""
    where = _checked(FilterParams, **filters).to_filter()
    return theme_detail(searcher.store, theme_id, where, View(full_text=False))


def theme_timeline(searcher: Searcher, theme_id: str, **params: Any) -> JsonDict:
    """``GET /themes/{id}/timeline``: ``interval="year"|"month"``, ``by=None|"body"|"house"|
    "speaker_group"`` and the filters; counts and share of all statements per period."""
    checked = _checked(TimelineParams, **params)
    return timeline_view(
        searcher.store, theme_id, checked.interval, checked.by, checked.to_filter()
    )


def theme_statements(searcher: Searcher, theme_id: str, **params: Any) -> JsonDict:
    """``GET /themes/{id}/statements``: ``limit``, ``offset``, ``order="confidence"|"date"|
    "date_asc"``, ``text="head"|"full"`` and the filters; one page of the theme's statements."""
    checked = _checked(ThemeStatementsParams, **params)
    return theme_statements_page(
        searcher.store,
        theme_id,
        checked.to_filter(),
        checked.order,
        checked.limit,
        checked.offset,
        View(full_text=checked.text == "full"),
    )


def _checked(schema: type[Any], **params: Any) -> Any:
    try:
        return schema(**params)
    except ValidationError as exc:
        raise ConfigError(describe_validation(exc.errors())) from exc


class IndexOpener:
    """Opens the index named by settings, loading each embedding model only once.

    The server calls it at startup and again after every completed index update; models stay
    loaded between calls, only the index is opened anew.
    """

    def __init__(self, preload: bool = False) -> None:
        self._preload = preload
        """Load the main model even when there is no index yet (the server, at startup)."""
        self._embedders: dict[tuple[str, str | None], Embedder] = {}
        self._dictionary: EnglishJapanese | None = None
        self._dictionary_loaded = False

    def __call__(self, settings: Settings) -> Searcher:
        """A searcher over ``settings.index_dir``; raises IndexNotFound/IndexMismatchError."""
        directory = Path(settings.index_dir)
        embedders = self.embedders_for(directory, settings.model_name, settings.encoder)
        index = open_index(directory, embedders)
        try:
            return Searcher(
                cast(SearchableIndex, index), embedders, dictionary=self.english_japanese()
            )
        except BaseException:
            index.close()
            raise

    def embedders_for(
        self, directory: Path, model: str | None, encoder: EncoderOptions | None = None
    ) -> Mapping[str, Embedder]:
        """One embedder per channel of the index at ``directory`` (the main one at least)."""
        manifest = read_manifest(directory) if directory.is_dir() else None
        if manifest is None:
            if self._preload:
                self._load(PRIMARY_CHANNEL, model, encoder)
            raise IndexNotFoundError(
                f"no index at {directory}: build one with "
                f"`policy-search index PATH... --index {directory}`"
            )
        extra = sorted(c for c in manifest.channels if c != PRIMARY_CHANNEL)
        return {name: self._load(name, model, encoder) for name in (PRIMARY_CHANNEL, *extra)}

    def english_japanese(self) -> EnglishJapanese | None:
        """The English -> Japanese dictionary for English questions (read once; None when
        ``jamdict-data`` is not installed)."""
        if not self._dictionary_loaded:
            self._dictionary = load_english_japanese()
            self._dictionary_loaded = True
        return self._dictionary

    def _load(self, channel: str, model: str | None, encoder: EncoderOptions | None) -> Embedder:
        from models.loading import load_embedder

        name = model if channel == PRIMARY_CHANNEL else channel
        key = (channel, name)
        if key not in self._embedders:
            self._embedders[key] = load_embedder(name, encoder)
        return self._embedders[key]
