"""Which runtime embeds documents and which embeds questions, chosen from device and processor.

Pure logic: the measured reasons live in docs/benchmarks.md ("Encoder backends"). In short, on
this project's 2-core machines OpenVINO runs multilingual-e5-small's documents 2-4x faster than
fp32 torch (bf16 where the processor has bf16 matrix instructions, fp32 elsewhere) and a short
question about 2x faster, agreeing with the reference at cosine >= 0.9999. onnxruntime's dynamic
int8 model was faster still for questions but lost 0.017 dev-set nDCG@10, outside the project's
quality rule, so it is not offered. sentence-transformers (torch) stays the reference and the
path for every other model and for GPUs.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.cpu_features import CpuFeatures
from models.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda")
BACKENDS = ("auto", "torch", "openvino", "onnx")


@dataclass(frozen=True, slots=True)
class Runtime:
    """One way to run the encoder: the library and the numeric precision."""

    library: str  # "torch", "openvino" or "onnxruntime"
    precision: str  # "fp32", "bf16" or "int8"
    device: str = "cpu"

    @property
    def label(self) -> str:
        suffix = "" if self.device == "cpu" else f"@{self.device}"
        return f"{self.library}-{self.precision}{suffix}"


@dataclass(frozen=True, slots=True)
class EncoderPlan:
    """The runtime for batches of documents and the runtime for single questions."""

    documents: Runtime
    queries: Runtime

    @property
    def label(self) -> str:
        return f"documents {self.documents.label}, questions {self.queries.label}"


REFERENCE_CPU = Runtime("torch", "fp32")


def validate_choice(device: str, backend: str) -> None:
    """Raise ``ConfigError`` listing the valid values when either setting is unknown."""
    if device not in DEVICES:
        raise ConfigError(f"unknown device {device!r}; choose from {', '.join(DEVICES)}")
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")


def choose_plan(device: str, backend: str, cpu: CpuFeatures, cuda_available: bool) -> EncoderPlan:
    """The encoder plan for the default model on this machine.

    ``device="auto"`` is ``cuda`` when torch sees a GPU, else ``cpu``; ``cuda`` without a GPU is
    a ``ConfigError``. On a GPU torch runs both sides. On the CPU ``backend="auto"`` and
    ``openvino`` are OpenVINO (bf16 when the processor has bf16 instructions, else fp32);
    ``torch`` is the sentence-transformers reference and ``onnx`` onnxruntime, both fp32.
    """
    validate_choice(device, backend)
    if device == "cuda" and not cuda_available:
        raise ConfigError(
            "device 'cuda' was asked for, but torch sees no CUDA GPU; use --device cpu"
        )
    if device == "cuda" or (device == "auto" and cuda_available):
        if backend not in {"auto", "torch"}:
            raise ConfigError(f"backend {backend!r} runs on the CPU only; on a GPU use 'torch'")
        gpu = Runtime("torch", "fp32", "cuda")
        return EncoderPlan(gpu, gpu)
    openvino = Runtime("openvino", "bf16" if cpu.has_bf16 else "fp32")
    if backend == "torch":
        return EncoderPlan(REFERENCE_CPU, REFERENCE_CPU)
    if backend == "onnx":
        onnx = Runtime("onnxruntime", "fp32")
        return EncoderPlan(onnx, onnx)
    return EncoderPlan(openvino, openvino)
