"""Fixtures for the web page: a real ``policy-search serve`` on loopback and a real Chromium.

The server is the installed console script over the small real index (fake embedder); the
browser is Debian's Chromium driven by Playwright, started headless with the flags that keep it
off the network and a fresh profile directory per session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.live_server import live_server
from tests.small_index import build_index

CHROMIUM = os.environ.get("POLICY_SEARCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """Six real meetings indexed with the fake embedder, plus the keyword theme set of the
    theme tests (so theme pages have deterministic data); read-only for the tests."""
    from indexer.store import StatementStore
    from indexer.themes.service import install_theme_set
    from indexer.themes.taxonomy import read_theme_file
    from tests.storage.test_themes_index import THEMES

    directory = build_index(tmp_path_factory.mktemp("web-index") / "index", corpus_dir)
    themes = directory.parent / "econsec.toml"
    themes.write_text(THEMES, encoding="utf-8")
    store = StatementStore.open(directory / "index.sqlite")
    try:
        install_theme_set(store, read_theme_file(themes), {})
    finally:
        store.close()
    return directory


@pytest.fixture(scope="session")
def server(web_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real server for the browser tests (they only read)."""
    log = tmp_path_factory.mktemp("web-server") / "server.log"
    with live_server(web_index, log, ready_status=None) as base:
        yield base


@pytest.fixture(scope="session")
def api(server: str) -> Iterator[httpx.Client]:
    """A plain HTTP client of the same server: the JSON the page must agree with."""
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with a fresh profile; downloads accepted."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            locale="ja-JP",
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def page(browser_context: Any) -> Iterator[Any]:
    """A new tab; closed after the test."""
    tab = browser_context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        tab.close()
