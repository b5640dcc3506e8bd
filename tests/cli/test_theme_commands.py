"""The theme commands through the entry point: themes, themes load/reload, theme, eval-themes."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_query_commands import Run
from tests.storage.test_themes_index import THEMES


@pytest.fixture()
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Call the entry point with arguments, as the installed script does."""
    from search_api.cli.main import main

    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("POLICY_SEARCH_INDEX", raising=False)
    monkeypatch.setenv("POLICY_SEARCH_MODEL", "fake")

    def invoke(*args: str) -> Run:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


@pytest.fixture()
def index_copy(cli_index: Path, tmp_path: Path) -> Path:
    """A writable copy of the small CLI index."""
    copy = tmp_path / "index"
    shutil.copytree(cli_index, copy)
    return copy


def _theme_rows(index: Path) -> str:
    with sqlite3.connect(index / "index.sqlite") as db:
        rows = [
            db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("theme_sets", "themes", "statement_themes", "theme_weights")
        ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_themes_lists_the_builtin_cap_set(run: Any, cli_index: Path) -> None:
    result = run("themes", "--index", str(cli_index))
    data = run("themes", "--index", str(cli_index), "--json").json()

    assert result.code == 0
    assert "cap: CAP major topics (22 themes" in result.out
    assert "cap:8" in result.out and "Energy / エネルギー" in result.out
    assert [s["id"] for s in data["sets"]] == ["cap"]
    assert len(data["sets"][0]["themes"]) == 22


def test_a_user_theme_set_loads_and_is_searchable(
    run: Any, index_copy: Path, tmp_path: Path
) -> None:
    path = tmp_path / "econsec.toml"
    path.write_text(THEMES, encoding="utf-8")

    loaded = run("themes", "load", str(path), "--index", str(index_copy))
    listed = run("themes", "--index", str(index_copy), "--json").json()
    found = run(
        "search", "供給", "--theme", "econsec:supply", "--mode", "lexical", "--json",
        "--facets", "theme,body", "--index", str(index_copy),
    ).json()  # fmt: skip

    assert loaded.code == 0, loaded.err
    assert "loaded theme set econsec (3 themes)" in loaded.out
    assert [s["id"] for s in listed["sets"]] == ["cap", "econsec"]
    supply = next(t for t in listed["sets"][1]["themes"] if t["theme"] == "supply")
    assert supply["count"] > 0
    assert found["results"] and all(
        "econsec:supply" in {t["id"] for t in hit["themes"]} for hit in found["results"]
    )
    assert {"value": "econsec:supply", "count": found["total"], "label": "Supply chains"} in (
        found["facets"]["theme"]
    )


def test_reload_retags_only_what_changed(run: Any, index_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "econsec.toml"
    path.write_text(THEMES, encoding="utf-8")
    run("themes", "load", str(path), "--index", str(index_copy))
    loaded = _theme_rows(index_copy)

    same = run("themes", "reload", "--index", str(index_copy))
    unchanged = _theme_rows(index_copy)
    path.write_text(THEMES.replace('keywords = ["特許", "非公開"]', 'keywords = ["特許"]'))
    reloaded = run("themes", "reload", "econsec", "--index", str(index_copy))

    assert same.code == 0 and "re-tagged" in same.out and "changed" not in same.out
    assert unchanged == loaded  # the stored models give the same tags again
    assert reloaded.code == 0, reloaded.err
    assert f"econsec: {path} changed, read again" in reloaded.out
    assert _theme_rows(index_copy) != loaded


def test_a_broken_themes_file_names_file_and_line_and_changes_nothing(
    run: Any, index_copy: Path, tmp_path: Path
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(THEMES.replace('id = "patents"', 'id = "supply"'), encoding="utf-8")
    before = _theme_rows(index_copy)

    result = run("themes", "load", str(path), "--index", str(index_copy))

    assert result.code == 1
    assert f"{path}:12: theme id 'supply' repeats theme #1" in result.err
    assert _theme_rows(index_copy) == before


def test_theme_page_and_timeline_read_like_reports(run: Any, cli_index: Path) -> None:
    page = run("theme", "cap:20", "--index", str(cli_index))
    timeline = run("theme", "20", "--timeline", "--by", "house", "--index", str(cli_index))
    data = run("theme", "20", "--timeline", "--json", "--index", str(cli_index)).json()
    missing = run("theme", "cap:99", "--index", str(cli_index))

    assert page.code == 0 and "cap:20  Government Operations / 政府・行政運営" in page.out
    assert "representative statements:" in page.out
    assert timeline.code == 0 and "PERIOD" in timeline.out and "GROUP" in timeline.out
    assert sum(p["count"] for p in data["points"]) + data["undated"] == data["total"]
    assert missing.code == 1 and "no theme 'cap:99'" in missing.err


def test_eval_themes_scores_labels_found_by_id_or_marker(
    run: Any, cli_index: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(cli_index / "index.sqlite") as db:
        rows = db.execute(
            "SELECT t.statement_id, t.theme_id, substr(s.text, 5, 20) FROM statement_themes t "
            "JOIN statements s USING (statement_id) WHERE t.rank = 1 AND t.set_id = 'cap' "
            "AND s.procedural = 0 AND length(s.text) > 60 ORDER BY t.statement_id LIMIT 3"
        ).fetchall()
    wrong = "1" if rows[2][1] != "1" else "2"
    labels = [
        {"speechID": rows[0][0], "topic": int(rows[0][1]), "secondary": []},
        {"speechID": "no-such-id", "marker": rows[1][2], "topic": int(rows[1][1])},
        {"speechID": rows[2][0], "topic": int(wrong), "secondary": [int(rows[2][1])]},
        {"speechID": "absent", "marker": "この文は索引にない", "topic": 3},
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in labels) + "\n")

    result = run("eval-themes", str(path), "--index", str(cli_index), "--json")
    text = run("eval-themes", str(path), "--index", str(cli_index))

    data = result.json()
    assert (data["labelled"], data["found"], data["missing_lines"]) == (4, 3, [4])
    assert data["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["primary_or_secondary"] == pytest.approx(1.0)
    assert "accuracy (primary)" in text.out and "macro-F1" in text.out


def test_eval_themes_reports_a_broken_labels_line(
    run: Any, cli_index: Path, tmp_path: Path
) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text('{"speechID": "x", "topic": 1}\n{"speechID": "y"\n', encoding="utf-8")

    result = run("eval-themes", str(path), "--index", str(cli_index))

    assert result.code == 1 and f"{path}:2:" in result.err
