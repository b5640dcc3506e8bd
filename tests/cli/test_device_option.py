"""The --device and --backend settings of the commands that run the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import run


def test_cuda_on_a_machine_without_a_gpu_is_a_clear_error_and_writes_nothing(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "index"
    code, _, err = run(
        ["index", str(corpus_dir / "seed"), "--index", str(target), "--device", "cuda"], capsys
    )
    assert code == 1
    assert "no CUDA GPU" in err and "--device cpu" in err
    assert not target.exists()


def test_an_unknown_device_lists_the_choices(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["search", "半導体", "--index", str(tmp_path), "--device", "tpu"], capsys)
    assert code == 2
    assert "auto" in err and "cuda" in err


def test_the_device_comes_from_the_environment(
    corpus_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POLICY_SEARCH_DEVICE", "cuda")
    seed = str(corpus_dir / "seed")
    code, _, err = run(["index", seed, "--index", str(tmp_path / "i")], capsys)
    assert code == 1 and "no CUDA GPU" in err
    code, out, _ = run(["index", "--help"], capsys)
    assert code == 0 and "--device [auto|cpu|cuda]" in out and "--backend" in out
