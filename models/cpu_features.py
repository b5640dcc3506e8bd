"""What the processor can do, read once from the operating system (for choosing a runtime).

torch 2.13 has no public check for bf16 matrix support, so the flags come from
``/proc/cpuinfo`` (Linux); elsewhere the set is empty and the portable choices are made.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


@dataclass(frozen=True, slots=True)
class CpuFeatures:
    """The processor's name and instruction-set flags."""

    model_name: str
    flags: frozenset[str]

    @property
    def has_bf16(self) -> bool:
        """bf16 matrix instructions (AVX512_BF16 or AMX), which make bf16 inference fast."""
        return bool(self.flags & BF16_FLAGS)

    @property
    def has_vnni(self) -> bool:
        """int8 dot-product instructions (VNNI or AMX)."""
        return bool(self.flags & VNNI_FLAGS)

    @property
    def has_avx512(self) -> bool:
        return "avx512f" in self.flags

    def summary(self) -> str:
        """One line for logs and benchmark reports: model and the flags that matter here."""
        shown = sorted(self.flags & (BF16_FLAGS | VNNI_FLAGS | {"avx2", "avx512f"}))
        return f"{self.model_name} ({' '.join(shown) or 'no AVX2/AVX-512 flags seen'})"


def parse_cpuinfo(text: str) -> CpuFeatures:
    """The first processor's model name and flags from the text of ``/proc/cpuinfo``."""
    model_name = ""
    flags: frozenset[str] = frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and not model_name:
            model_name = value.strip()
        elif key in {"flags", "Features"} and not flags:
            flags = frozenset(value.split())
        if model_name and flags:
            break
    return CpuFeatures(model_name or platform.processor() or "unknown CPU", flags)


def read_cpu_features(path: Path = CPUINFO) -> CpuFeatures:
    """This machine's processor (empty flags where ``/proc/cpuinfo`` cannot be read)."""
    try:
        return parse_cpuinfo(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return CpuFeatures(platform.processor() or "unknown CPU", frozenset())
