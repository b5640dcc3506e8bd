"""``policy-search eval-related CASES.jsonl``: quality of related remarks on labelled cases.

Each case names a source remark (file + marker) and the remarks of other meetings labelled as
related (grades 2/1); the source is looked up in the index, its related remarks are ranked as
``policy-search related`` ranks them, and the first 10 are scored with nDCG@10, grade-2
Recall@10 and MRR (``search_api.related.cases``).  A case whose source is not indexed is
reported and scores 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from models.loading import EncoderOptions
from search_api.cli.eval_command import question_dict, ranked_sources, summary_dict
from search_api.cli.options import (
    encoder_options,
    index_dir_option,
    searched_model_option,
    unjudged_option,
)
from search_api.evaluation import condensed, ranking_depth, summarise
from search_api.related.cases import evaluate_related, locate_sources, read_related_cases


@click.command("eval-related")
@click.argument(
    "cases", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="CASES"
)
@click.option("--per-case", is_flag=True, help="Also print each case's scores.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@unjudged_option
@index_dir_option
@searched_model_option
@encoder_options
def eval_related_command(
    cases: Path,
    per_case: bool,
    as_json: bool,
    unjudged: tuple[str, ...],
    index_dir: Path,
    model: str | None,
    encoder: EncoderOptions,
) -> None:
    """Evaluate related remarks on labelled CASES (JSON lines, the format of related-dev.jsonl).

    A result is relevant when its text, whitespace removed, contains a labelled marker.

    \b
    Example:
      policy-search eval-related ../shared/eval/related-dev.jsonl --per-case
    """
    from search_api.python_api import open_searcher

    labelled = read_related_cases(cases)
    searcher = open_searcher(index_dir, model, encoder)
    sources = locate_sources(labelled, searcher.iter_statements())
    depth = ranking_depth(unjudged, len(searcher.catalog.statement_ids))

    def find(source: Any) -> list[str]:
        page = searcher.related(source.statement_id, limit=depth)
        return condensed(ranked_sources(page.hits), unjudged)

    scores = evaluate_related(labelled, sources, find)
    missing = [case.rid for case in labelled if case.rid not in sources]
    report: dict[str, Any] = {
        "cases": str(cases),
        "summary": [summary_dict(s) for s in summarise(scores)],
        "missing_sources": missing,
        "per_case": [
            {
                **question_dict(s),
                "source": sources[c.rid].statement_id if c.rid in sources else None,
            }
            for c, s in zip(labelled, scores, strict=True)
        ]
        if per_case
        else None,
    }
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    lines = [f"{'GROUP':<5} {'N':>3} {'nDCG@10':>8} {'R@10(2)':>8} {'MRR':>6}"]
    for s in report["summary"]:
        lines.append(
            f"{s['group']:<5} {s['questions']:>3} {s['ndcg@10']:>8.3f} "
            f"{s['recall@10']:>8.3f} {s['mrr']:>6.3f}"
        )
    for rid in missing:
        lines.append(f"  {rid}: source not found in the index (scored 0)")
    if per_case:
        for q in report["per_case"]:
            gains = "".join(str(g) if g else "." for g in q["gains"])
            lines.append(
                f"  {q['qid']:<6} {q['language']:<3} nDCG {q['ndcg@10']:.3f} "
                f"R {q['recall@10']:.2f} RR {q['rr']:.2f}  {gains}  {q['source']}"
            )
    click.echo("\n".join(lines))
