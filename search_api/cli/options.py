"""Options shared by several commands, defined once so their names, defaults and help agree."""

from __future__ import annotations

from pathlib import Path

import click

from search_api.settings import DEFAULT_INDEX_DIR

index_dir_option = click.option(
    "--index",
    "index_dir",
    envvar="POLICY_SEARCH_INDEX",
    default=DEFAULT_INDEX_DIR,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Index directory. Env: POLICY_SEARCH_INDEX.",
)
"""``--index DIR`` (env ``POLICY_SEARCH_INDEX``), passed to the command as ``index_dir``."""

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
"""``--json``, passed to the command as ``as_json``."""

searched_model_option = click.option(
    "--model",
    envvar="POLICY_SEARCH_MODEL",
    default=None,
    metavar="NAME",
    help="Embedding model the index was built with (default: multilingual-e5-small; "
    "'fake' for the test embedder). Env: POLICY_SEARCH_MODEL.",
)
"""``--model NAME`` for commands that search an existing index."""
