"""Background analysis: low-priority worker processes save exactly the counts the search cache
would compute, once per text."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

from indexer.store_schema import content_hash
from search_api.background_analysis import BackgroundAnalysis
from search_api.lexical import Analyzer, count_terms
from search_api.term_counts import TermCountStore


def test_workers_save_the_counts_of_new_texts_once(tmp_path: Path, corpus_dir: Path) -> None:
    path = corpus_dir / "kokkai" / "meetings" / "2022-04-15_diet-208_shugiin-keizaisangyo.json"
    speeches = [r["speech"][:400] for r in json.loads(path.read_text("utf-8"))["speechRecord"]]
    texts = {content_hash(text): text for text in speeches[:30]}
    analyzer = Analyzer()
    store_path = tmp_path / "index" / "search-cache" / "terms.sqlite"

    analysis = BackgroundAnalysis(store_path, analyzer, workers=2)
    analysis(dict(list(texts.items())[:20]))
    analysis(texts)  # the first 20 again: only the 10 new ones are sent
    assert analysis.finish() == 30

    store = TermCountStore.open(store_path, analyzer.version)
    assert store is not None
    assert store.known_hashes() == set(texts)
    assert all(store.get(h) == count_terms(analyzer.analyze(t)) for h, t in texts.items())
    store.close()

    later = BackgroundAnalysis(store_path, analyzer, workers=2)
    later(texts)  # a later update: all saved already, no worker is started
    assert later.finish() == 0


def test_a_cancelled_analysis_stops_its_workers(tmp_path: Path) -> None:
    analysis = BackgroundAnalysis(tmp_path / "terms.sqlite", Analyzer(), workers=1)
    analysis({content_hash(str(n)): f"第{n}回の会議" for n in range(600)})
    assert multiprocessing.active_children()
    analysis.cancel()
    assert not multiprocessing.active_children()
    assert analysis.finish() == 0


PARENT = """
import multiprocessing, sys, time
from pathlib import Path
from search_api.background_analysis import BackgroundAnalysis
from search_api.lexical import Analyzer
analysis = BackgroundAnalysis(Path(sys.argv[1]), Analyzer(), workers=2)
analysis({str(n): "第%d回の会議で審議した。" % n for n in range(20000)})
store = Path(sys.argv[1])
while len(multiprocessing.active_children()) < 2 or not store.exists():
    time.sleep(0.05)  # killed while the workers may still be starting: the harder case
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(600)
"""


def test_workers_exit_when_the_indexer_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "terms.sqlite")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) >= 2 and all(_alive(pid) for pid in workers)
    finally:
        parent.kill()  # as `kill -9` of an index run
        parent.wait()
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
