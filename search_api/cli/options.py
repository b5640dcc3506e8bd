"""Options shared by several commands, defined once so their names, defaults and help agree."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from models.backend_choice import BACKENDS, DEVICES
from models.loading import EncoderOptions
from search_api.settings import DEFAULT_INDEX_DIR

F = TypeVar("F", bound=Callable[..., Any])

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


def encoder_options(command: F) -> F:
    """``--device`` and ``--backend``, passed to the command as one ``encoder`` (EncoderOptions)."""

    @functools.wraps(command)
    def with_encoder(*args: Any, device: str, backend: str, **kwargs: Any) -> Any:
        return command(*args, encoder=EncoderOptions(device, backend), **kwargs)

    device = click.option(
        "--device",
        envvar="POLICY_SEARCH_DEVICE",
        type=click.Choice(DEVICES),
        default="auto",
        show_default=True,
        help="Where the default model runs: cuda when torch sees a GPU (auto), else cpu. "
        "Env: POLICY_SEARCH_DEVICE.",
    )
    backend = click.option(
        "--backend",
        envvar="POLICY_SEARCH_BACKEND",
        type=click.Choice(BACKENDS),
        default="auto",
        show_default=True,
        help="Runtime of the default model on the CPU: auto = OpenVINO (bf16 where the CPU "
        "has it) for documents and onnxruntime int8 for questions; torch = the "
        "sentence-transformers reference. Env: POLICY_SEARCH_BACKEND.",
    )
    return device(backend(with_encoder))  # type: ignore[return-value]


def unjudged_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--unjudged-source GLOB`` (repeatable) for the eval commands: condensed lists."""
    return click.option(
        "--unjudged-source",
        "unjudged",
        multiple=True,
        metavar="GLOB",
        help="Leave out results whose source file name matches GLOB (repeatable), e.g. an "
        "unlabelled pool added as distractors: scored as condensed lists cut from the whole "
        "ranking.",
    )(command)
