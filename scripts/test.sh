#!/usr/bin/env bash
# Set up (if needed) and run every check CI runs: lint, format, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
bash scripts/browser-deps.sh  # chromium + fonts-noto-cjk for the `browser` tests (apt, when missing)
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
