"""The CAP classifier shipped with the package, and the settings of zero-shot prototypes.

``cap_model.npz`` holds, per embedding channel, a logistic-regression weight matrix and bias
over the CAP topics, fitted by ``bench/fit_cap_model.py`` on the labelled dev speeches plus the
topic descriptions, for one model fingerprint; ``cap_model.json`` the fingerprints, the fitted
temperature and the thresholds measured by cross-validation (docs/themes.md).  An index whose
model has another fingerprint uses zero-shot prototypes of the descriptions instead.
Files are read when asked for, not at import.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import numpy as np

from indexer.themes.tagging import ChannelWeights

MODEL_FILE = "cap_model.npz"
SETTINGS_FILE = "cap_model.json"
PROTOTYPE_SCALE = 20.0
"""Cosine similarity to logits for prototypes (a fixed round value, not tuned per theme)."""


def _package_file(name: str) -> Any:
    return resources.files("indexer.themes").joinpath(name)


@functools.cache
def _settings() -> dict[str, Any]:
    path = _package_file(SETTINGS_FILE)
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def model_version() -> str:
    """Identity of the shipped classifier (part of the stored CAP set's digest)."""
    return str(_settings().get("version", "none"))


@functools.cache
def cap_weights() -> dict[str, ChannelWeights]:
    """The shipped CAP weights by channel (empty when the package has none)."""
    settings = _settings()
    path = _package_file(MODEL_FILE)
    if not settings or not path.is_file():
        return {}
    out = {}
    with path.open("rb") as handle, np.load(handle) as arrays:
        for channel, fingerprint in settings["fingerprints"].items():
            out[channel] = ChannelWeights(
                channel,
                fingerprint,
                np.asarray(arrays[f"{channel}_weights"], dtype=np.float32),
                np.asarray(arrays[f"{channel}_bias"], dtype=np.float32),
            )
    return out


def cap_settings() -> dict[str, dict[str, float]]:
    """Temperature and thresholds per method (``logistic``, ``prototypes``) for CAP."""
    methods: dict[str, dict[str, float]] = _settings().get("methods", {})
    return methods


def prototype_settings() -> dict[str, float]:
    """Settings for zero-shot prototypes of any theme set (CAP's, measured on the dev set)."""
    return dict(
        cap_settings().get(
            "prototypes",
            {"temperature": 1.0, "threshold": 0.4, "secondary_threshold": 0.25},
        )
    )
