"""Take the README's screenshots of the web page with Debian's headless Chromium.

    python scripts/screenshots.py --index index --out docs/

Starts ``policy-search serve`` on a free loopback port over ``--index`` (the index's own model),
opens the search page with a Japanese question, the first result's statement page and, when the
index has themes, a theme page, and saves ``docs/ui-*.png``.  Chromium runs with a fresh profile
and the flags that keep it off the network.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "特定国への依存を減らすには"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited; see its output above")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--model", default=None, help="as for policy-search serve --model")
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--theme", default=None, help="theme to show (default: the largest)")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        str(Path(sys.executable).parent / "policy-search"),
        "serve",
        "--index",
        str(args.index),
    ]
    if args.model:
        command += ["--model", args.model]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )
    try:
        wait_ready(base, server)
        api = httpx.Client(base_url=base, timeout=60)
        args.out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=args.chromium,
                headless=True,
                args=CHROMIUM_ARGS,
                locale="ja-JP",
                viewport={"width": 1200, "height": 1000},
            )
            page = context.new_page()
            page.goto(f"{base}/ui")
            page.locator("#q").fill(QUESTION)
            page.keyboard.press("Enter")
            page.wait_for_selector("li.hit")
            page.screenshot(path=str(args.out / "ui-search.png"))
            page.locator("li.hit").first.get_by_role("link", name="発言を開く").click()
            page.wait_for_selector("article.statement")
            page.screenshot(path=str(args.out / "ui-statement.png"))
            themes = api.get("/themes")
            listed = [t for s in themes.json().get("sets", []) for t in s["themes"]]
            if themes.status_code == 200 and any(t.get("count") for t in listed):
                theme = next((t for t in listed if t["id"] == args.theme), None) or max(
                    listed, key=lambda t: t.get("count") or 0
                )
                page.goto(f"{base}/ui/themes/{quote(str(theme['id']), safe='')}?by=house")
                page.wait_for_selector("svg.timeline rect.bar")
                page.screenshot(path=str(args.out / "ui-theme.png"))
            context.close()
        print("screenshots in", args.out)
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
