"""Theme sets: the built-in CAP major topics and the analyst's own themes files (TOML or YAML).

A theme set is a named list of themes, each with an id, names, a description and optional
keywords and example statements (texts, or ids of statements in the index).  Files are read
strictly: an unknown key, a missing name or a repeated id is a ``ParseError`` naming the file
and the line, raised before anything in the index changes.  Pure parsing; no SQLite here.

A themes file looks like (TOML; YAML takes the same keys)::

    id = "econsec"
    name = "Economic security panel"
    [[themes]]
    id = "threats"
    name = "Threats"
    name_ja = "当面想定される脅威"
    description = "Which threats to supply chains and technology Japan must prepare for."
    keywords = ["脅威", "サプライチェーン"]
    examples = ["特定国に依存しているリスク..."]
    example_ids = ["120804080X00620220330_047"]
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from models.errors import ParseError

BUILTIN_CAP = "cap"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SET_KEYS = {"id", "name", "name_ja", "description", "procedural_theme", "themes"}
THEME_KEYS = {
    "id",
    "name",
    "name_ja",
    "description",
    "description_ja",
    "keywords",
    "examples",
    "example_ids",
}


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme: what an analyst reads and what the tagger compares statements with."""

    theme_id: str
    name: str
    description: str
    name_ja: str | None = None
    description_ja: str | None = None
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    """Example statement texts (embedded when the set is loaded)."""
    example_ids: tuple[str, ...] = ()
    """Ids of statements in the index that exemplify the theme (their stored vectors are used)."""

    def prototype_texts(self) -> list[str]:
        """The texts whose embeddings describe the theme: name + description, per language."""
        texts = [f"{self.name}: {self.description}"]
        if self.description_ja:
            texts.append(f"{self.name_ja or self.name}：{self.description_ja}")
        elif self.name_ja:
            texts.append(f"{self.name_ja}：{self.description}")
        return texts


@dataclass(frozen=True, slots=True)
class ThemeSet:
    """A named set of themes, as loaded from a file (or the package, for CAP)."""

    set_id: str
    name: str
    themes: tuple[Theme, ...]
    name_ja: str | None = None
    description: str = ""
    procedural_theme: str | None = None
    """The theme given to procedural remarks (the chair calling speakers); CAP: ``0``."""
    source: str = ""
    """The file it came from (``builtin`` for CAP)."""

    @property
    def digest(self) -> str:
        """Identity of the set's content: a changed file re-tags, an unchanged one does not."""
        payload = json.dumps(
            [self.set_id, self.name, self.procedural_theme, [_theme_key(t) for t in self.themes]],
            ensure_ascii=False,
        )
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=8).hexdigest()

    def theme(self, theme_id: str) -> Theme:
        """One theme by id; raises KeyError."""
        for theme in self.themes:
            if theme.theme_id == theme_id:
                return theme
        raise KeyError(theme_id)


def _theme_key(theme: Theme) -> list[Any]:
    return [
        theme.theme_id,
        theme.name,
        theme.name_ja,
        theme.description,
        theme.description_ja,
        list(theme.keywords),
        list(theme.examples),
        list(theme.example_ids),
    ]


def builtin_cap() -> ThemeSet:
    """The Comparative Agendas Project major topics with our bilingual descriptions."""
    text = resources.files("indexer.themes").joinpath("cap.toml").read_text(encoding="utf-8")
    return parse_theme_text(text, "builtin:cap.toml", "toml", source="builtin")


