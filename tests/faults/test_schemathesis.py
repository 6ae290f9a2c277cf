"""Property-based requests generated from the service's own OpenAPI, with no token and with
valid tokens of both roles: no 500s, and every response conforms to the documented schema,
status codes, content types and headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from assistant.auth import Role
from ingest.pipeline import run_ingest
from tests.faults.conftest import Live, app_settings, live_app

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
CALLERS = ("anonymous", Role.LEARNER.value, Role.SUPPORT.value)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    # Its own index, opened by the app: a support token may re-index it through the API.
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    # An empty re-index root: a support token's re-index then has nothing to embed, and
    # the shutdown does not wait for a background job.
    roots = data_dir / "roots"
    roots.mkdir()
    settings_ = app_settings(data_dir, ingest_roots=[roots])
    assert not run_ingest(settings_).failed
    with live_app(settings_) as live:
        yield live


@pytest.mark.slow
def test_the_api_honours_its_schema(live: Live) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=5,
            deadline=None,
            database=None,  # nothing written into the working tree
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def honours(case: Any) -> None:
            # Each generated request is sent by every kind of caller.
            for caller in CALLERS:
                headers = {} if caller == "anonymous" else live.headers(Role(caller))
                case.call_and_validate(
                    base_url=live.url, headers=headers, checks=CHECKS, timeout=30
                )

        honours()
