"""Search quality on labelled questions: nDCG@10, grade-2 Recall@10 and MRR, per language.

Label format (one JSON object per line, as in ``../shared/eval/dev.jsonl``)::

    {"qid": "d01", "lang": "ja", "query": "...",
     "relevant": [{"file": "...", "marker": "...", "grade": 2}, ...]}

A returned statement is relevant to an entry when its text, with all whitespace removed,
contains the entry's marker with all whitespace removed.  Each entry counts once (the first
hit that contains it); grades are the gains (2 or 1).  The metric functions are pure; `evaluate`
runs any search function over the questions.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from models.errors import ConfigError

DEPTH = 10
"""Every metric looks at the first 10 results."""

_WHITESPACE = re.compile(r"\s+")


def strip_whitespace(text: str) -> str:
    """Text with every Unicode whitespace character removed (the marker matching rule)."""
    return _WHITESPACE.sub("", text)


@dataclass(frozen=True, slots=True)
class Judgement:
    """One relevant remark of a question, identified by a marker it contains."""

    marker: str
    grade: int
    file: str = ""


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    """A question with its relevant remarks."""

    qid: str
    language: str
    query: str
    relevant: tuple[Judgement, ...]


@dataclass(frozen=True, slots=True)
class QuestionScores:
    """The metrics of one question."""

    qid: str
    language: str
    ndcg: float
    recall: float
    reciprocal_rank: float
    gains: tuple[int, ...]
    """Gain of each returned result in order (0 = not relevant)."""


@dataclass(frozen=True, slots=True)
class Summary:
    """Mean metrics over a group of questions."""

    group: str
    questions: int
    ndcg: float
    recall: float
    mrr: float


def read_questions(path: Path) -> list[LabelledQuestion]:
    """Parse a labelled question file; a malformed line raises ConfigError naming it."""
    questions: list[LabelledQuestion] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read questions file {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            relevant = tuple(
                Judgement(marker=r["marker"], grade=int(r["grade"]), file=r.get("file", ""))
                for r in raw["relevant"]
            )
            questions.append(
                LabelledQuestion(str(raw["qid"]), str(raw["lang"]), str(raw["query"]), relevant)
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: not a labelled question ({exc})") from exc
    return questions


def judge(texts: Sequence[str], relevant: Sequence[Judgement]) -> list[int]:
    """The gain of each result text: the grade of the first not-yet-found entry it contains."""
    markers = [(strip_whitespace(j.marker), j.grade) for j in relevant]
    found: set[int] = set()
    gains: list[int] = []
    for text in texts:
        flat = strip_whitespace(text)
        matches = [
            (grade, index)
            for index, (marker, grade) in enumerate(markers)
            if index not in found and marker and marker in flat
        ]
        gain, index = max(matches, default=(0, -1))
        if matches:
            found.add(index)
        gains.append(gain)
    return gains


def ndcg_at(gains: Sequence[int], ideal: Sequence[int], depth: int = DEPTH) -> float:
    """nDCG with linear gains: sum gain/log2(rank+1), divided by the same for the ideal order."""

    def dcg(values: Sequence[int]) -> float:
        return sum(g / math.log2(rank + 1) for rank, g in enumerate(values[:depth], start=1))

    best = dcg(sorted(ideal, reverse=True))
    return dcg(gains) / best if best > 0 else 0.0


def recall_at(gains: Sequence[int], grade_count: int, depth: int = DEPTH, grade: int = 2) -> float:
    """Share of the ``grade_count`` entries of ``grade`` found in the first ``depth`` results."""
    if grade_count == 0:
        return 0.0
    return sum(1 for g in gains[:depth] if g == grade) / grade_count


def reciprocal_rank(gains: Sequence[int], depth: int = DEPTH, grade: int = 2) -> float:
    """1/rank of the first result with ``grade``, 0 when none is in the first ``depth``."""
    for rank, g in enumerate(gains[:depth], start=1):
        if g == grade:
            return 1.0 / rank
    return 0.0


def score_question(question: LabelledQuestion, texts: Sequence[str]) -> QuestionScores:
    """All metrics of one question given the texts of its ranked results."""
    gains = judge(texts[:DEPTH], question.relevant)
    grades = [j.grade for j in question.relevant]
    return QuestionScores(
        qid=question.qid,
        language=question.language,
        ndcg=ndcg_at(gains, grades),
        recall=recall_at(gains, grades.count(2)),
        reciprocal_rank=reciprocal_rank(gains),
        gains=tuple(gains),
    )


def summarise(scores: Sequence[QuestionScores]) -> list[Summary]:
    """Means overall and per language (``all`` first, then languages alphabetically)."""
    groups: dict[str, list[QuestionScores]] = {"all": list(scores)}
    for s in scores:
        groups.setdefault(s.language, []).append(s)
    summaries = []
    for name in ["all", *sorted(g for g in groups if g != "all")]:
        members = groups[name]
        n = len(members)
        summaries.append(
            Summary(
                group=name,
                questions=n,
                ndcg=sum(s.ndcg for s in members) / n if n else 0.0,
                recall=sum(s.recall for s in members) / n if n else 0.0,
                mrr=sum(s.reciprocal_rank for s in members) / n if n else 0.0,
            )
        )
    return summaries


def ranking_depth(unjudged: Sequence[str], statements: int) -> int:
    """How many results to fetch: ``DEPTH``, or the whole ranking (every one of the index's
    ``statements`` it may hold) when unjudged results are left out.

    A condensed list is cut from the whole ranking (Sakai 2007). Cutting it at a fixed depth
    first loses the labelled remarks ranked below that many unlabelled ones: on the eval corpus
    + pool index (55k statements), condensing the first 200 gave nDCG@10 0.568, the whole
    ranking 0.618 (docs/benchmarks.md).
    """
    return max(DEPTH, statements) if unjudged else DEPTH


def condensed(
    ranked: Sequence[tuple[str, str]], unjudged: Sequence[str], depth: int = DEPTH
) -> list[str]:
    """The first ``depth`` texts of ``(source file name, text)`` pairs whose source file name
    matches none of the ``unjudged`` glob patterns.

    The condensed-list method (Sakai, SIGIR 2007): remarks no label set has looked at are left
    out rather than counted as non-relevant, so an index with a large unlabelled pool can be
    compared with the labelled corpus alone. With no patterns the ranking is unchanged.
    """
    kept = [
        text
        for name, text in ranked
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in unjudged)
    ]
    return kept[:depth]


def evaluate(
    questions: Sequence[LabelledQuestion], search: Callable[[str], Sequence[str]]
) -> list[QuestionScores]:
    """Run ``search`` (question -> ranked statement texts) on every question and score it."""
    return [score_question(q, search(q.query)) for q in questions]
