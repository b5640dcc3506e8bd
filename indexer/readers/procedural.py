"""Is a remark procedural (a chair calling the next speaker, opening and closing formulas)?

Procedural remarks are left out of search by default, so this errs on the side of keeping
remarks: a chair's remark counts as procedural only when *every* sentence in it is a known
formula, and anyone else's only when it is a short thank-you or "that is all".  A chair who
asks a real question, or a minister who answers, is never procedural.
"""

from __future__ import annotations

import re

CHAIR_ROLES = frozenset(
    {
        "委員長",
        "委員長代理",
        "副委員長",
        "議長",
        "副議長",
        "議長代理",
        "会長",
        "会長代理",
        "主査",
        "主査代理",
        "座長",
        "分科会長",
    }
)

_SENTENCE_END = re.compile(r"(?<=[。！？])|\n")

# Formulas a chair uses to run a sitting (checked per sentence, with re.search).
_CHAIR_FORMULAS = re.compile(
    "|".join(
        [
            r"会議を開きます",
            r"開会いたします",
            r"開議",
            r"散会(いた)?します",
            r"休憩(いた)?します",
            r"再開(いた)?します",
            r"閉会",
            r"議題と(いた)?します",
            r"議事を進めます",
            r"調査を進めます",
            r"審査を進めます",
            r"質疑.{0,20}行います",
            r"質疑(は|を)終(了|局)",
            r"質疑の申出",
            r"順次これを許します",
            r"御意見をお伺い",
            r"御意見の陳述は終わりました",
            r"御挨拶を申し上げます",
            r"ごあいさつを申し上げます",
            r"御出席(を)?いただ",
            r"忌憚のない御意見",
            r"議事の進め方",
            r"御承知おき",
            r"着席のまま",
            r"御協力(方)?を?(よろしく)?お願い",
            r"挙手を?願います",
            r"指名",
            r"答弁者を明示",
            r"時間が(参って|来て|過ぎて|経過)",
            r"時間(となり|になり)ました",
            r"簡潔にお願い",
            r"御異議(あり|ござい)ませんか",
            r"御異議なしと認め",
            r"決しました",
            r"起立(を求め|多数|総員)",
            r"採決",
            r"可決すべきもの",
            r"速記を(止め|起こし)",
            r"参考人は、.*でございます",
            r"^(どうも)?ありがとうございま(す|した)",
            r"^以上(で|です)",
            r"お願い(を)?(いた)?します。?$",
            r"^(それでは、|では、)?(次に、)?(まず、?)?[^、。]{1,20}(君|参考人|さん|大臣)。$",
            r"^(それでは、|では、)?(次に、)?[^、。]{1,20}(君|参考人)、?お願いします",
        ]
    )
)

# Short remarks anyone makes that carry no content.
_COURTESY = re.compile(
    r"^(先生方?、|皆様、|じゃ、|では、|以上で、?)?"
    r"(.{0,8}ありがとうございま(す|した)|(以上で)?(質問|質疑)?を?終わります|以上(です|でございます)|"
    r"お時間(が)?来ましたので、?以上で終わります|質問は以上でございます)。?$"
)
_MAX_COURTESY_CHARS = 80


def split_sentences_ja(text: str) -> list[str]:
    """Split Japanese text into sentences at 。！？ and line breaks (empty pieces dropped)."""
    return [s.strip(" \u3000\r") for s in _SENTENCE_END.split(text) if s.strip(" \u3000\r\n")]


def is_procedural(text: str, role: str | None, position: int | None = None) -> bool:
    """Decide whether a remark is procedural.

    ``position`` 0 is the Diet record's header (attendance list): always procedural.
    """
    if position == 0:
        return True
    sentences = split_sentences_ja(text)
    if not sentences:
        return True
    if role in CHAIR_ROLES:
        return all(_CHAIR_FORMULAS.search(s) for s in sentences)
    if len(text) > _MAX_COURTESY_CHARS:
        return False
    return all(_COURTESY.search(s) for s in sentences)
