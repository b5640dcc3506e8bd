#!/usr/bin/env bash
# Install what the browser tests need on a fresh Debian/Ubuntu machine: Chromium and Japanese
# fonts (so pages and screenshots render Japanese, not boxes).  Playwright for Python comes with
# the dev extra and drives this Chromium; its own browser download is never used.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
if ! command -v apt-get >/dev/null; then
  echo "browser tests need /usr/bin/chromium and fonts-noto-cjk; install them with your package manager" >&2
  exit 1
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium fonts-noto-cjk
