"""Where a named model's files come from: a local folder, the Hub cache, or the Hub itself.

Resolved before sentence-transformers is asked to load anything, so that a model that is
already on disk never touches the network, and a Hub id that cannot be fetched fails in seconds
with a message saying what to do (the library otherwise retries for over a minute).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from models.errors import EmbeddingError

DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_TIMEOUT_SECONDS = 3.0


def resolve_model_source(name: str) -> Path | str:
    """A local folder for ``name`` if one exists (path or Hub cache), else the Hub id itself.

    Raises ``EmbeddingError`` for a path that does not exist, and for a Hub id that is not
    cached while the Hub is offline (``HF_HUB_OFFLINE``) or unreachable.
    """
    path = Path(name).expanduser()
    if path.exists():
        return path.resolve()
    if looks_like_path(name):
        raise EmbeddingError(f"no model folder at {path}")
    snapshot = cached_snapshot(name)
    if snapshot is not None:
        return snapshot
    if hub_offline():
        raise EmbeddingError(unreachable_message(name, "HF_HUB_OFFLINE is set"))
    if not hub_reachable():
        raise EmbeddingError(unreachable_message(name, f"cannot connect to {hub_endpoint()}"))
    return name


def looks_like_path(name: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else is meant as a filesystem path."""
    return name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1


def cached_snapshot(name: str) -> Path | None:
    """The Hub cache folder holding ``name``, or ``None`` when it was never downloaded."""
    try:
        from huggingface_hub import snapshot_download

        # Read the cache location now: huggingface_hub fixes its default at import time.
        cache_dir = os.environ.get("HF_HUB_CACHE") or None
        folder = snapshot_download(repo_id=name, local_files_only=True, cache_dir=cache_dir)
        return Path(folder)
    except Exception:  # huggingface_hub raises several kinds for "not cached" / "bad id"
        return None


def hub_offline() -> bool:
    """Whether the user asked for no network (``HF_HUB_OFFLINE``)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT


def hub_reachable(timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """One TCP connection to the Hub endpoint, to fail fast on closed networks."""
    url = urlparse(hub_endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def unreachable_message(name: str, reason: str) -> str:
    """What to tell a user whose Hub model cannot be fetched."""
    return (
        f"cannot load model {name!r}: it is not a local folder, not in the Hugging Face cache, "
        f"and the Hub is unreachable ({reason}). Download it where the Hub is reachable "
        "(e.g. `huggingface-cli download ORG/NAME --local-dir DIR`) and pass that local folder "
        "path instead, or omit the model to use the offline default (multilingual-e5-small)."
    )
