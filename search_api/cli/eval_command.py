"""``policy-search eval QUESTIONS.jsonl``: search quality on labelled questions.

Prints nDCG@10 (gains 2/1), Recall@10 of grade-2 remarks and MRR of the first grade-2 hit,
overall and per question language, for one or more ranking modes.  The label format and the
matching rule are those of ``search_api.evaluation``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from models.loading import EncoderOptions
from search_api.cli.options import (
    encoder_options,
    index_dir_option,
    searched_model_option,
    unjudged_option,
)
from search_api.evaluation import (
    QuestionScores,
    Summary,
    condensed,
    evaluate,
    ranking_depth,
    read_questions,
    summarise,
)
from search_api.results import SearchMode, SearchRequest

ALL_MODES = "all"


@click.command("eval")
@click.argument(
    "questions", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="QUESTIONS"
)
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice([*(m.value for m in SearchMode), ALL_MODES]),
    help="Ranking mode(s) to evaluate (repeatable; 'all' for every mode). Default: hybrid.",
)
@click.option("--per-question", is_flag=True, help="Also print each question's scores.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@unjudged_option
@index_dir_option
@searched_model_option
@encoder_options
def eval_command(
    questions: Path,
    modes: tuple[str, ...],
    per_question: bool,
    as_json: bool,
    unjudged: tuple[str, ...],
    index_dir: Path,
    model: str | None,
    encoder: EncoderOptions,
) -> None:
    """Evaluate search on labelled QUESTIONS (JSON lines, the format of dev.jsonl).

    A result is relevant when its text, whitespace removed, contains a labelled marker.

    \b
    Example:
      policy-search eval ../shared/eval/dev.jsonl --mode all
    """
    from search_api.python_api import open_searcher

    labelled = read_questions(questions)
    chosen = _modes(modes)
    searcher = open_searcher(index_dir, model, encoder)
    report: dict[str, Any] = {"questions": str(questions), "modes": {}}
    depth = ranking_depth(unjudged, len(searcher.catalog.statement_ids))
    for mode in chosen:

        def search(query: str, mode: SearchMode = mode) -> list[str]:
            page = searcher.search(SearchRequest(query, limit=depth, mode=mode))
            return condensed(ranked_sources(page.hits), unjudged)

        scores = evaluate(labelled, search)
        report["modes"][mode.value] = {
            "summary": [summary_dict(s) for s in summarise(scores)],
            "questions": [question_dict(s) for s in scores] if per_question else None,
        }
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(_table(report, per_question))


def ranked_sources(hits: Sequence[Any]) -> list[tuple[str, str]]:
    """``(source file name, text)`` of each hit, in rank order (for ``condensed``)."""
    return [(Path(hit.statement.source_file).name, hit.statement.text) for hit in hits]


def _modes(modes: tuple[str, ...]) -> list[SearchMode]:
    if not modes:
        return [SearchMode.HYBRID]
    if ALL_MODES in modes:
        return [SearchMode.SEMANTIC, SearchMode.LEXICAL, SearchMode.HYBRID]
    return [SearchMode(m) for m in dict.fromkeys(modes)]


def summary_dict(summary: Summary) -> dict[str, Any]:
    """One group's means, rounded, as printed by ``--json``."""
    return {
        "group": summary.group,
        "questions": summary.questions,
        "ndcg@10": round(summary.ndcg, 4),
        "recall@10": round(summary.recall, 4),
        "mrr": round(summary.mrr, 4),
    }


def question_dict(scores: QuestionScores) -> dict[str, Any]:
    """One question's scores and gains, as printed by ``--json``."""
    return {
        "qid": scores.qid,
        "language": scores.language,
        "ndcg@10": round(scores.ndcg, 4),
        "recall@10": round(scores.recall, 4),
        "rr": round(scores.reciprocal_rank, 4),
        "gains": list(scores.gains),
    }


def _table(report: dict[str, Any], per_question: bool) -> str:
    lines = [f"{'MODE':<9} {'GROUP':<5} {'N':>3} {'nDCG@10':>8} {'R@10(2)':>8} {'MRR':>6}"]
    for mode, result in report["modes"].items():
        for s in result["summary"]:
            lines.append(
                f"{mode:<9} {s['group']:<5} {s['questions']:>3} {s['ndcg@10']:>8.3f} "
                f"{s['recall@10']:>8.3f} {s['mrr']:>6.3f}"
            )
        if per_question:
            for q in result["questions"]:
                gains = "".join(str(g) if g else "." for g in q["gains"])
                lines.append(
                    f"  {q['qid']:<6} {q['language']:<3} nDCG {q['ndcg@10']:.3f} "
                    f"R {q['recall@10']:.2f} RR {q['rr']:.2f}  {gains}"
                )
    return "\n".join(lines)
