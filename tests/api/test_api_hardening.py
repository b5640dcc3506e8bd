"""Issue 13 over real HTTP: a real `policy-search serve` (uvicorn) on a real index.

Bounded requests (body limit, capped errors, bounded response text), strict input, HEAD/405,
no server paths, allowed hosts, and docs that work without a CDN.  The index holds real
minutes plus one real-text remark of 300,000 characters (the seed's remarks repeated).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Query
from fastapi.testclient import TestClient

from indexer.pipeline import UpdateOptions, default_embedders, update_index
from search_api.app import create_app
from search_api.settings import Settings
from tests.api.live_server import live_server
from tests.small_index import SMALL_CORPUS

HUGE_MEETING = "2024-01-01_huge-remark_gijiyoshi"
HUGE_CHARS = 300_000
LIMIT_BYTES = 64 * 1024


def write_huge_remark(seed: Path, target: Path) -> None:
    """The seed summary with one more remark: the seed's remarks repeated to HUGE_CHARS."""
    text = seed.read_text(encoding="utf-8")
    remarks = "".join(line[4:] for line in text.splitlines() if line.startswith("- ▶ "))
    huge = (remarks * (HUGE_CHARS // len(remarks) + 1))[:HUGE_CHARS]
    target.write_text(text.rstrip("\n") + "\n- ▶ " + huge + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def hardened_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("hardening")
    huge = root / "minutes" / f"{HUGE_MEETING}.txt"
    huge.parent.mkdir()
    write_huge_remark(corpus_dir / SMALL_CORPUS[0], huge)
    paths = [corpus_dir / name for name in SMALL_CORPUS] + [huge]
    summary = update_index(
        root / "index", paths, default_embedders("fake"), UpdateOptions(progress=False)
    )
    assert summary.failed == 0
    return root / "index"


@pytest.fixture(scope="module")
def server(hardened_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server-log") / "server.log"
    with live_server(hardened_index, log) as base:
        yield base


@pytest.fixture()
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


def error_of(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert set(body) == {"error", "detail"}
    return dict(body)


def huge_hit(http: httpx.Client, **extra: str) -> dict[str, object]:
    page = http.get("/search", params={"q": "赤字国", "meeting_id": HUGE_MEETING, **extra})
    assert page.status_code == 200, page.text[:300]
    [hit] = [h for h in page.json()["results"] if h["text_length"] == HUGE_CHARS]
    return dict(hit)


# --- bounded requests -------------------------------------------------------------------


def test_a_body_over_the_limit_gets_413_json_before_parsing_and_health_still_answers(
    http: httpx.Client,
) -> None:
    hostile = json.dumps({f"key{i}": i for i in range(200_000)}).encode()  # about 3.5 MB
    assert len(hostile) > 3_000_000
    error = error_of(http.post("/search", content=hostile), 413)
    assert error["error"] == "payload_too_large" and str(LIMIT_BYTES) in error["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the guard counts what it reads
        for _ in range(100):
            yield b" " * 4096

    streamed = http.post("/search", content=chunks(), headers={"content-type": "application/json"})
    assert error_of(streamed, 413)["error"] == "payload_too_large"
    assert http.get("/health").status_code == 200


def test_validation_errors_are_capped_however_many_keys_are_wrong(http: httpx.Client) -> None:
    body = json.dumps({"q": "半導体", **{f"k{i}": 1 for i in range(4000)}}).encode()
    assert len(body) < LIMIT_BYTES
    response = http.post("/search", content=body, headers={"content-type": "application/json"})
    error = error_of(response, 422)
    assert len(response.content) < 3000
    assert error["detail"].startswith("body.k0: Extra inputs are not permitted")
    assert error["detail"].endswith("; and 3990 more problems")


def test_search_hits_carry_the_passage_and_a_bounded_head_full_text_on_request(
    http: httpx.Client,
) -> None:
    hit = huge_hit(http)
    assert hit["text_truncated"] is True
    assert len(str(hit["text"])) <= 201 and str(hit["text"]).endswith("…")
    assert 0 < len(str(hit["highlight"]["passage"])) <= 400  # type: ignore[index]
    bounded = http.get("/search", params={"q": "赤字国", "limit": 20})
    assert len(bounded.content) < 100_000, "one huge remark does not make every page huge"

    full = huge_hit(http, text="full")
    assert full["text_truncated"] is False and len(str(full["text"])) == HUGE_CHARS
    posted = http.post("/search", json={"q": "赤字国", "meeting_id": HUGE_MEETING, "text": "full"})
    assert max(h["text_length"] for h in posted.json()["results"]) == HUGE_CHARS
    assert any(len(h["text"]) == HUGE_CHARS for h in posted.json()["results"])
    whole = http.get(f"/statements/{hit['statement_id']}").json()
    assert len(whole["text"]) == HUGE_CHARS and whole["text_truncated"] is False


def test_meeting_and_related_lists_are_bounded_too(http: httpx.Client) -> None:
    meeting = http.get(f"/meetings/{HUGE_MEETING}")
    assert meeting.status_code == 200 and len(meeting.content) < 100_000
    assert max(len(s["text"]) for s in meeting.json()["statements"]) <= 201
    full = http.get(f"/meetings/{HUGE_MEETING}", params={"text": "full"}).json()
    assert max(len(s["text"]) for s in full["statements"]) == HUGE_CHARS

    seed_remark = http.get(f"/meetings/{HUGE_MEETING}").json()["statements"][0]["statement_id"]
    related = http.get(
        f"/statements/{seed_remark}/related",
        params={"exclude_same_meeting": "false", "limit": 50},
    )
    assert related.status_code == 200, related.text[:300]
    assert all(len(h["text"]) <= 201 for h in related.json()["results"])


# --- strict, documented input -----------------------------------------------------------

BAD_QUERIES = [
    ({"date_to": "0"}, "query.date_to: Input should be an ISO date YYYY-MM-DD"),
    ({"date_to": "1640995200"}, "query.date_to: Input should be an ISO date"),
    ({"date_from": "2022-01-01T00:00:00"}, "query.date_from: Input should be an ISO date"),
    ({"date_from": "20220101"}, "query.date_from: Input should be an ISO date YYYY-MM-DD"),
    ({"date_from": "2022-02-30"}, "query.date_from: no such date"),
    ({"date_from": "2022-03-01", "date_to": "2022-02-01"}, "date_from must not be after"),
    ({"limit": "true"}, "query.limit: Input should be an integer written as plain decimal"),
    ({"offset": "false"}, "query.offset: Input should be an integer"),
    ({"limit": "10.0"}, "query.limit: Input should be an integer"),
    ({"include_procedural": "1"}, "query.include_procedural: Input should be true or false"),
    ({"text": "all"}, "query.text: Input should be 'head' or 'full'"),
]


@pytest.mark.parametrize(("params", "message"), BAD_QUERIES)
def test_query_strings_accept_only_iso_dates_decimal_integers_and_true_false(
    http: httpx.Client, params: dict[str, str], message: str
) -> None:
    error = error_of(http.get("/search", params={"q": "半導体", **params}), 422)
    assert message in error["detail"]


BAD_BODIES = [
    ({"limit": True}, "body.limit: Input should be an integer written as a JSON integer"),
    ({"limit": "10"}, "body.limit: Input should be an integer"),
    ({"limit": 10.0}, "body.limit: Input should be an integer"),
    ({"include_procedural": "true"}, "body.include_procedural: Input should be a JSON boolean"),
    ({"include_procedural": 1}, "body.include_procedural: Input should be a JSON boolean"),
    ({"date_to": 0}, "body.date_to: Input should be an ISO date"),
    ({"body": 5}, "body.body: Input should be a valid string"),
    ({"body": ""}, "body.body: String should have at least 1 character"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_BODIES)
def test_json_bodies_accept_only_their_own_json_types_and_errors_name_the_field(
    http: httpx.Client, fields: dict[str, object], message: str
) -> None:
    error = error_of(http.post("/search", json={"q": "半導体", **fields}), 422)
    assert message in error["detail"]


def test_the_openapi_description_states_the_rules(http: httpx.Client) -> None:
    parameters = {
        p["name"]: p
        for p in http.get("/openapi.json").json()["paths"]["/search"]["get"]["parameters"]
    }
    assert "not after date_to" in parameters["date_from"]["description"]
    assert "not before date_from" in parameters["date_to"]["description"]
    assert "YYYY-MM-DD" in parameters["date_to"]["description"]
    assert "200 characters" in parameters["text"]["description"]


def test_repeated_parameters_and_invisible_questions_are_refused(http: httpx.Client) -> None:
    repeated = http.get("/search", params=[("q", "半導体"), ("limit", "3"), ("limit", "50")])
    assert "query.limit: given 2 times; give it once" in error_of(repeated, 422)["detail"]
    for invisible in ("\u200b", "\x00\u200b\u2060", "\ufeff \u3000", "\u200d\u200c"):
        for response in (
            http.get("/search", params={"q": invisible}),
            http.post("/search", json={"q": invisible}),
        ):
            assert "the question must not be blank" in error_of(response, 422)["detail"]


def test_bodies_that_are_not_utf8_or_too_deep_get_the_error_shape(http: httpx.Client) -> None:
    headers = {"content-type": "application/json"}
    latin1 = http.post("/search", content='{"q": "réunion"}'.encode("latin-1"), headers=headers)
    assert error_of(latin1, 400)["error"] == "invalid_json"
    deep = b"[" * 20_000 + b"]" * 20_000
    assert error_of(http.post("/search", content=deep, headers=headers), 400)["error"] == (
        "invalid_json"
    )
    broken = http.post("/search", content=b'{"q": ', headers=headers)
    assert error_of(broken, 400)["error"] == "invalid_json"


def test_head_works_on_get_routes_and_405_says_what_is_allowed(http: httpx.Client) -> None:
    got = http.get("/health")
    head = http.head("/health")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    wrong = http.delete("/search")
    assert error_of(wrong, 405)["error"] == "method_not_allowed"
    assert wrong.headers["allow"] == "GET, HEAD, POST"
    assert http.put("/health").headers["allow"] == "GET, HEAD"


# --- closed networks and disclosure -----------------------------------------------------


def test_no_server_path_is_shown_over_http(http: httpx.Client, hardened_index: Path) -> None:
    hits = http.get("/search", params={"q": "半導体", "limit": 50}).json()["results"]
    meetings = http.get("/meetings").json()["meetings"]
    files = [h["source"]["file"] for h in hits] + [m["source_file"] for m in meetings]
    assert files and all(f and "/" not in f for f in files)
    assert f"{HUGE_MEETING}.txt" in files
    assert str(hardened_index.parent) not in http.get("/meetings").text


def test_the_503_message_names_no_absolute_path(tmp_path: Path) -> None:
    missing = tmp_path / "not-built-yet"
    with live_server(missing, tmp_path / "log", ready_status=503) as base:
        error = error_of(httpx.get(f"{base}/health", timeout=10), 503)
    assert error["error"] == "index_not_found"
    assert str(tmp_path) not in error["detail"] and "not-built-yet" in error["detail"]


def test_only_allowed_host_names_are_answered(http: httpx.Client, server: str) -> None:
    port = server.rsplit(":", 1)[1]
    assert http.get("/health", headers={"host": f"localhost:{port}"}).status_code == 200
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example"):
        error = error_of(http.get("/health", headers={"host": host}), 400)
        assert error["error"] == "host_not_allowed"
    redirect = http.get("/search/", params={"q": "x"}, headers={"host": "evil.example"})
    assert redirect.status_code == 400 and "location" not in redirect.headers


def test_a_named_host_is_allowed_when_configured(hardened_index: Path, tmp_path: Path) -> None:
    names = ("--allowed-host", "*.example.org", "--allowed-host", "127.0.0.1")  # replace defaults
    with live_server(hardened_index, tmp_path / "log", *names) as base:
        ok = httpx.get(f"{base}/health", headers={"host": "search.example.org"}, timeout=10)
        refused = httpx.get(f"{base}/health", headers={"host": "example.com"}, timeout=10)
        local = httpx.get(f"{base}/health", headers={"host": "localhost"}, timeout=10)
    assert ok.status_code == 200 and refused.status_code == 400
    assert local.status_code == 400, "the configured names replace the defaults"


def test_docs_pages_load_every_asset_from_this_server(http: httpx.Client) -> None:
    for page in ("/docs", "/redoc"):
        html = http.get(page)
        assert html.status_code == 200
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']""", html.text)
        found = [u for pair in urls for u in pair if u]
        assert found, html.text
        assert not [u for u in found if "//" in u], "nothing from another host"
        for url in found:
            asset = http.get(url)
            assert asset.status_code == 200 and asset.content, url
    assert '"validatorUrl": null' in http.get("/docs").text, "no call to validator.swagger.io"
    bundle = http.get("/docs-assets/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000
    assert http.get("/openapi.json").json()["openapi"].startswith("3.")


tags_router = APIRouter()


@tags_router.get("/tags")
def tags(
    tag: Annotated[list[str] | None, Query()] = None, one: str | None = None
) -> dict[str, object]:
    """A stand-in for a later router with a repeatable parameter (themes, facets)."""
    return {"tag": tag, "one": one}


def test_parameters_documented_as_arrays_may_repeat(small_index: Path) -> None:
    app = create_app(Settings(index_dir=small_index, model_name="fake"))
    app.include_router(tags_router)
    with TestClient(app) as client:
        assert client.get("/tags", params=[("tag", "a"), ("tag", "b")]).json()["tag"] == ["a", "b"]
        refused = client.get("/tags", params=[("one", "a"), ("one", "b")])
        assert "query.one: given 2 times" in error_of(refused, 422)["detail"]
