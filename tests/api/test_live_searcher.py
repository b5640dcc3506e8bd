"""LiveSearcher: a changed index is opened beside the old one and swapped in when complete."""

from __future__ import annotations

import threading

import pytest

from models.errors import IndexMismatchError, IndexNotFoundError
from search_api.live import LiveSearcher


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Disk:
    """A fake index on disk: a stamp and what opening it gives."""

    def __init__(self) -> None:
        self.stamp: object = None
        self.version = 0
        self.opened = 0
        self.gate: threading.Event | None = None
        self.fail_with: Exception | None = None

    def open(self) -> str:
        self.opened += 1
        if self.gate is not None:
            self.gate.wait(5)
        if self.fail_with is not None:
            raise self.fail_with
        if self.stamp is None:
            raise IndexNotFoundError("no index at /tmp/x")
        return f"searcher-v{self.version}"

    def publish(self, version: int) -> None:
        self.version = version
        self.stamp = ("manifest", version)


def make(disk: Disk, clock: Clock) -> LiveSearcher[str]:
    live: LiveSearcher[str] = LiveSearcher(disk.open, lambda: disk.stamp, 1.0, clock)
    live.start()
    return live


def test_serves_the_index_opened_at_start_without_reopening_it() -> None:
    disk, clock = Disk(), Clock()
    disk.publish(1)
    live = make(disk, clock)
    for _ in range(5):
        clock.now += 2
        assert live.current() == "searcher-v1"
    assert disk.opened == 1


def test_a_completed_update_is_swapped_in_after_the_check_interval() -> None:
    disk, clock = Disk(), Clock()
    disk.publish(1)
    live = make(disk, clock)
    disk.publish(2)
    clock.now += 0.5
    assert live.current() == "searcher-v1"  # checked less than a second ago: not looked at yet
    clock.now += 0.6
    live.current()
    live.wait_idle()
    assert live.current() == "searcher-v2"
    assert live.generation == 2


def test_the_old_searcher_answers_while_the_new_one_opens() -> None:
    disk, clock = Disk(), Clock()
    disk.publish(1)
    live = make(disk, clock)
    disk.gate = threading.Event()
    disk.publish(2)
    clock.now += 2
    assert live.current() == "searcher-v1"  # reload started in the background, not awaited
    clock.now += 2
    assert live.current() == "searcher-v1"
    disk.gate.set()
    live.wait_idle()
    assert live.current() == "searcher-v2"
    assert disk.opened == 2  # one reload, not one per request


def test_a_broken_update_keeps_the_old_searcher() -> None:
    disk, clock = Disk(), Clock()
    disk.publish(1)
    live = make(disk, clock)
    disk.fail_with = IndexMismatchError("built with another model")
    disk.publish(2)
    clock.now += 2
    live.current()
    live.wait_idle()
    assert live.current() == "searcher-v1"


def test_without_an_index_it_reports_why_until_one_appears() -> None:
    disk, clock = Disk(), Clock()
    live = make(disk, clock)
    with pytest.raises(IndexNotFoundError):
        live.current()
    disk.publish(1)
    clock.now += 2
    assert live.current() == "searcher-v1"
