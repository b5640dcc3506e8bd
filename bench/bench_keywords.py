"""Theme keyword matching on pool speeches: the former regular expression against Aho-Corasick.

Usage: ``.venv/bin/python bench/bench_keywords.py [--speeches 5000]``

Normalises the first N speeches of ``../shared/corpus/kokkai/speeches.jsonl.gz``, finds the
CAP theme keywords in them with one alternation regex (longest first, Latin keywords as whole
words: what ``indexer.themes.tagging`` did before) and with ``KeywordFinder``, and prints both
times and whether every match list is equal. Not a test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from pathlib import Path

POOL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "kokkai" / "speeches.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, default=5000)
    args = parser.parse_args()
    from indexer.themes.keyword_matching import KeywordFinder
    from indexer.themes.tagging import normalise_text
    from indexer.themes.taxonomy import builtin_cap

    keywords = sorted(
        {normalise_text(k) for t in builtin_cap().themes for k in t.keywords if k.strip()},
        key=len,
        reverse=True,
    )
    texts: list[str] = []
    with gzip.open(POOL, "rt", encoding="utf-8") as lines:
        for line in lines:
            texts.append(normalise_text(json.loads(line)["speech"]))
            if len(texts) >= args.speeches:
                break
    pattern = re.compile(
        "|".join(
            rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])" if k.isascii() else re.escape(k)
            for k in keywords
        )
    )
    started = time.perf_counter()
    expected = [pattern.findall(text) for text in texts]
    regex_seconds = time.perf_counter() - started
    started = time.perf_counter()
    finder = KeywordFinder(keywords)
    found = [finder.matches(text) for text in texts]
    automaton_seconds = time.perf_counter() - started
    characters = sum(map(len, texts)) / 1e6
    print(
        f"{len(texts)} speeches, {characters:.1f} M characters, {len(keywords)} keywords: "
        f"regex {regex_seconds:.2f} s, Aho-Corasick {automaton_seconds:.2f} s "
        f"({regex_seconds / automaton_seconds:.1f}x), equal: {found == expected}"
    )


if __name__ == "__main__":
    main()