def read_theme_file(path: Path) -> ThemeSet:
    """Read a themes file (``.toml``, ``.yaml`` or ``.yml``); raises ParseError with the line."""
    suffix = path.suffix.lower()
    kinds = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}
    if suffix not in kinds:
        raise ParseError(str(path), f"unknown themes file type {suffix!r}; use .toml or .yaml")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ParseError(str(path), "no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(str(path), f"cannot read the file: {exc}") from exc
    return parse_theme_text(text, str(path), kinds[suffix], source=str(path))


def parse_theme_text(text: str, path: str, kind: str, source: str = "") -> ThemeSet:
    """Parse a themes document of ``kind`` (``toml``/``yaml``); ``path`` names it in errors."""
    lines = _LineFinder(text, kind)
    data = _load(text, path, kind)
    if not isinstance(data, dict):
        raise ParseError(path, "a themes file must be a table/mapping with id, name and themes", 1)
    _no_unknown_keys(data, SET_KEYS, path, lines.top_key)
    set_id = _identifier(data, "id", path, lines.top_key("id"))
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        raise ParseError(
            path, "'themes' must be a non-empty list of themes", lines.top_key("themes")
        )
    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(raw_themes):
        line = lines.theme(number)
        if not isinstance(raw, dict):
            raise ParseError(path, f"theme #{number + 1} must be a table/mapping", line)
        theme = _theme(raw, path, number, lines)
        if theme.theme_id in seen:
            raise ParseError(
                path,
                f"theme id {theme.theme_id!r} repeats theme #{seen[theme.theme_id] + 1}",
                lines.theme_key(number, "id"),
            )
        seen[theme.theme_id] = number
        themes.append(theme)
    procedural = _optional_text(data, "procedural_theme", path, lines.top_key("procedural_theme"))
    if procedural is not None and procedural not in seen:
        raise ParseError(
            path,
            f"procedural_theme {procedural!r} is not one of the theme ids",
            lines.top_key("procedural_theme"),
        )
    return ThemeSet(
        set_id=set_id,
        name=_required_text(data, "name", path, lines.top_key("name")),
        themes=tuple(themes),
        name_ja=_optional_text(data, "name_ja", path, lines.top_key("name_ja")),
        description=_optional_text(data, "description", path, lines.top_key("description")) or "",
        procedural_theme=procedural,
        source=source or path,
    )


def _load(text: str, path: str, kind: str) -> Any:
    if kind == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            raise ParseError(
                path, f"not valid TOML: {exc}", int(match.group(1)) if match else None
            ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParseError(path, f"not valid YAML: {problem}", line) from exc


def _theme(raw: dict[str, Any], path: str, number: int, lines: _LineFinder) -> Theme:
    def at(key: str) -> int | None:
        return lines.theme_key(number, key)

    _no_unknown_keys(raw, THEME_KEYS, path, lambda key: at(key), f"theme #{number + 1}")
    return Theme(
        theme_id=_identifier(raw, "id", path, at("id"), str(raw.get("id", number + 1))),
        name=_required_text(raw, "name", path, at("name") or lines.theme(number)),
        description=_required_text(
            raw, "description", path, at("description") or lines.theme(number)
        ),
        name_ja=_optional_text(raw, "name_ja", path, at("name_ja")),
        description_ja=_optional_text(raw, "description_ja", path, at("description_ja")),
        keywords=_text_list(raw, "keywords", path, at("keywords")),
        examples=_text_list(raw, "examples", path, at("examples")),
        example_ids=_text_list(raw, "example_ids", path, at("example_ids")),
    )


def _no_unknown_keys(
    data: dict[str, Any], allowed: set[str], path: str, line_of: Any, where: str = "the file"
) -> None:
    for key in data:
        if key not in allowed:
            raise ParseError(
                path,
                f"unknown key {key!r} in {where} (valid keys: {', '.join(sorted(allowed))})",
                line_of(key),
            )


def _identifier(
    data: dict[str, Any], key: str, path: str, line: int | None, label: str = ""
) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        what = f"theme {label}: " if label else ""
        raise ParseError(
            path,
            f"{what}'{key}' must be 1-64 letters, digits, '_', '.' or '-' (got {value!r})",
            line,
        )
    return value


def _required_text(data: dict[str, Any], key: str, path: str, line: int | None) -> str:
    value = _optional_text(data, key, path, line)
    if value is None:
        raise ParseError(path, f"'{key}' is required and must be non-empty text", line)
    return value


def _optional_text(data: dict[str, Any], key: str, path: str, line: int | None) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ParseError(path, f"'{key}' must be non-empty text (got {value!r})", line)
    return value.strip()


def _text_list(data: dict[str, Any], key: str, path: str, line: int | None) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParseError(path, f"'{key}' must be a list of non-empty texts", line)
    return tuple(v.strip() for v in value)


class _LineFinder:
    """Best-effort line numbers for keys of a themes document (1-based; None when unknown)."""

    def __init__(self, text: str, kind: str) -> None:
        self._lines = text.splitlines()
        self._kind = kind
        self._starts = self._theme_starts()

    def _theme_starts(self) -> list[int]:
        if self._kind == "toml":
            return [i for i, ln in enumerate(self._lines) if ln.strip().startswith("[[themes]]")]
        starts: list[int] = []
        inside = False
        indent: int | None = None
        for i, ln in enumerate(self._lines):
            item = re.match(r"^(\s*)-(\s|$)", ln)
            if re.match(r"^themes\s*:", ln):
                inside = True
            elif inside and re.match(r"^\S", ln) and not ln.startswith(("#", "-")):
                inside = False
            elif inside and item and (indent is None or len(item.group(1)) == indent):
                indent = len(item.group(1))
                starts.append(i)
        return starts

    def theme(self, number: int) -> int | None:
        return self._starts[number] + 1 if number < len(self._starts) else None

    def top_key(self, key: str) -> int | None:
        end = self._starts[0] if self._starts else len(self._lines)
        return self._find(key, 0, end)

    def theme_key(self, number: int, key: str) -> int | None:
        if number >= len(self._starts):
            return None
        start = self._starts[number]
        end = self._starts[number + 1] if number + 1 < len(self._starts) else len(self._lines)
        return self._find(key, start, end)

    def _find(self, key: str, start: int, end: int) -> int | None:
        sep = "=" if self._kind == "toml" else ":"
        pattern = re.compile(rf"^\s*(-\s+)?[\"']?{re.escape(key)}[\"']?\s*{sep}")
        for i in range(start, end):
            if pattern.match(self._lines[i]):
                return i + 1
        return None
