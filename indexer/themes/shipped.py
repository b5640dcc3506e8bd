"""Settings of the built-in CAP tagger, calibrated on the labelled dev speeches.

``cap_model.json`` (package data, written by ``bench/themes_calibrate.py``) holds the softmax
temperature and the none/mixed threshold measured on ``themes-dev.jsonl``; the tagger itself is
zero-shot (description prototypes plus keywords), so the same settings serve any index and any
model.  Read when asked for, not at import.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

SETTINGS_FILE = "cap_model.json"
PROTOTYPE_SCALE = 1.0
"""Prototype rows are unit vectors; their scores are z-scored per statement (``standardize``)."""
DEFAULTS = {"temperature": 1.0, "threshold": 0.4, "secondary_threshold": 0.25}


@functools.cache
def _settings() -> dict[str, Any]:
    path = resources.files("indexer.themes").joinpath(SETTINGS_FILE)
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def model_version() -> str:
    """Identity of the shipped settings (part of the stored CAP set's digest)."""
    return str(_settings().get("version", "none"))


def prototype_settings() -> dict[str, float]:
    """Temperature and thresholds for prototype tagging (CAP's, measured on the dev set)."""
    methods: dict[str, dict[str, float]] = _settings().get("methods", {})
    return dict(methods.get("prototypes", DEFAULTS))
