"""Independent search stages run at once, results in order, errors and deadlines preserved."""

from __future__ import annotations

import contextvars
import threading

import pytest

from search_api.overlap import StageOverlap


def test_results_come_back_in_the_calls_order() -> None:
    overlap = StageOverlap(helpers=1)
    try:
        assert overlap.run([lambda: "e5", lambda: "use", lambda: "bm25"]) == ["e5", "use", "bm25"]
    finally:
        overlap.close()


def test_the_calls_really_run_at_the_same_time() -> None:
    both_started = threading.Barrier(2, timeout=5)  # in turn, the first call would wait forever

    def meet() -> int:
        return both_started.wait()

    overlap = StageOverlap(helpers=1)
    try:
        assert sorted(overlap.run([meet, meet])) == [0, 1]
    finally:
        overlap.close()


def test_without_helpers_the_calls_run_in_turn_on_the_callers_thread() -> None:
    caller = threading.get_ident()
    assert StageOverlap(helpers=0).run([threading.get_ident, threading.get_ident]) == [
        caller,
        caller,
    ]


def test_a_failing_call_raises_after_the_others_have_finished() -> None:
    finished: list[str] = []

    def slow() -> str:
        threading.Event().wait(0.2)
        finished.append("slow")
        return "slow"

    def broken() -> str:
        raise ValueError("channel failed")

    overlap = StageOverlap(helpers=1)
    try:
        with pytest.raises(ValueError, match="channel failed"):
            overlap.run([broken, slow])
        assert finished == ["slow"]  # nothing left running behind the caller's back
    finally:
        overlap.close()


def test_helper_calls_see_the_callers_context() -> None:
    request_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
        "deadline", default=None
    )
    request_deadline.set(12.5)
    overlap = StageOverlap(helpers=1)
    try:
        assert overlap.run([request_deadline.get, request_deadline.get]) == [12.5, 12.5]
    finally:
        overlap.close()
