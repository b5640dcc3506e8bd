"""Theme sets: the built-in CAP set and themes files, with errors naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.themes.taxonomy import builtin_cap, read_theme_file
from models.errors import ParseError

CAP_TOPICS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "cap-topics.json"

GOOD_TOML = """\
id = "econsec"
name = "Economic security panel"

[[themes]]
id = "threats"
name = "Threats"
name_ja = "当面想定される脅威"
description = "Which threats to supply chains and technology Japan must prepare for."
keywords = ["脅威", "サプライチェーン"]

[[themes]]
id = "leakage"
name = "Technology leakage"
name_ja = "技術流出対策"
description = "Keeping sensitive technology and know-how from leaking abroad."
examples = ["技術流出を防ぐため、研究者の情報管理を徹底すべきだ。"]
"""


def test_builtin_cap_has_every_code_of_the_codebook_with_bilingual_descriptions() -> None:
    cap = builtin_cap()
    codes = json.loads(CAP_TOPICS.read_text(encoding="utf-8"))

    assert [t.theme_id for t in cap.themes] == [str(c["code"]) for c in codes]
    assert [t.name_ja for t in cap.themes] == [c["ja"] for c in codes]
    assert cap.procedural_theme == "0"
    for theme in cap.themes:
        assert len(theme.description) > 100 and theme.description_ja
        assert "Not " in theme.description and "含まない" in theme.description_ja
        assert theme.keywords


def test_a_toml_file_loads_with_its_themes(tmp_path: Path) -> None:
    path = tmp_path / "econsec.toml"
    path.write_text(GOOD_TOML, encoding="utf-8")

    loaded = read_theme_file(path)

    assert loaded.set_id == "econsec" and loaded.source == str(path)
    assert [t.theme_id for t in loaded.themes] == ["threats", "leakage"]
    assert loaded.theme("leakage").examples[0].startswith("技術流出")
    assert loaded.theme("threats").prototype_texts()[1].startswith("当面想定される脅威")


def test_the_same_set_in_yaml_has_the_same_digest(tmp_path: Path) -> None:
    toml_path = tmp_path / "a.toml"
    toml_path.write_text(GOOD_TOML, encoding="utf-8")
    yaml_path = tmp_path / "a.yaml"
    yaml_path.write_text(
        "id: econsec\nname: Economic security panel\nthemes:\n"
        "  - id: threats\n    name: Threats\n    name_ja: 当面想定される脅威\n"
        "    description: Which threats to supply chains and technology Japan must prepare "
        "for.\n    keywords:\n      - 脅威\n      - サプライチェーン\n"
        "  - id: leakage\n    name: Technology leakage\n    name_ja: 技術流出対策\n"
        "    description: Keeping sensitive technology and know-how from leaking abroad.\n"
        "    examples: [技術流出を防ぐため、研究者の情報管理を徹底すべきだ。]\n",
        encoding="utf-8",
    )

    assert read_theme_file(yaml_path).digest == read_theme_file(toml_path).digest


@pytest.mark.parametrize(
    ("name", "text", "line", "words"),
    [
        ("syntax.toml", GOOD_TOML.replace('name = "Threats"', 'name = "Threats'), 6, "TOML"),
        ("dup.toml", GOOD_TOML.replace('id = "leakage"', 'id = "threats"'), 12, "repeats"),
        ("nodesc.toml", GOOD_TOML.replace("description = \"Keeping", "summary = \"Keeping"), 15,
         "unknown key 'summary'"),
        ("badid.toml", GOOD_TOML.replace('id = "threats"', 'id = "two words"'), 5, "'id'"),
        ("kw.toml", GOOD_TOML.replace('keywords = ["脅威", "サプライチェーン"]', "keywords = 3"),
         9, "keywords"),
        ("bad.yaml", "id: x\nname: y\nthemes:\n  - id: a\n    name: [unclosed\n", 6, "YAML"),
        ("miss.yaml", "id: x\nname: y\nthemes:\n  - id: a\n    description: d\n", 4, "'name'"),
    ],
)  # fmt: skip
def test_a_broken_file_names_the_file_and_line(
    tmp_path: Path, name: str, text: str, line: int, words: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ParseError) as caught:
        read_theme_file(path)

    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert words in str(caught.value)


def test_an_unknown_file_type_or_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"use \.toml or \.yaml"):
        read_theme_file(tmp_path / "themes.json")
    with pytest.raises(ParseError, match="no such file"):
        read_theme_file(tmp_path / "absent.toml")
