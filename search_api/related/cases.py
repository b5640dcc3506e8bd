"""Labelled related-remark cases (the format of ``related-dev.jsonl``) and their metrics.

One JSON object per line::

    {"rid": "rd01",
     "source":  {"file": "<corpus file name>", "marker": "..."},
     "related": [{"file": "...", "marker": "...", "grade": 2}, ...],
     "note": "the shared issue"}

The source is the statement of the named file whose text (whitespace removed) contains the
source marker; a result is relevant to an entry when its text contains the entry's marker, as
in ``search_api.evaluation``, whose metric functions (nDCG@10 with gains 2/1, grade-2
Recall@10, MRR of the first grade-2 hit) are reused unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from indexer.records import Statement
from models.errors import ConfigError
from search_api.evaluation import (
    Judgement,
    LabelledQuestion,
    QuestionScores,
    score_question,
    strip_whitespace,
)


@dataclass(frozen=True, slots=True)
class RelatedCase:
    """One source remark and the remarks of other meetings labelled as related to it."""

    rid: str
    source_file: str
    source_marker: str
    related: tuple[Judgement, ...]
    note: str = ""


def read_related_cases(path: Path) -> list[RelatedCase]:
    """Parse a related-cases file; a malformed line raises ConfigError naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read related cases file {path}: {exc}") from exc
    cases: list[RelatedCase] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            source = raw["source"]
            related = tuple(
                Judgement(marker=str(r["marker"]), grade=int(r["grade"]), file=str(r["file"]))
                for r in raw["related"]
            )
            if not related:
                raise ValueError("no related remarks")
            cases.append(
                RelatedCase(
                    str(raw["rid"]),
                    str(source["file"]),
                    str(source["marker"]),
                    related,
                    str(raw.get("note", "")),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: not a related case ({exc!r})") from exc
    return cases


def locate_sources(
    cases: Sequence[RelatedCase], statements: Iterable[Statement]
) -> dict[str, Statement]:
    """The source statement of each case (by rid) among ``statements``; unfound cases are absent.

    A statement is a case's source when its source file has the case's file name and its text,
    whitespace removed, contains the source marker.
    """
    wanted: dict[str, list[RelatedCase]] = {}
    for case in cases:
        wanted.setdefault(case.source_file, []).append(case)
    found: dict[str, Statement] = {}
    for statement in statements:
        candidates = wanted.get(PurePath(statement.source_file).name)
        if not candidates:
            continue
        flat = strip_whitespace(statement.text)
        for case in candidates:
            if case.rid not in found and strip_whitespace(case.source_marker) in flat:
                found[case.rid] = statement
    return found


def score_case(case: RelatedCase, language: str, texts: Sequence[str]) -> QuestionScores:
    """nDCG@10, grade-2 Recall@10 and reciprocal rank of one case's ranked result texts."""
    question = LabelledQuestion(case.rid, language, case.source_marker, case.related)
    return score_question(question, texts)


def evaluate_related(
    cases: Sequence[RelatedCase],
    sources: dict[str, Statement],
    find: Callable[[Statement], Sequence[str]],
) -> list[QuestionScores]:
    """Score ``find`` (source statement -> ranked result texts) on every case.

    A case whose source is not in the index scores 0 (it is reported, not skipped, so a
    missing file cannot raise the mean).
    """
    scores = []
    for case in cases:
        source = sources.get(case.rid)
        texts = find(source) if source is not None else []
        scores.append(score_case(case, source.language if source else "ja", texts))
    return scores
