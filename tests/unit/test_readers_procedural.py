"""Procedural remarks: chair formulas are flagged, substantive remarks never are."""

from __future__ import annotations

import pytest

from indexer.readers.procedural import is_procedural, split_sentences_ja


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("次に、山田賢司君。", "委員長"),
        ("それでは、川村雄大君。", "会長"),
        ("白川容子君。", "会長"),
        ("これにて散会いたします。", "委員長"),
        ("山田君の質疑は終了いたしました。\n次に、青柳仁士君。", "委員長"),
        ("この際、暫時休憩いたします。", "委員長"),
        ("ありがとうございました。\n次に、岩間参考人にお願いします。岩間参考人。", "会長"),
        ("時間が参っておりますので、簡潔にお願いいたします。", "会長"),
        ("もう、ちょっと時間が過ぎております。", "会長"),
        ("御異議なしと認めます。よって、そのように決しました。", "委員長"),
        (
            "それでは、以上で各会派の一巡目の質疑は終了いたしました。\n"
            "二巡目は、答弁を含めた時間がお一人十分以内となるように御協力をお願いいたします。\n"
            "これより二巡目の質疑を行います。\n質疑のある方は挙手を願います。\n山本佐知子君。",
            "会長",
        ),
        (
            "先生方、ありがとうございました。\n以上で質問を終わります。ありがとうございました。",
            None,
        ),
        ("質問を終わります。", "委員"),
    ],
)
def test_formulas_are_procedural(text: str, role: str | None) -> None:
    assert is_procedural(text, role)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        # The chair asks a real question after the formulas (2026-03-04 国際問題調査会).
        (
            "ありがとうございました。\n以上で参考人の御意見の陳述は終わりました。\n"
            "最初に、私から三人の参考人に質問させていただきます。\n"
            "神保参考人、岩間参考人に御見解をお尋ねしますけれども、アメリカがイランに対し武力行使を"
            "いたしました。これは国際法に違反しているのか、いないか、両参考人の御見解をお尋ねいたします。",
            "会長",
        ),
        (
            "先ほども申し上げたように、防衛装備品そのものの研究開発を推進する意図は全くございません。",
            "国務大臣",
        ),
        ("ありがとうございます。\nもう一点だけ……", None),
        ("次に、山田賢司君。", "委員"),
        (
            "本日は、興味深いお話をありがとうございました。社会の在り方が大分変わっていくと思います。",
            None,
        ),
    ],
)
def test_substantive_remarks_are_not_procedural(text: str, role: str | None) -> None:
    assert not is_procedural(text, role)


def test_speech_zero_is_the_header_and_procedural() -> None:
    assert is_procedural("令和四年三月二十三日（水曜日）\n午前九時開議\n出席委員", None, position=0)


def test_split_sentences_ja() -> None:
    assert split_sentences_ja("一つ。二つ！\n\u3000三つ") == ["一つ。", "二つ！", "三つ"]
