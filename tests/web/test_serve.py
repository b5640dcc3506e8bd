"""``policy-search serve`` tells where the page is, and the page answers there."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.api.live_server import live_server


def test_serve_prints_the_pages_address_and_serves_it(web_index: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with live_server(web_index, log, ready_status=None) as base:
        printed = re.search(r"web page: (http://\S+/ui)", log.read_text())
        assert printed, log.read_text()
        assert printed.group(1) == f"{base}/ui"
        page = httpx.get(printed.group(1), headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert '<html lang="en">' in page.text
