"""The query commands through the real entry point: search, related, meetings, serve."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from search_api.cli.main import main
from search_api.cli.text_layout import display_width

SEED_MEETING = "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi"
SEED_STATEMENT = f"{SEED_MEETING}_5a5240d9c3"
QUESTION = "経済安全保障 サプライチェーン"


class Run:
    """What one ``policy-search`` invocation printed and returned."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture()
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Call the entry point ``main`` with arguments, as the installed script does."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("POLICY_SEARCH_INDEX", raising=False)
    monkeypatch.delenv("POLICY_SEARCH_MODEL", raising=False)

    def invoke(*args: str) -> Run:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ("search", ["QUESTION", "--limit", "--offset", "--mode", "--json", "--meeting", "--body",
                    "--date-from", "--date-to", "--speaker", "--topic", "--language",
                    "--include-procedural", "--index", "--model"]),
        ("related", ["ID", "--limit", "--exclude-same-meeting", "--json", "--body", "--index",
                     "--like", "--like-file", "--passage", "--char-start", "--char-end"]),
        ("meetings", ["--json", "--index"]),
        ("serve", ["--index", "--host", "--port", "--model", "--cors-origin", "/docs"]),
        ("eval", ["QUESTIONS", "--mode", "--json", "--index", "--model"]),
        ("eval-related", ["CASES", "--per-case", "--json", "--index", "--model"]),
    ],
)  # fmt: skip
def test_every_query_command_documents_its_options(
    run: Any, command: str, phrases: list[str]
) -> None:
    result = run(command, "--help")

    assert result.code == 0
    for phrase in phrases:
        assert phrase in result.out, phrase
    assert f"Usage: policy-search {command}" in result.out


def test_the_group_help_lists_the_query_commands(run: Any) -> None:
    result = run("--help")

    assert result.code == 0
    for command in ("search", "related", "meetings", "serve", "eval"):
        assert f"  {command} " in result.out


def test_search_prints_a_readable_ranked_list(run: Any, cli_index: Path) -> None:
    result = run("search", QUESTION, "--index", str(cli_index), "--model", "fake", "--limit", "3")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(f'"{QUESTION}": 1-3 of ')
    assert [line[:4] for line in lines if line[:4] in ("  1.", "  2.", "  3.")] == [
        "  1.",
        "  2.",
        "  3.",
    ]
    assert max(display_width(line) for line in lines) <= 80
    assert "id " in result.out


def test_search_json_is_the_api_shape(run: Any, cli_index: Path) -> None:
    result = run(
        "search", QUESTION, "--index", str(cli_index), "--model", "fake", "--limit", "4",
        "--json", "--body", "内閣委員会", "--date-from", "2022-03-01", "--date-to", "2022-03-31",
    )  # fmt: skip

    assert result.code == 0, result.err
    page = result.json()
    assert page["query"] == QUESTION
    assert len(page["results"]) == 4
    for hit in page["results"]:
        assert "内閣委員会" in hit["meeting"]["body"]
        assert "2022-03-01" <= hit["meeting"]["date"] <= "2022-03-31"
        assert {"statement_id", "score", "rank", "highlight", "speaker", "source"} <= set(hit)


def test_json_texts_are_heads_unless_full_text_is_asked_for(run: Any, cli_index: Path) -> None:
    common = ("search", QUESTION, "--index", str(cli_index), "--model", "fake", "--json")
    heads = run(*common, "--limit", "20").json()["results"]
    full = run(*common, "--limit", "20", "--text", "full").json()["results"]

    long_ones = [h for h in heads if h["text_length"] > 200]
    assert long_ones, "the sample has remarks longer than the head"
    assert all(h["text_truncated"] and len(h["text"]) <= 201 for h in long_ones)
    assert [len(h["text"]) for h in full] == [h["text_length"] for h in heads]
    assert all(Path(h["source"]["file"]).is_absolute() for h in full), "CLI: paths as stored"


def test_search_pages_do_not_overlap(run: Any, cli_index: Path) -> None:
    common = ("search", QUESTION, "--index", str(cli_index), "--model", "fake", "--json")
    first = run(*common, "--limit", "5").json()["results"]
    second = run(*common, "--limit", "5", "--offset", "5").json()["results"]

    assert {h["statement_id"] for h in first}.isdisjoint(h["statement_id"] for h in second)
    assert [h["rank"] for h in second] == [6, 7, 8, 9, 10]


def test_related_lists_statements_of_other_meetings(run: Any, cli_index: Path) -> None:
    result = run(
        "related", SEED_STATEMENT, "--index", str(cli_index), "--json",
        "--limit", "5",
    )  # fmt: skip

    assert result.code == 0, result.err
    hits = result.json()["results"]
    assert len(hits) == 5
    assert SEED_MEETING not in {hit["meeting"]["id"] for hit in hits}

    readable = run("related", SEED_STATEMENT, "--index", str(cli_index))
    assert readable.out.startswith(f"related to {SEED_STATEMENT}: 1-10 of ")


