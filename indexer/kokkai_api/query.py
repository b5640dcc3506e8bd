"""Search conditions of the Kokkai API's speech endpoint (``/api/speech``), as query parameters.

The names follow the API (国会会議録検索システム 検索用API): ``any`` (words anywhere in the
speech), ``speaker``, ``nameOfHouse``, ``nameOfMeeting``, ``from``/``until`` (dates,
YYYY-MM-DD), ``sessionFrom``/``sessionTo`` (Diet session numbers), and the paging parameters
``startRecord`` and ``maximumRecords`` (1-100 for speech records).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.errors import ConfigError

MAX_RECORDS_PER_REQUEST = 100
"""The API's limit on ``maximumRecords`` for the speech endpoint."""
HOUSES = ("衆議院", "参議院", "両院", "両院協議会")


@dataclass(frozen=True, slots=True)
class KokkaiQuery:
    """What to search for; ``None`` leaves a condition out."""

    any: str | None = None
    speaker: str | None = None
    house: str | None = None
    meeting: str | None = None
    date_from: dt.date | None = None
    date_until: dt.date | None = None
    session_from: int | None = None
    session_to: int | None = None

    def conditions(self) -> dict[str, str]:
        """The search conditions as the API's parameters (paging excluded)."""
        values: dict[str, object] = {
            "any": self.any,
            "speaker": self.speaker,
            "nameOfHouse": self.house,
            "nameOfMeeting": self.meeting,
            "from": self.date_from.isoformat() if self.date_from else None,
            "until": self.date_until.isoformat() if self.date_until else None,
            "sessionFrom": self.session_from,
            "sessionTo": self.session_to,
        }
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def validate(self) -> None:
        """Refuse a query the API would refuse, before any request is made."""
        if not self.conditions():
            raise ConfigError(
                "give at least one search condition (--any, --speaker, --house, --meeting, "
                "--from, --until, --session-from, --session-to)"
            )
        if self.house is not None and self.house not in HOUSES:
            raise ConfigError(f"--house must be one of {', '.join(HOUSES)}, not {self.house!r}")
        if self.date_from and self.date_until and self.date_from > self.date_until:
            raise ConfigError("--from is after --until")
        sessions = (self.session_from, self.session_to)
        if any(s is not None and s < 1 for s in sessions):
            raise ConfigError("Diet session numbers start at 1")
        if None not in sessions and sessions[0] > sessions[1]:  # type: ignore[operator]
            raise ConfigError("--session-from is after --session-to")

    def parameters(self, start: int, maximum: int) -> dict[str, str]:
        """Every parameter of one request for records ``start`` .. ``start + maximum - 1``."""
        if not 1 <= maximum <= MAX_RECORDS_PER_REQUEST:
            raise ConfigError(f"maximumRecords must be 1-{MAX_RECORDS_PER_REQUEST}, not {maximum}")
        return {
            **self.conditions(),
            "startRecord": str(start),
            "maximumRecords": str(maximum),
            "recordPacking": "json",
        }
