"""A local HTTP server (loopback) that answers like the Kokkai API's speech search.

Its records are the real API responses in ../shared/corpus/kokkai/meetings/ (372 speeches),
filtered by the API's own parameters and paged with ``startRecord`` / ``maximumRecords`` /
``nextRecordPosition``.  ``maximumRecords`` outside 1-100 gets the API's error answer (HTTP
400, ``{"message": ..., "details": [...]}``).  Faults can be scheduled per request number:
``slow`` (answers after ``slow_seconds``), ``drop`` (closes the connection without an
answer), ``500`` (an HTML error page), ``html`` (an HTML page with status 200), ``error`` (the API's
error answer).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def load_records(meetings_dir: Path) -> list[dict[str, Any]]:
    """Every speech record of the real responses, in the API's order (date, then order)."""
    records = []
    for path in sorted(meetings_dir.glob("*.json")):
        records.extend(json.loads(path.read_text(encoding="utf-8"))["speechRecord"])
    return sorted(records, key=lambda r: (r["date"], r["issueID"], int(r["speechOrder"])))


def _matches(record: dict[str, Any], params: dict[str, str]) -> bool:
    speech = record["speech"]
    label = speech.split("\u3000", 1)[0]
    checks = [
        ("any", lambda v: all(word in speech for word in v.split())),
        ("speaker", lambda v: v in label),
        ("nameOfHouse", lambda v: record["nameOfHouse"] == v),
        ("nameOfMeeting", lambda v: v in record["nameOfMeeting"]),
        ("from", lambda v: record["date"] >= v),
        ("until", lambda v: record["date"] <= v),
        ("sessionFrom", lambda v: int(record["session"]) >= int(v)),
        ("sessionTo", lambda v: int(record["session"]) <= int(v)),
    ]
    return all(check(params[key]) for key, check in checks if key in params)


@dataclass
class FakeKokkaiApi:
    """The server's state: its records, the requests it saw, the faults still to play."""

    records: list[dict[str, Any]]
    faults: dict[int, str] = field(default_factory=dict)
    """Request number (1-based) -> ``slow``, ``drop``, ``500``, ``html`` or ``error``."""
    slow_seconds: float = 1.0
    requests: list[dict[str, str]] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        maximum = int(params.get("maximumRecords", "30"))
        if not 1 <= maximum <= 100:
            return 400, {
                "message": "検索条件の指定に誤りがあります。",
                "details": ["maximumRecordsの値は1～100の範囲で指定してください。"],
            }
        matching = [r for r in self.records if _matches(r, params)]
        start = int(params.get("startRecord", "1"))
        page = matching[start - 1 : start - 1 + maximum]
        following = start + len(page)
        return 200, {
            "numberOfRecords": len(matching),
            "numberOfReturn": len(page),
            "startRecord": start,
            "nextRecordPosition": following if following <= len(matching) else None,
            "speechRecord": page,
        }


def _handler(api: FakeKokkaiApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            parsed = urllib.parse.urlparse(self.path)
            params = dict(urllib.parse.parse_qsl(parsed.query))
            api.requests.append(params)
            api.request_times.append(time.monotonic())
            api.user_agents.append(self.headers.get("User-Agent", ""))
            fault = api.faults.pop(len(api.requests), None)
            if fault == "drop":
                self.connection.close()
                return
            if fault == "slow":
                time.sleep(api.slow_seconds)
            if fault == "error":  # the API's own error answer
                data = json.dumps(api.answer({"maximumRecords": "0"})[1], ensure_ascii=False)
                self._send(400, data.encode("utf-8"), "application/json; charset=utf-8")
                return
            if fault == "html":  # a maintenance page answered with 200
                self._send(200, "<html><body>メンテナンス中</body></html>".encode(), "text/html")
                return
            if fault == "500":
                self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
                return
            if parsed.path != "/api/speech":
                self._send(404, b"<html>Not Found</html>", "text/html")
                return
            status, body = api.answer(params)
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self._send(status, data, "application/json; charset=utf-8")

        def _send(self, status: int, data: bytes, kind: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a time-out test)

    return Handler


@contextmanager
def serve(api: FakeKokkaiApi) -> Iterator[FakeKokkaiApi]:
    """Run the server on 127.0.0.1 (a free port) while the block runs; ``api.url`` is set."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
