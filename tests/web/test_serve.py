"""``policy-search serve`` tells where the page is, and the page answers there."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.web.conftest import running_server


def test_serve_prints_the_pages_address_and_serves_it(web_index: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(web_index, log) as base:
        printed = re.search(r"web page: (http://\S+/ui)", log.read_text())
        assert printed, log.read_text()
        assert printed.group(1) == f"{base}/ui"
        page = httpx.get(printed.group(1), headers={"Accept-Language": "en"})
        assert page.status_code == 200
        assert '<html lang="en">' in page.text
