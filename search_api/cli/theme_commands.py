"""CLI commands for themes: ``themes`` (list, load, reload, remove), ``theme ID``, ``eval-themes``.

Listing and theme pages read the index only (no model); ``themes load`` embeds the set's
descriptions and example texts (a few dozen short texts) and tags every statement from its
stored vectors; ``themes reload`` re-tags without embedding anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from search_api.cli.options import index_dir_option, json_option, searched_model_option
from search_api.cli.text_layout import format_table, pad, truncate, wrap
from search_api.presentation import JsonDict


def _emit(data: JsonDict, as_json: bool, text: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text())


def _width() -> int:
    import shutil

    return max(shutil.get_terminal_size((100, 24)).columns, 40)


@click.group("themes", invoke_without_command=True)
@json_option
@index_dir_option
@click.pass_context
def themes_group(ctx: click.Context, index_dir: Path, as_json: bool) -> None:
    """List the theme sets and themes of the index with their statement counts.

    \b
    Subcommands load a themes file, re-tag, or remove a set:
      policy-search themes
      policy-search themes load my-themes.toml
      policy-search themes reload
      policy-search themes remove econsec
    """
    if ctx.invoked_subcommand is not None:
        return
    from indexer.index_dir import open_index
    from search_api.theme_views import themes_overview

    with open_index(index_dir) as index:
        data = themes_overview(index.store)
    _emit(data, as_json, lambda: format_overview(data, _width()))


def format_overview(data: JsonDict, width: int) -> str:
    """The theme sets as readable tables."""
    blocks = []
    for theme_set in data["sets"]:
        model = theme_set["model"]
        head = (
            f"{theme_set['id']}: {theme_set['name']} ({len(theme_set['themes'])} themes, "
            f"{model['method']} over {'+'.join(model['channels']) or 'keywords'}; "
            f"none/mixed: {theme_set['none_mixed']})"
        )
        rows = [
            (t["id"], t["count"], t["name"] + (f" / {t['name_ja']}" if t["name_ja"] else ""))
            for t in theme_set["themes"]
        ]
        blocks.append(head + "\n" + format_table(("ID", "STMTS", "NAME"), rows, width, (1,)))
    return "\n\n".join(blocks) or "no theme sets (index something, or `themes load FILE`)"


@themes_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@searched_model_option
@index_dir_option
def load_command(path: Path, index_dir: Path, model: str | None) -> None:
    """Load (or replace) the theme set in PATH (TOML or YAML) and tag every statement.

    A broken file is reported with its name and line and changes nothing.
    """
    from indexer.themes.service import install_theme_set, refresh_themes
    from indexer.themes.taxonomy import read_theme_file

    theme_set = read_theme_file(path)
    with _updatable(index_dir, model) as (index, load_embedders):
        embedders = load_embedders()
        refresh_themes(index.store, embedders)
        report = install_theme_set(index.store, theme_set, embedders)
        index.write_manifest()
    click.echo(
        f"loaded theme set {theme_set.set_id} ({len(theme_set.themes)} themes) from {path}; "
        f"tagged {report.total} statements in {report.seconds:.2f}s"
    )


@themes_group.command("reload")
@click.argument("set_ids", nargs=-1, metavar="[SET]...")
@searched_model_option
@index_dir_option
def reload_command(set_ids: tuple[str, ...], index_dir: Path, model: str | None) -> None:
    """Re-tag every statement with these theme sets (all when none given), embedding nothing.

    A user set is read again from its file when the file changed; the built-in CAP set is
    refreshed when this version ships other descriptions.  Also upgrades an older index.
    """
    from indexer.themes.service import (
        builtin_is_current,
        install_theme_set,
        refresh_themes,
        retag,
    )
    from indexer.themes.storage import has_theme_tables, theme_sets
    from indexer.themes.taxonomy import read_theme_file

    with _updatable(index_dir, model) as (index, load_embedders):
        store = index.store
        stored = (
            {s.set_id: (s, d) for s, _m, d in theme_sets(store)} if has_theme_tables(store) else {}
        )
        unknown = [s for s in set_ids if s not in stored]
        if unknown:
            raise click.UsageError(f"no theme set {unknown[0]!r}; sets: {', '.join(stored)}")
        changed = {}
        for set_id in set_ids or tuple(stored):
            theme_set, digest = stored[set_id]
            if theme_set.source != "builtin" and Path(theme_set.source).is_file():
                fresh = read_theme_file(Path(theme_set.source))
                if fresh.digest != digest:
                    changed[set_id] = fresh
        embedders = load_embedders() if changed or not builtin_is_current(store) else {}
        refreshed = refresh_themes(store, embedders)
        report = retag(store, [s for s in set_ids or tuple(stored) if s not in changed])
        for set_id, count in refreshed.tagged.items():
            if count and set_id not in report.tagged:
                report.tagged[set_id] = count
        report.seconds += refreshed.seconds
        for set_id, fresh in changed.items():
            click.echo(f"{set_id}: {fresh.source} changed, read again")
            installed = install_theme_set(store, fresh, embedders)
            report.tagged.update(installed.tagged)
            report.seconds += installed.seconds
        index.write_manifest()
    for set_id, count in report.tagged.items():
        click.echo(f"re-tagged {count} statements with {set_id}")
    click.echo(f"{report.total} statements in {report.seconds:.2f}s (no statement re-embedded)")


@themes_group.command("remove")
@click.argument("set_id", metavar="SET")
@index_dir_option
def remove_command(set_id: str, index_dir: Path) -> None:
    """Remove a theme set and its tags (the built-in CAP set comes back with the next update)."""
    from indexer.index_dir import open_for_update
    from indexer.themes.storage import remove_theme_set

    index = open_for_update(index_dir, None)
    try:
        if not remove_theme_set(index.store, set_id):
            raise click.UsageError(f"no theme set {set_id!r}")
        index.write_manifest()
    finally:
        index.close()
    click.echo(f"removed theme set {set_id}")


class _updatable:
    """The index opened for update, and a loader of its channels' embedders (loaded only when
    a theme set needs its descriptions embedded)."""

    def __init__(self, index_dir: Path, model: str | None) -> None:
        self._dir = index_dir
        self._model = model

    def __enter__(self) -> tuple[Any, Callable[[], dict[str, Any]]]:
        from indexer.index_dir import open_for_update
        from search_api.python_api import IndexOpener

        def load() -> dict[str, Any]:
            return dict(IndexOpener().embedders_for(self._dir, self._model))

        self._index = open_for_update(self._dir, None)
        return self._index, load

    def __exit__(self, *exc: object) -> None:
        self._index.close()


@click.command("theme")
@click.argument("theme_id", metavar="ID")
@click.option("--timeline", is_flag=True, help="Counts per period instead of the theme page.")
@click.option("--interval", type=click.Choice(["year", "month"]), default="year", show_default=True)
@click.option("--by", type=click.Choice(["body", "house", "speaker_group"]), default=None)
@json_option
@index_dir_option
def theme_command(
    theme_id: str, timeline: bool, interval: str, by: str | None, index_dir: Path, as_json: bool
) -> None:
    """Show one theme (``cap:8``, ``8`` or a user theme id): counts, speakers, examples.

    \b
    Example:
      policy-search theme cap:8
      policy-search theme 8 --timeline --by house
    """
    from indexer.index_dir import open_index
    from search_api.theme_views import theme_detail, theme_timeline

    with open_index(index_dir) as index:
        if timeline:
            data = theme_timeline(index.store, theme_id, interval, by)
            _emit(data, as_json, lambda: format_timeline(data, _width()))
        else:
            data = theme_detail(index.store, theme_id)
            _emit(data, as_json, lambda: format_detail(data, _width()))


def format_timeline(data: JsonDict, width: int) -> str:
    """A timeline as a table with a bar per period (scaled to the largest share)."""
    head = f"{data['id']} {data['name']}: {data['total']} statements ({data['undated']} undated)"
    bar_room = 20
    peak = max((p["share"] for p in data["points"]), default=0.0) or 1.0
    rows = [
        (
            p["period"],
            p["count"],
            p["total"],
            f"{100 * p['share']:.1f}%",
            pad("#" * max(1 if p["count"] else 0, round(bar_room * p["share"] / peak)), bar_room),
            *((p.get("group") or "-",) if data["by"] else ()),
        )
        for p in data["points"]
    ]
    header = ("PERIOD", "STMTS", "ALL", "SHARE", "", *(("GROUP",) if data["by"] else ()))
    return head + "\n" + format_table(header, rows, width, (1, 2, 3))


def format_detail(data: JsonDict, width: int) -> str:
    """A theme's page as text."""
    lines = [
        f"{data['id']}  {data['name']}" + (f" / {data['name_ja']}" if data["name_ja"] else ""),
        f"{data['count']} statements in set {data['set']} ({data['set_name']})",
        "",
        *wrap(data["description"], width),
    ]
    for label, key in (
        ("by body", "by_body"),
        ("by year", "by_year"),
        ("by speaker group", "by_speaker_group"),
        ("top speakers", "top_speakers"),
    ):
        items = ", ".join(f"{c['value'] or '-'} {c['count']}" for c in data[key][:12])
        lines.append(truncate(f"{pad(label, 17)}{items or '-'}", width))
    lines.append("")
    lines.append("representative statements:")
    for item in data["representative"]:
        meeting = item["meeting"]
        lines.append(
            truncate(
                f"  {item['score']:.2f}  {meeting['date'] or ''}  {meeting['title']}  "
                f"{item['speaker']['name'] or ''}",
                width,
            )
        )
        lines.append("        " + truncate(" ".join(item["text"].split()), width - 8))
    return "\n".join(lines)


