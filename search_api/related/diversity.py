"""Diversity of related results: many meetings, not ten passages of one long debate.

``cap_per_meeting`` is a greedy re-ranking: results keep their order, except that once a
meeting has ``cap`` results, its further results move behind every result of other meetings
(in their own order).  The output is a permutation of the input, so paging stays stable and
``total`` is unchanged.  No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def cap_per_meeting(
    ranked: Sequence[tuple[int, float]],
    meeting_of: npt.NDArray[np.int64] | Sequence[int],
    cap: int | None,
) -> list[tuple[int, float]]:
    """``ranked`` (statement, score) with at most ``cap`` per meeting before the overflow.

    ``meeting_of[statement]`` is the meeting of a statement; ``None`` or 0 disables the cap.
    Scores are kept as they were, so a moved result may score above the one before it.
    """
    if not cap:
        return list(ranked)
    kept: list[tuple[int, float]] = []
    overflow: list[tuple[int, float]] = []
    seen: dict[int, int] = {}
    for item in ranked:
        meeting = int(meeting_of[item[0]])
        count = seen.get(meeting, 0)
        (kept if count < cap else overflow).append(item)
        seen[meeting] = count + 1
    return kept + overflow
