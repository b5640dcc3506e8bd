"""CLI commands (query side): search, related, meetings, serve; registered by cli.main.

Each command opens the index once, runs, and prints either a readable layout (default) or the
same JSON the HTTP API returns (``--json``).  Bounds come from the API's pydantic schemas, so the
CLI refuses exactly what the API refuses.  Errors propagate to ``cli.main``, which prints them
on stderr with a non-zero exit status.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from pydantic import ValidationError

from models.loading import EncoderOptions
from search_api.cli.eval_command import eval_command
from search_api.cli.eval_related_command import eval_related_command
from search_api.cli.options import encoder_options, index_dir_option, searched_model_option
from search_api.cli.text_layout import format_page, format_related_page, format_table
from search_api.presentation import JsonDict, View, meeting_to_dict, page_to_dict
from search_api.related.api import RelatedTextParams, related_page_to_dict
from search_api.related.sources import SourceSelection
from search_api.results import SearchMode
from search_api.schemas import RelatedParams, SearchParams, describe_validation
from search_api.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def index_options(command: F) -> F:
    """``--index DIR``, ``--model NAME``, ``--device``, ``--backend`` (env defaults)."""
    return index_dir_option(searched_model_option(encoder_options(command)))


def filter_options(command: F) -> F:
    """The filters shared by search and related; they restrict the search itself."""
    date = click.DateTime(formats=["%Y-%m-%d"])
    options = [
        click.option("--meeting", "meeting_id", metavar="ID", help="Only this meeting."),
        click.option("--body", help="Meeting body contains this (house, committee, council)."),
        click.option("--date-from", type=date, help="On or after this date (YYYY-MM-DD)."),
        click.option("--date-to", type=date, help="On or before this date (YYYY-MM-DD)."),
        click.option("--speaker", help="Speaker name contains this."),
        click.option("--topic", help="Topic contains this."),
        click.option("--language", metavar="CODE", help="Statement language (ja, en)."),
        click.option(
            "--include-procedural",
            is_flag=True,
            help="Also return procedural remarks (chair calling speakers, formulas).",
        ),
        click.option(
            "--theme",
            "theme",
            multiple=True,
            metavar="ID",
            help="Tagged with this theme (cap:8, 8, a user theme id); repeat for any of several.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def output_options(command: F) -> F:
    """``--json`` for scripts."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (the HTTP API's shape)."
    )(command)


def text_option(command: F) -> F:
    """``--text head|full``: how much of each statement's text ``--json`` carries."""
    return click.option(
        "--text",
        type=click.Choice(["head", "full"]),
        default="head",
        show_default=True,
        help="JSON texts: the first 200 characters (with text_length) or whole.",
    )(command)


@click.command("search")
@click.argument("question")
@click.option("--limit", default=10, show_default=True, help="Results per page (1-100).")
@click.option("--offset", default=0, show_default=True, help="Results to skip (0-10000).")
@click.option(
    "--mode",
    type=click.Choice([mode.value for mode in SearchMode]),
    default=SearchMode.HYBRID.value,
    show_default=True,
    help="Ranking: fused semantic + lexical, or one of them alone.",
)
@click.option(
    "--facets",
    metavar="LIST",
    help="Count the matches per theme, body, year, speaker, speaker_group (comma-separated).",
)
@filter_options
@text_option
@output_options
@index_options
def search_command(
    question: str,
    index_dir: Path,
    model: str | None,
    encoder: EncoderOptions,
    as_json: bool,
    **options: Any,
) -> None:
    """Find the statements most relevant to QUESTION (Japanese or English).

    \b
    Example:
      policy-search search "半導体のサプライチェーン強靱化" --limit 5
      policy-search search "semiconductor supply chain" --date-from 2022-01-01 --json
      policy-search search "電気料金の負担" --theme cap:8 --facets theme,body,year
    """
    params = _validated(SearchParams, q=question, **_filter_fields(options))
    searcher = _open(index_dir, model, encoder)
    page = page_to_dict(searcher.search(params.to_request()), View(params.text == "full"))
    _emit(page, as_json, lambda: format_page(page, _width(), f'"{_short(question)}"'))


