"""Schemathesis over the app's own OpenAPI, against a real uvicorn server on a real index.

Every operation gets generated requests, schema-valid and not: no 5xx, every response matches
its documented schema, status code (documented ones only), content type and headers.  Bounded
(``FUZZ_EXAMPLES`` per operation) so the suite stays within its time budget; the examples are
derived from the schema with a fixed seed, so a failure reproduces.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.live_server import live_server

FUZZ_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def live_base(small_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("fuzz-log") / "server.log"
    with live_server(small_index, log) as base:
        yield base


OPERATIONS = (
    "GET /search",
    "POST /search",
    "GET /statements/{statement_id}",
    "GET /statements/{statement_id}/related",
    "POST /related",
    "GET /meetings",
    "GET /meetings/{meeting_id}",
    "GET /themes",
    "GET /themes/{theme_id}",
    "GET /themes/{theme_id}/timeline",
    "GET /themes/{theme_id}/statements",
    "GET /health",
)


@pytest.fixture(scope="module")
def api_schema(live_base: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_base}/openapi.json")


def test_the_fuzzed_schema_covers_every_operation(api_schema: schemathesis.BaseSchema) -> None:
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == set(OPERATIONS)


WITHOUT_PARAMETERS = {"GET /meetings", "GET /health"}
"""No invalid request can be generated for these (they take no parameters)."""
RUNS = [
    (label, mode)
    for label in OPERATIONS
    for mode in schemathesis.GenerationMode
    if not (mode is schemathesis.GenerationMode.NEGATIVE and label in WITHOUT_PARAMETERS)
]


@pytest.mark.parametrize(("label", "mode"), RUNS, ids=[f"{m.value} {op}" for op, m in RUNS])
def test_every_operation_answers_within_its_documented_contract(
    api_schema: schemathesis.BaseSchema,
    live_base: str,
    label: str,
    mode: schemathesis.GenerationMode,
) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None
    statuses: list[int] = []

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        statuses.append(case.call_and_validate(base_url=live_base, checks=CHECKS).status_code)

    call()
    if label not in WITHOUT_PARAMETERS:
        assert len(statuses) >= FUZZ_EXAMPLES // 2, "the examples really ran"
    if mode is schemathesis.GenerationMode.NEGATIVE:
        assert set(statuses) & {400, 404, 422}, "invalid requests were refused"