COMMANDS: list[click.Command] = [themes_group, theme_command]


@click.command("eval-themes")
@click.argument("labels", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "set_id", default="cap", show_default=True, help="Theme set to evaluate.")
@json_option
@index_dir_option
def eval_themes_command(labels: Path, set_id: str, index_dir: Path, as_json: bool) -> None:
    """Score the stored tags against LABELS.jsonl (speechID or marker, topic, secondary).

    Prints accuracy, macro-F1, per-topic precision and recall, the most frequent confusions,
    the share left as none/mixed and the accuracy on the rest.  Reads the index only.
    """
    from indexer.index_dir import open_index
    from search_api.theme_evaluation import evaluate, predict, read_labels

    parsed = read_labels(labels)
    with open_index(index_dir) as index:
        result = evaluate(predict(index.store, set_id, parsed))
    data = result.to_json()
    _emit(data, as_json, lambda: format_evaluation(data, set_id))


def format_evaluation(data: JsonDict, set_id: str) -> str:
    """The evaluation as a readable report."""
    lines = [
        f"theme set {set_id}: {data['found']} of {data['labelled']} labelled statements found",
        f"accuracy (primary)            {data['accuracy']:.3f}",
        f"primary or secondary          {data['primary_or_secondary']:.3f}",
        f"macro-F1                      {data['macro_f1']:.3f}",
        f"none/mixed share              {data['none_mixed_share']:.3f}",
        f"accuracy on the rest          {data['accuracy_assigned']:.3f}",
        "",
    ]
    rows = [
        (topic, m["support"], f"{m['precision']:.2f}", f"{m['recall']:.2f}", f"{m['f1']:.2f}")
        for topic, m in data["per_topic"].items()
    ]
    lines.append(format_table(("TOPIC", "N", "P", "R", "F1"), rows, 60, (1, 2, 3, 4)))
    if data["confusions"]:
        lines.append("")
        lines.append(
            "most frequent confusions (label -> predicted): "
            + ", ".join(
                f"{c['label']}->{c['predicted']} ({c['count']})" for c in data["confusions"]
            )
        )
    if data["missing_lines"]:
        lines.append(f"not found in the index: lines {data['missing_lines'][:20]}")
    return "\n".join(lines)


COMMANDS.append(eval_themes_command)
