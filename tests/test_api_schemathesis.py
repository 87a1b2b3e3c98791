"""Schemathesis against the live app (real uvicorn, real stores in a temp data dir, keys on): every
operation of the published OpenAPI spec, positive and negative examples, all of schemathesis'
checks — responses documented (401/403/404/413/415/429 included), schemas honoured, wrong types
(`"stream": 0`) refused. Bounded: a few examples per operation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from api_server import LiveServer
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

ADMIN_KEY = "admin-key-schemathesis-5e6f7a"
EXAMPLES = 50
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
# Schema-valid but refused for what a schema cannot say, with a documented status: a blank or
# too long question (400), an upload that is not a PDF, too big or unreadable (413/415/422).
CALLS: Counter[str] = Counter()  # requests made, per mode (read by a reporter, never asserted)
SEMANTIC_REFUSALS = {
    "POST /api/v1/chat": (400,),
    "POST /v1/chat/completions": (400,),
    "POST /api/v1/documents": (400, 413, 415, 422),
    "POST /api/v1/audit": (400, 413, 415, 422),
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = create_app(
        Settings(
            data_dir=tmp_path_factory.mktemp("schemathesis"),
            api_keys=["api-key-schemathesis-1b2c3d"],
            admin_keys=[ADMIN_KEY],
            rate_limit_per_minute=100_000,
            upload_max_bytes=200_000,
        )
    )
    server = LiveServer(app).start()
    yield server
    server.stop()


def _run(operation, mode: GenerationMode) -> list[str]:
    """Every distinct failure schemathesis finds on one operation in `mode` (empty when clean)."""
    failures: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        CALLS[mode.value] += 1
        refusals = SEMANTIC_REFUSALS.get(operation.label)
        if refusals is None or mode is GenerationMode.NEGATIVE:
            case.call_and_validate(headers=AUTH, timeout=30)
            return
        response = case.call_and_validate(
            headers=AUTH, timeout=30, excluded_checks=[positive_data_acceptance]
        )
        assert response.status_code < 300 or response.status_code in (401, 403, 404, 409, 429, *refusals), (
            response.status_code,
            response.text,
        )

    try:
        check()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
        pass
    except (Exception, BaseExceptionGroup) as err:
        failures.append(f"{operation.label} [{mode.value}]: {str(err)[:1500]}")
    return failures


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"]
)
def test_api_conforms_to_its_schema(live: LiveServer, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    # unknown query parameters are ignored, as HTTP APIs do (a cache-buster `?_=…`): not a violation
    schema.config.generation.update(allow_extra_parameters=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures = [f for op in operations for f in _run(op, mode)]
    print(f"schemathesis {mode.value}: {len(operations)} operations, {CALLS[mode.value]} requests")
    assert not failures, "\n\n".join(failures)
