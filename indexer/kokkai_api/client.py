"""A polite, robust HTTP client for the Kokkai API's speech search (standard library only).

Polite: one request at a time, at least ``delay`` seconds between the starts of two requests,
a User-Agent naming the tool.  Robust: time-outs, dropped connections, HTTP 429/5xx and
answers that are not JSON are retried with exponential backoff (``backoff * 2**attempt``
seconds) up to ``retries`` times; the API's own error answers (``{"message": ...,
"details": [...]}``, e.g. a bad parameter) are not retried but raised at once, with the
request URL.  Every failure is a RemoteApiError.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from indexer.kokkai_api.query import MAX_RECORDS_PER_REQUEST, KokkaiQuery
from models.errors import RemoteApiError

DEFAULT_BASE_URL = "https://kokkai.ndl.go.jp/api"
"""Override with ``--base-url`` or ``POLICY_SEARCH_KOKKAI_URL`` (tests use a local server)."""
USER_AGENT = "policy-search (Kokkai API client; one request at a time)"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """How the client talks to the API."""

    base_url: str = DEFAULT_BASE_URL
    delay: float = 3.0
    """Seconds between the starts of two requests."""
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 5.0
    """First wait before a retry, doubled on each further retry."""


@dataclass(frozen=True, slots=True)
class SpeechPage:
    """One answer of the speech endpoint."""

    total: int
    """``numberOfRecords``: how many records match the query in all."""
    start: int
    next_position: int | None
    """``nextRecordPosition``: where the next page starts; None after the last page."""
    records: list[dict[str, Any]]
    url: str


@dataclass
class KokkaiClient:
    """Requests pages of speech records; see the module docstring for the rules it keeps."""

    settings: ClientSettings = field(default_factory=ClientSettings)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    on_retry: Callable[[str, int, float], None] | None = None
    """Called as (reason, attempt, wait seconds) before each retry (for the progress line)."""
    _last_request: float | None = None

    def url(self, query: KokkaiQuery, start: int, maximum: int) -> str:
        """The URL of one request."""
        params = urllib.parse.urlencode(query.parameters(start, maximum))
        return f"{self.settings.base_url.rstrip('/')}/speech?{params}"

    def fetch_page(self, query: KokkaiQuery, start: int, maximum: int) -> SpeechPage:
        """One page of records from ``start`` (1-based), retried as the module describes."""
        url = self.url(query, start, maximum)
        attempt = 0
        while True:
            try:
                return _speech_page(self._get(url), url)
            except _Transient as exc:
                if attempt >= self.settings.retries:
                    raise RemoteApiError(
                        f"GET {_readable(url)}: {exc} (gave up after {attempt + 1} attempts)"
                    ) from exc
                wait = self.settings.backoff * 2**attempt
                attempt += 1
                if self.on_retry is not None:
                    self.on_retry(str(exc), attempt, wait)
                self.sleep(wait)

    def iter_pages(
        self, query: KokkaiQuery, start: int = 1, limit: int | None = None
    ) -> Iterator[SpeechPage]:
        """Pages from ``start`` following ``nextRecordPosition``, at most ``limit`` records."""
        query.validate()
        position: int | None = start
        fetched = 0
        while position is not None and (limit is None or fetched < limit):
            want = MAX_RECORDS_PER_REQUEST if limit is None else min(100, limit - fetched)
            page = self.fetch_page(query, position, want)
            yield page
            fetched += len(page.records)
            if not page.records:
                break
            position = page.next_position

    def _get(self, url: str) -> bytes:
        self._wait_politely()
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            message = _api_message(body)
            if message is not None and exc.code not in _RETRY_STATUS:
                raise RemoteApiError(
                    f"GET {_readable(url)}: the API refused it: {message}"
                ) from exc
            if exc.code in _RETRY_STATUS:
                raise _Transient(f"HTTP {exc.code} {exc.reason}") from exc
            raise RemoteApiError(f"GET {_readable(url)}: HTTP {exc.code} {exc.reason}") from exc
        except TimeoutError as exc:
            raise _Transient(f"no answer within {self.settings.timeout:g} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Transient(f"no answer within {self.settings.timeout:g} s") from exc
            raise _Transient(f"connection failed: {exc.reason}") from exc
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise _Transient(f"connection dropped: {exc!r}") from exc

    def _wait_politely(self) -> None:
        now = self.clock()
        if self._last_request is not None:
            remaining = self.settings.delay - (now - self._last_request)
            if remaining > 0:
                self.sleep(remaining)
        self._last_request = self.clock()


def _readable(url: str) -> str:
    """The URL with its query decoded, for messages (Japanese conditions stay legible)."""
    return urllib.parse.unquote(url)


class _Transient(Exception):
    """A failure worth retrying (time-out, dropped connection, 5xx, a page that is not JSON)."""


def _api_message(body: bytes) -> str | None:
    """The API's error text from ``{"message": ..., "details": [...]}``, or None."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or "message" not in data:
        return None
    details = data.get("details") or []
    extra = "; ".join(str(d) for d in details) if isinstance(details, list) else str(details)
    return f"{data['message']}" + (f" ({extra})" if extra else "")


def _speech_page(body: bytes, url: str) -> SpeechPage:
    message = _api_message(body)
    if message is not None:
        raise RemoteApiError(f"GET {_readable(url)}: the API refused it: {message}")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        start = body[:40].decode("utf-8", "replace")
        raise _Transient(f"the answer is not JSON (it starts {start!r})") from exc
    if not isinstance(data, dict) or "numberOfRecords" not in data:
        raise RemoteApiError(f"GET {_readable(url)}: not a speech answer (no numberOfRecords)")
    records = data.get("speechRecord") or []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise RemoteApiError(f"GET {_readable(url)}: 'speechRecord' is not a list of records")
    next_position = data.get("nextRecordPosition")
    return SpeechPage(
        total=int(data["numberOfRecords"]),
        start=int(data.get("startRecord") or 1),
        next_position=int(next_position) if next_position else None,
        records=records,
        url=url,
    )
