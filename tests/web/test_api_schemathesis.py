"""Fuzz every operation of the app's own OpenAPI document (schemathesis): with a valid token and
the rate limit raised, no answer is a server error and every answer conforms to the document.

A projection runner follows the log meanwhile, so reads with min_position are answered and
whatever the fuzzer managed to write is also proven harmless to the projections (a value a
read-model column cannot hold would stop the runner: the test then fails).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from domain.clock import FixedClock
from tests.web.conftest import ApiClient, build_api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


class Follower:
    """The projection runner in a thread, remembering any error it hit."""

    def __init__(self, api: ApiClient) -> None:
        self.api, self.stop, self.errors = api, threading.Event(), []  # type: list[BaseException]
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.api.runner.run_forever(poll_interval=0.02, stop=self.stop)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ApiClient, Follower]]:
    from datetime import datetime, timezone

    path: Path = tmp_path_factory.mktemp("fuzz")
    api = build_api(f"sqlite:///{path / 'fuzz.db'}", FixedClock(datetime(2026, 3, 2, 9, tzinfo=timezone.utc)),
                    API_RATE_LIMIT=10**9, API_RATE_BURST=10**9, API_MIN_POSITION_WAIT=2)
    customer = api.customer("Fuzzed Customer")
    case = api.case(customer)["id"]
    api.post(f"/api/v1/cases/{case}/assign", {"assignee": api.staff("ann")})
    api.catch_up()
    follower = Follower(api)
    follower.thread.start()
    yield api, follower
    follower.stop.set()
    follower.thread.join(10)
    api.services.close()


def fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(max_examples=25, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_without_server_errors_and_as_documented(
    fuzzed: tuple[ApiClient, Follower], mode: GenerationMode
) -> None:
    api, follower = fuzzed
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api.app)
    headers = {"Authorization": f"Bearer {api.full}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for operation in operations:
        try:
            fuzz(operation, mode, headers)
        except Exception as exc:  # noqa: BLE001 - every operation is fuzzed, then all failures reported
            failures.append(f"{operation.label}: {exc}")
    assert failures == []
    assert follower.errors == []
    api.catch_up()  # whatever was written, the projections can hold it
