"""Bytes to text: the encodings minutes come in, and what is refused."""

from __future__ import annotations

import codecs

import pytest

from indexer.decoding import decode_bytes
from models.errors import ParseError

SAMPLE = "○芦澤 美智子（委員）\n規制・制度改革について申し上げます。\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
        (SAMPLE.encode("shift_jis"), "cp932"),
        (SAMPLE.encode("cp932"), "cp932"),
        (SAMPLE.encode("euc_jp"), "euc_jp"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16-le-bom",
        "utf16-be-bom",
        "shift_jis",
        "cp932",
        "euc-jp",
        "utf16-le-no-bom",
        "utf16-be-no-bom",
    ],
)
def test_decodes_each_supported_encoding_to_the_same_text(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data, "m.txt")
    assert decoded.text == SAMPLE
    assert decoded.encoding == encoding


def test_cp932_only_characters_decode() -> None:
    text = "①～③の論点について ㈱ 髙橋"
    assert decode_bytes(text.encode("cp932"), "m.txt").text == text


def test_keeps_crlf_and_full_width_characters_as_published() -> None:
    text = "○小林国務大臣\u3000お答えします。\r\n\u3000ＡＩ"
    assert decode_bytes(text.encode("utf-8"), "m.txt").text == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\t ", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x81\x00\xff\xfe\xfa\xfb" * 50, "binary"),
        (b"\xff\xfd\xfc\x80\x80\xa0" * 50, "cannot decode"),
    ],
    ids=["empty", "whitespace", "bom-only", "png", "all-bytes", "nul-garbage", "undecodable"],
)
def test_refuses_empty_binary_and_undecodable_input(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as info:
        decode_bytes(data, "dir/bad.txt")
    assert info.value.path == "dir/bad.txt"
    assert str(info.value).startswith("dir/bad.txt")


def test_refuses_text_full_of_control_characters() -> None:
    with pytest.raises(ParseError, match="binary"):
        decode_bytes(("abc\x01\x02\x03\x04" * 100).encode("utf-8"), "x.txt")


def test_real_council_minutes_survive_every_encoding(corpus_dir) -> None:
    path = corpus_dir / "minutes" / "2025-10-03_kisei-kaikaku-suishin-kaigi.txt"
    text = path.read_text(encoding="utf-8")
    for encoding in ("cp932", "euc_jp", "utf-16-le", "utf-16-be"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue  # a character the legacy encoding cannot hold
        assert decode_bytes(data, "m.txt").text == text, encoding
