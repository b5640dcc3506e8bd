#!/usr/bin/env bash
# Set up (if needed), index the demo corpus in data/ and answer a sample question.
# Pass --serve to start the web page and HTTP API on http://127.0.0.1:8000 afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 POLICY_SEARCH_INDEX=${POLICY_SEARCH_INDEX:-index/demo}
.venv/bin/policy-search index data/
.venv/bin/policy-search search "How can Japan keep highly skilled foreign researchers?" --limit 5
.venv/bin/policy-search search "特定国への依存を減らすには" --limit 5
if [ "${1:-}" = "--serve" ]; then
  echo "Open the web page at http://127.0.0.1:8000/ui (API docs at http://127.0.0.1:8000/docs)"
  exec .venv/bin/policy-search serve
fi
