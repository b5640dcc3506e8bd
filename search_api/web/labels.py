"""Interface words in Japanese and English, and which language a reader gets.

The reader's language comes from ``?lang=ja|en`` when given (the switch on every page sets it),
otherwise from the browser's ``Accept-Language`` header, otherwise Japanese (most sources are
Japanese).  Every key exists in both languages (a test checks it).
"""

from __future__ import annotations

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"

LABELS: dict[str, dict[str, str]] = {
    "ja": {
        "site": "政策会議録検索",
        "skip": "結果へ移動",
        "question": "質問",
        "question_hint": "日本語または英語で（例: 特定国への依存を減らすには）",
        "search": "検索",
        "mode": "検索方式",
        "mode_hybrid": "ハイブリッド（推奨）",
        "mode_semantic": "意味検索",
        "mode_lexical": "語句検索",
        "filters": "絞り込み",
        "body": "会議体",
        "body_hint": "会議体名の一部（例: 内閣委員会）",
        "date_from": "開始日",
        "date_to": "終了日",
        "speaker": "発言者",
        "topic": "論点",
        "language": "言語",
        "any": "すべて",
        "lang_ja": "日本語",
        "lang_en": "英語",
        "procedural": "議事進行の発言も含める",
        "per_page": "表示件数",
        "results": "検索結果",
        "results_count": "{total} 件中 {first}–{last} 件",
        "no_results": "該当する発言はありません。絞り込みを外すか、別の言い方でお試しください。",
        "start": "質問を入力して検索してください。",
        "index_size": "{meetings} 会議・{statements} 発言を収録",
        "relevance": "関連度",
        "meeting": "会議",
        "date": "日付",
        "speaker_role": "役職",
        "original": "原文",
        "open_statement": "発言を開く",
        "previous": "前へ",
        "next": "次へ",
        "paging": "ページ",
        "page_n": "{n} ページ",
        "export": "書き出し",
        "export_csv": "CSV",
        "export_json": "JSON",
        "loading": "検索中…",
        "error": "エラー",
        "error_network": "サーバーに接続できませんでした。",
        "statement": "発言",
        "matched": "一致した箇所",
        "before": "直前の発言",
        "after": "直後の発言",
        "none_before": "この前の発言はありません。",
        "none_after": "この後の発言はありません。",
        "related": "関連する発言（他の会議）",
        "no_related": "関連する発言は見つかりませんでした。",
        "whole_meeting": "会議の全発言",
        "statements": "発言一覧",
        "statement_count": "{n} 発言",
        "procedural_remark": "議事進行",
        "back_to_search": "検索に戻る",
        "interface_language": "表示言語",
        "api_docs": "API",
        "nav": "サイト内",
        "nav_search": "検索",
        "nav_meetings": "会議一覧",
        "meetings_heading": "収録している会議",
        "title": "会議名",
    },
    "en": {
        "site": "Policy minutes search",
        "skip": "Skip to results",
        "question": "Question",
        "question_hint": "In Japanese or English (e.g. How can Japan keep skilled researchers?)",
        "search": "Search",
        "mode": "Ranking",
        "mode_hybrid": "Hybrid (recommended)",
        "mode_semantic": "Meaning only",
        "mode_lexical": "Words only",
        "filters": "Filters",
        "body": "Body",
        "body_hint": "Part of the body's name (e.g. 内閣委員会)",
        "date_from": "From",
        "date_to": "To",
        "speaker": "Speaker",
        "topic": "Discussion point",
        "language": "Language",
        "any": "Any",
        "lang_ja": "Japanese",
        "lang_en": "English",
        "procedural": "Include procedural remarks",
        "per_page": "Per page",
        "results": "Results",
        "results_count": "{first}–{last} of {total}",
        "no_results": "No remarks match. Remove a filter or ask in other words.",
        "start": "Type a question and press Search.",
        "index_size": "{statements} remarks from {meetings} meetings",
        "relevance": "Relevance",
        "meeting": "Meeting",
        "date": "Date",
        "speaker_role": "Role",
        "original": "Original record",
        "open_statement": "Open remark",
        "previous": "Previous",
        "next": "Next",
        "paging": "Pages",
        "page_n": "Page {n}",
        "export": "Export",
        "export_csv": "CSV",
        "export_json": "JSON",
        "loading": "Searching…",
        "error": "Error",
        "error_network": "The server could not be reached.",
        "statement": "Remark",
        "matched": "Matched passage",
        "before": "Just before",
        "after": "Just after",
        "none_before": "Nothing was said before this.",
        "none_after": "Nothing was said after this.",
        "related": "Related remarks (other meetings)",
        "no_related": "No related remarks found.",
        "whole_meeting": "Whole meeting",
        "statements": "Remarks",
        "statement_count": "{n} remarks",
        "procedural_remark": "procedural",
        "back_to_search": "Back to search",
        "interface_language": "Interface language",
        "api_docs": "API",
        "nav": "Site",
        "nav_search": "Search",
        "nav_meetings": "Meetings",
        "meetings_heading": "Meetings in the index",
        "title": "Title",
    },
}


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """``ja`` or ``en``: the ``lang`` parameter, else the browser's preference, else Japanese.

    ``Accept-Language`` is read with its q-values (``en-GB,en;q=0.9,ja;q=0.8`` -> ``en``); a
    language we have no labels for is skipped.
    """
    if requested in LANGUAGES:
        return requested
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        if code not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= position * 1e-6  # equal q-values: the first listed wins
        if q > best_q:
            best, best_q = code, q
    return best if best_q > 0 else DEFAULT_LANGUAGE
