#!/usr/bin/env bash
# Create .venv and install policy-search with its dependencies (idempotent).
#
# torch: sentence-transformers needs it, and an unpinned install from PyPI takes a multi-GB CUDA
# build.  Where a local CPU wheel of torch 2.13.0 is on pip's find-links (as on our development
# and CI machines), we pin to it: ~750 MB, installs in seconds.  Elsewhere we install the CPU build
# from PyTorch's CPU wheel index.  Override with TORCH_SPEC (e.g. "torch==2.5.1") and/or
# TORCH_INDEX_URL (empty string = plain PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "policy-search needs Python >= 3.11")'
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip)
export PIP_DISABLE_PIP_VERSION_CHECK=1

if ! .venv/bin/python -c 'import torch' 2>/dev/null; then
  local_wheel=""
  for dir in ${PIP_FIND_LINKS:-} /opt/wheels; do
    if compgen -G "$dir/torch-2.13.0+cpu-*.whl" >/dev/null 2>&1; then local_wheel=yes; fi
  done
  if [ -n "${TORCH_SPEC:-}" ] || [ -n "$local_wheel" ]; then
    "${PIP[@]}" install -q "${TORCH_SPEC:-torch==2.13.0}" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
  else
    index_url=${TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}
    "${PIP[@]}" install -q torch ${index_url:+--index-url "$index_url"}
  fi
fi

extras=${1:-}
"${PIP[@]}" install -q -e ".${extras:+[$extras]}"