@click.command("related")
@click.argument("statement_id", metavar="[ID]", required=False)
@click.option("--like", help="Find remarks related to this text instead of a statement.")
@click.option(
    "--like-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Find remarks related to the text of this UTF-8 file.",
)
@click.option("--passage", type=int, help="Only this passage of the statement (0-based).")
@click.option("--char-start", type=int, help="Only the statement's text from this character.")
@click.option("--char-end", type=int, help="Only the statement's text up to this character.")
@click.option("--limit", default=10, show_default=True, help="Results per page (1-100).")
@click.option("--offset", default=0, show_default=True, help="Results to skip (0-10000).")
@click.option(
    "--exclude-same-meeting/--include-same-meeting",
    default=True,
    show_default=True,
    help="Leave out (default) or keep the statement's own meeting.",
)
@filter_options
@text_option
@output_options
@index_options
def related_command(
    statement_id: str | None,
    like: str | None,
    like_file: Path | None,
    index_dir: Path,
    model: str | None,
    encoder: EncoderOptions,
    as_json: bool,
    **options: Any,
) -> None:
    """Statements from other meetings on the same issue as statement ID (or a text), with why.

    Each result shows the matched passage pair (the source's side and the result's) and the
    source's distinctive words it shares.  A statement is ranked by its stored vectors (no
    model is loaded); a text (--like, --like-file) is embedded first.

    \b
    Example:
      policy-search related 121004261X01220220406_007 --limit 5
      policy-search related 121004261X01220220406_007 --passage 2
      policy-search related --like "重要物資のサプライチェーン強靱化と特定国への依存"
    """
    if like_file is not None:
        like = _read_text(like_file)
    if (statement_id is None) == (like is None):
        raise click.UsageError("give a statement ID or --like/--like-file (one of them)")
    fields = _filter_fields(options)
    if like is not None:
        for name in ("passage", "char_start", "char_end", "exclude_same_meeting"):
            fields.pop(name, None)
        checked = _validated(RelatedTextParams, q=like, **fields)
        searcher = _open(index_dir, model, encoder)
        page = searcher.related_text(
            checked.q, limit=checked.limit, offset=checked.offset, filters=checked.to_filter()
        )
        heading = f'related to "{_short(like)}"'
        full_text = checked.text == "full"
    else:
        params = _validated(RelatedParams, **fields)
        searcher = _open_without_models(index_dir)
        page = searcher.related(
            statement_id,
            limit=params.limit,
            offset=params.offset,
            filters=params.to_filter(),
            exclude_same_meeting=params.exclude_same_meeting,
            selection=SourceSelection(params.passage, params.char_start, params.char_end),
        )
        heading = f"related to {statement_id}"
        full_text = params.text == "full"
    data = related_page_to_dict(page, View(full_text))
    _emit(data, as_json, lambda: format_related_page(data, _width(), heading))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read {path} as UTF-8 text: {exc}") from exc


@click.command("meetings")
@output_options
@index_dir_option
def meetings_command(index_dir: Path, as_json: bool) -> None:
    """List the meetings in the index: date, number of statements, id and title.

    Reads the index only (no model is loaded), so it answers at once.
    """
    from indexer.index_dir import open_index

    with open_index(index_dir) as index:
        listed = index.store.list_meetings()
    items = [meeting_to_dict(meeting, count) for meeting, count in listed]
    rows = [
        (m["date"] or "", m["statement_count"], m["id"], m["title"] or m["body"]) for m in items
    ]
    table = format_table(("DATE", "STMTS", "ID", "TITLE"), rows, _width(), right=(1,))
    _emit({"total": len(items), "meetings": items}, as_json, lambda: table)


