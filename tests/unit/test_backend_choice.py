"""Choosing the encoder's runtime: from the device asked for, the GPU seen and the CPU's flags."""

from __future__ import annotations

import pytest

from models.backend_choice import EncoderPlan, Runtime, choose_plan
from models.cpu_features import CpuFeatures, parse_cpuinfo
from models.errors import ConfigError

AVX2_ONLY = CpuFeatures("AMD EPYC 7B13", frozenset({"avx2", "fma"}))
WITH_BF16 = CpuFeatures("Intel Xeon", frozenset({"avx2", "avx512f", "avx512_bf16", "amx_bf16"}))

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9B45
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16
processor\t: 1
model name\t: AMD EPYC 9B45
flags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16
"""


def test_cpuinfo_gives_the_model_name_and_flags_of_the_first_processor() -> None:
    features = parse_cpuinfo(CPUINFO)
    assert features.model_name == "AMD EPYC 9B45"
    assert features.has_bf16 and features.has_vnni and features.has_avx512
    assert "avx512_bf16" in features.summary()


def test_a_cpu_without_bf16_instructions_says_so() -> None:
    assert not AVX2_ONLY.has_bf16
    assert not AVX2_ONLY.has_vnni
    assert not parse_cpuinfo("").has_bf16


def test_auto_on_a_bf16_cpu_runs_openvino_in_bf16_for_both_sides() -> None:
    plan = choose_plan("auto", "auto", WITH_BF16, cuda_available=False)
    assert plan == EncoderPlan(Runtime("openvino", "bf16"), Runtime("openvino", "bf16"))


def test_auto_on_an_avx2_only_cpu_runs_openvino_in_fp32() -> None:
    plan = choose_plan("cpu", "auto", AVX2_ONLY, cuda_available=False)
    assert plan.documents == Runtime("openvino", "fp32")
    assert plan.queries == Runtime("openvino", "fp32")


def test_torch_backend_is_the_fp32_reference() -> None:
    plan = choose_plan("cpu", "torch", WITH_BF16, cuda_available=False)
    assert plan.documents == plan.queries == Runtime("torch", "fp32")


def test_onnx_backend_is_onnxruntime_fp32() -> None:
    plan = choose_plan("auto", "onnx", WITH_BF16, cuda_available=False)
    assert plan.documents.label == "onnxruntime-fp32"


def test_auto_device_takes_the_gpu_when_torch_sees_one() -> None:
    plan = choose_plan("auto", "auto", AVX2_ONLY, cuda_available=True)
    assert plan.documents == Runtime("torch", "fp32", "cuda")
    assert plan.label == "documents torch-fp32@cuda, questions torch-fp32@cuda"


def test_cpu_device_ignores_a_gpu() -> None:
    plan = choose_plan("cpu", "auto", WITH_BF16, cuda_available=True)
    assert plan.documents.device == "cpu"


def test_cuda_without_a_gpu_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        choose_plan("cuda", "auto", WITH_BF16, cuda_available=False)


def test_a_cpu_only_backend_on_a_gpu_is_refused() -> None:
    with pytest.raises(ConfigError, match="CPU only"):
        choose_plan("cuda", "openvino", WITH_BF16, cuda_available=True)


@pytest.mark.parametrize(("device", "backend"), [("tpu", "auto"), ("cpu", "tensorrt")])
def test_unknown_settings_list_the_valid_choices(device: str, backend: str) -> None:
    with pytest.raises(ConfigError, match="choose from"):
        choose_plan(device, backend, WITH_BF16, cuda_available=False)
