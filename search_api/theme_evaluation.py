"""Evaluate theme tags against labelled statements (the format of ``themes-dev.jsonl``).

Each label line names a statement by ``speechID`` (or, when ids differ, by a ``marker``: a
phrase of its text) and gives its primary ``topic`` and optional ``secondary`` topics.  The
prediction is the statement's best stored candidate in the theme set; it is "none/mixed" when
that candidate was not confident enough to be assigned.  Metrics are plain functions.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.store import StatementStore
from models.errors import ConfigError, IndexCorruptError, ParseError


@dataclass(frozen=True, slots=True)
class Label:
    """One labelled statement."""

    line: int
    topic: str
    secondary: tuple[str, ...] = ()
    speech_id: str | None = None
    marker: str | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    """The stored best candidate of one labelled statement (None: statement not found)."""

    label: Label
    statement_id: str | None
    theme_id: str | None
    score: float
    assigned: bool


@dataclass(slots=True)
class ThemeEvaluation:
    """Figures over the labelled statements that were found in the index."""

    labelled: int = 0
    found: int = 0
    accuracy: float = 0.0
    """Best candidate equals the primary topic (none/mixed counted by its best candidate)."""
    primary_or_secondary: float = 0.0
    macro_f1: float = 0.0
    none_mixed_share: float = 0.0
    accuracy_assigned: float = 0.0
    """Accuracy on the statements that were not none/mixed."""
    per_topic: dict[str, dict[str, float]] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    """Label lines whose statement is not in the index."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready figures."""
        return {
            "labelled": self.labelled,
            "found": self.found,
            "accuracy": round(self.accuracy, 4),
            "primary_or_secondary": round(self.primary_or_secondary, 4),
            "macro_f1": round(self.macro_f1, 4),
            "none_mixed_share": round(self.none_mixed_share, 4),
            "accuracy_assigned": round(self.accuracy_assigned, 4),
            "per_topic": self.per_topic,
            "confusions": [{"label": a, "predicted": b, "count": n} for a, b, n in self.confusions],
            "missing_lines": self.missing,
        }


def read_labels(path: Path) -> list[Label]:
    """Parse a labels file (JSON Lines); raises ParseError naming the file and line."""
    labels = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ParseError(str(path), f"cannot read the labels: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            topic = record["topic"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ParseError(str(path), f"not a label record ({exc})", number) from exc
        speech_id, marker = record.get("speechID"), record.get("marker")
        if not speech_id and not marker:
            raise ParseError(str(path), "a label needs a speechID or a marker", number)
        secondary = tuple(str(s) for s in record.get("secondary") or ())
        labels.append(Label(number, str(topic), secondary, speech_id, marker))
    if not labels:
        raise ParseError(str(path), "no labels in the file")
    return labels


def predict(store: StatementStore, set_id: str, labels: Sequence[Label]) -> list[Prediction]:
    """Each label's statement (by id, else by marker) and its best stored candidate."""
    out = []
    for label in labels:
        statement_id = _find_statement(store, label)
        row = None
        if statement_id is not None:
            row = _one(
                store,
                "SELECT theme_id, score, assigned FROM statement_themes WHERE statement_id = ? "
                "AND set_id = ? AND rank = 1",
                (statement_id, set_id),
            )
        if row is None:
            out.append(Prediction(label, statement_id, None, 0.0, False))
        else:
            out.append(Prediction(label, statement_id, row[0], float(row[1]), bool(row[2])))
    return out


def _find_statement(store: StatementStore, label: Label) -> str | None:
    if label.speech_id:
        row = _one(
            store, "SELECT statement_id FROM statements WHERE statement_id = ?", (label.speech_id,)
        )
        if row is not None:
            return str(row[0])
    if label.marker:
        row = _one(
            store,
            "SELECT statement_id FROM statements WHERE instr(text, ?) > 0 ORDER BY statement_id "
            "LIMIT 1",
            (label.marker,),
        )
        if row is not None:
            return str(row[0])
    return None


def _one(store: StatementStore, sql: str, params: tuple[Any, ...]) -> Any:
    with store.lock:
        try:
            return store.connection.execute(sql, params).fetchone()
        except sqlite3.OperationalError as exc:
            raise ConfigError(
                f"the index has no theme tags ({exc}); run `policy-search themes reload`"
            ) from exc
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"index database query failed: {exc}") from exc


def evaluate(predictions: Sequence[Prediction]) -> ThemeEvaluation:
    """Accuracy, macro-F1 over the labelled topics, per-topic P/R, confusions, none/mixed."""
    result = ThemeEvaluation(labelled=len(predictions))
    found = [p for p in predictions if p.theme_id is not None]
    result.missing = [p.label.line for p in predictions if p.theme_id is None]
    result.found = len(found)
    if not found:
        return result
    right = [p.theme_id == p.label.topic for p in found]
    result.accuracy = sum(right) / len(found)
    result.primary_or_secondary = sum(
        p.theme_id == p.label.topic or p.theme_id in p.label.secondary for p in found
    ) / len(found)
    assigned = [p for p in found if p.assigned]
    result.none_mixed_share = 1 - len(assigned) / len(found)
    if assigned:
        result.accuracy_assigned = sum(p.theme_id == p.label.topic for p in assigned) / len(
            assigned
        )
    topics = sorted({p.label.topic for p in found}, key=_topic_order)
    f1s = []
    for topic in topics:
        tp = sum(p.theme_id == topic and p.label.topic == topic for p in found)
        predicted = sum(p.theme_id == topic for p in found)
        actual = sum(p.label.topic == topic for p in found)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        result.per_topic[topic] = {
            "support": actual,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    result.macro_f1 = sum(f1s) / len(f1s)
    pairs = Counter((p.label.topic, str(p.theme_id)) for p in found if p.theme_id != p.label.topic)
    result.confusions = [(a, b, n) for (a, b), n in pairs.most_common(10)]
    return result


def _topic_order(topic: str) -> tuple[int, str]:
    return (int(topic), "") if topic.isdigit() else (10**6, topic)