def test_related_loads_no_model(run: Any, cli_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(name: str | None = None) -> None:
        raise AssertionError(f"related loaded the model {name!r}")

    monkeypatch.setattr("models.loading.load_embedder", no_model)

    result = run("related", SEED_STATEMENT, "--index", str(cli_index), "--limit", "3")

    assert result.code == 0, result.err
    assert result.out.startswith(f"related to {SEED_STATEMENT}: 1-3 of ")


def test_meetings_lists_dates_counts_ids_and_titles(run: Any, cli_index: Path) -> None:
    result = run("meetings", "--index", str(cli_index))

    assert result.code == 0, result.err
    header = result.out.splitlines()[:2]
    assert header[0].split() == ["DATE", "STMTS", "ID"]
    assert header[1].strip() == "TITLE"  # at 80 columns titles go under their row
    assert SEED_MEETING in result.out  # ids are never cut
    assert "2021-07-28" in result.out
    listing = run("meetings", "--index", str(cli_index), "--json").json()
    assert listing["total"] == 6
    assert {m["id"]: m["statement_count"] for m in listing["meetings"]}[SEED_MEETING] == 41


def test_an_unknown_statement_is_an_error_on_stderr(run: Any, cli_index: Path) -> None:
    result = run("related", "no-such-id", "--index", str(cli_index))

    assert result.code == 1
    assert result.out == ""
    assert "no-such-id" in result.err
    assert result.err.startswith("error: ")


def test_a_missing_index_says_how_to_build_one(run: Any, tmp_path: Path) -> None:
    result = run("search", "半導体", "--index", str(tmp_path / "none"), "--model", "fake")

    assert result.code == 1
    assert "policy-search index" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ("",),
        ("x" * 2001,),
        ("半導体", "--limit", "0"),
        ("半導体", "--limit", "101"),
        ("半導体", "--mode", "fuzzy"),
        ("半導体", "--date-from", "2023-13-01"),
        ("半導体", "--date-from", "2023-03-01", "--date-to", "2023-01-01"),
    ],
)
def test_out_of_bounds_options_are_usage_errors(
    run: Any, cli_index: Path, args: tuple[str, ...]
) -> None:
    result = run("search", *args, "--index", str(cli_index), "--model", "fake")

    assert result.code == 2
    assert result.out == ""
    assert "Error" in result.err


def test_the_installed_script_reports_errors_with_a_non_zero_status(cli_index: Path) -> None:
    script = Path(sys.executable).parent / "policy-search"
    completed = subprocess.run(
        [str(script), "related", "no-such-id", "--index", str(cli_index)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "error:" in completed.stderr
    assert "no-such-id" in completed.stderr


def test_related_shows_why_each_result_is_related(run: Any, cli_index: Path) -> None:
    result = run("related", SEED_STATEMENT, "--index", str(cli_index), "--limit", "3")

    assert result.code == 0, result.err
    blocks = result.out.split("\n\n")[1:]
    assert len(blocks) == 3
    for block in blocks:
        assert "why: matches this source passage (" in block
        assert "\n       > " in block  # the source's side of the pair
    assert "shared terms: " in result.out


def test_search_says_which_words_of_an_english_question_were_searched_in_japanese(
    run: Any, cli_index: Path
) -> None:
    english = run("search", "semiconductors", "--index", str(cli_index), "--model", "fake")
    japanese = run("search", "半導体", "--index", str(cli_index), "--model", "fake")

    assert english.code == 0 and japanese.code == 0, english.err + japanese.err
    assert english.out.splitlines()[1] == "also searched in Japanese: semiconductor → 半導体"
    assert "also searched in Japanese" not in japanese.out


def test_related_to_an_english_text_shows_the_translations_it_matched(
    run: Any, cli_index: Path
) -> None:
    text = "Secret patents: an invention that would harm national security is kept secret."
    result = run(
        "related", "--like", text, "--index", str(cli_index), "--model", "fake", "--limit", "3"
    )

    assert result.code == 0, result.err
    lines = [line.strip() for line in result.out.splitlines() if "translated: " in line]
    assert lines
    assert any("patent → 特許" in line or "invention → 発明" in line for line in lines)


def test_related_takes_a_text_or_an_id_but_not_both(run: Any, cli_index: Path) -> None:
    text = "経済安全保障とサプライチェーンの強靱化、特定国への依存"
    result = run(
        "related", "--like", text, "--index", str(cli_index), "--model", "fake", "--json",
        "--limit", "4",
    )  # fmt: skip
    assert result.code == 0, result.err
    hits = result.json()["results"]
    assert len(hits) == 4 and all(hit["reason"]["source"]["text"] in text for hit in hits)

    neither = run("related", "--index", str(cli_index))
    assert neither.code == 2 and "statement ID or --like" in neither.err
    both = run("related", SEED_STATEMENT, "--like", text, "--index", str(cli_index))
    assert both.code == 2