@click.command("serve")
@index_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="URL",
    help="Allow browser calls from this origin (repeatable). Env: POLICY_SEARCH_CORS_ORIGINS.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A name clients may reach the server by (Host header; repeatable; '*.example.org', "
    "'*' for any). Default: the --host address, localhost, 127.0.0.1, ::1. "
    "Env: POLICY_SEARCH_ALLOWED_HOSTS.",
)
@click.option(
    "--search-workers",
    type=click.IntRange(1, 256),
    help="Searches run at once (default: one per usable core). Env: POLICY_SEARCH_WORKERS.",
)
@click.option(
    "--search-queue",
    type=click.IntRange(0, 100_000),
    help="Searches that may wait for a worker; beyond: 503 (default: 32 per worker). "
    "Env: POLICY_SEARCH_QUEUE.",
)
@click.option(
    "--search-timeout",
    type=click.FloatRange(0, min_open=True),
    help="Time limit per search in seconds, waiting included; beyond: 504 (default: 10). "
    "Env: POLICY_SEARCH_TIMEOUT.",
)
def serve_command(
    index_dir: Path,
    model: str | None,
    encoder: EncoderOptions,
    host: str,
    port: int,
    cors_origins: tuple[str, ...],
    allowed_hosts: tuple[str, ...],
    **pool: Any,
) -> None:
    """Serve the web page (/ui) and the HTTP API (docs at /docs); follows index updates."""
    import os

    import uvicorn

    from search_api.app import create_app
    from search_api.http_guards import default_allowed_hosts

    settings = Settings.from_env()
    from_env = "POLICY_SEARCH_ALLOWED_HOSTS" in os.environ
    settings = Settings(
        index_dir=index_dir,
        model_name=model,
        cors_origins=cors_origins or settings.cors_origins,
        search_workers=pool["search_workers"] or settings.search_workers,
        search_queue=settings.search_queue
        if pool["search_queue"] is None
        else pool["search_queue"],
        search_timeout=pool["search_timeout"] or settings.search_timeout,
        encoder=encoder,
        allowed_hosts=allowed_hosts
        or (settings.allowed_hosts if from_env else None)
        or default_allowed_hosts(host),
        max_body_bytes=settings.max_body_bytes,
    )
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"web page: http://{shown}:{port}/ui   API docs: http://{shown}:{port}/docs")
    uvicorn.run(app, host=host, port=port, log_level="info")


def _open(index_dir: Path, model: str | None, encoder: EncoderOptions) -> Any:
    """The searcher over the index (imported late so ``--help`` stays fast)."""
    from search_api.python_api import open_searcher

    return open_searcher(index_dir, model, encoder)


def _open_without_models(index_dir: Path) -> Any:
    """A searcher for work that embeds no question (related remarks use stored vectors)."""
    from indexer.index_dir import open_index
    from models.bilingual_dictionary import load_english_japanese
    from search_api.searcher import SearchableIndex, Searcher

    index = cast(SearchableIndex, open_index(index_dir))
    return Searcher(index, {}, dictionary=load_english_japanese())


def _validated(schema: type[Any], **fields: Any) -> Any:
    """The parameters checked by the API's schema; a violation is a usage error (exit 2)."""
    try:
        return schema(**fields)
    except ValidationError as exc:
        raise click.UsageError(describe_validation(exc.errors())) from exc


def _filter_fields(options: dict[str, Any]) -> dict[str, Any]:
    """Click's option values as schema fields (dates as ``date``, unset ones left out)."""
    fields = {}
    for name, value in options.items():
        if isinstance(value, dt.datetime):
            value = value.date()
        if value is not None and value != ():
            fields[name] = list(value) if isinstance(value, tuple) else value
    return fields


def _emit(data: JsonDict, as_json: bool, render: Callable[[], str]) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(render())


def _width() -> int:
    return max(shutil.get_terminal_size((100, 24)).columns, 40)


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


COMMANDS: list[click.Command] = [
    search_command,
    related_command,
    meetings_command,
    serve_command,
    eval_command,
    eval_related_command,
]
