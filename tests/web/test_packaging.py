"""The page's templates and static files ship inside the package (they must survive pip install)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT


def test_the_wheel_carries_every_template_and_static_file(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    for package in ("search_api", "indexer", "models"):
        shutil.copytree(
            REPO_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*command, "-q", "-w", str(tmp_path / "dist"), str(source)],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("policy_search-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())

    web = REPO_ROOT / "search_api" / "web"
    expected = {
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("templates", "static")
        for path in (web / folder).iterdir()
        if path.is_file()
    }
    assert expected, "the page has templates and static files"
    assert expected <= names
