"""Property-based contract tests of the HTTP service from its own OpenAPI document (schemathesis):
whatever the generated request, no 5xx, and every response fits the schema documented for it."""
from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (content_type_conformance,  # noqa: E402
                                               response_schema_conformance)

from riskengine.serve import ServeConfig  # noqa: E402
from riskengine.serve.app import Service, create_app  # noqa: E402

from serve_helpers import MINI  # noqa: E402

@schemathesis.serializer("application/x-ndjson", "application/jsonl", "application/json-lines",
                         "application/jsonlines")
def _json_lines(ctx, value) -> bytes:
    """The batch body is documented as text (JSON Lines); send the generated text as it is."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else str(value).encode()


# The mini ruleset loads in milliseconds; the service is started here (not per generated request).
_service = Service(ServeConfig(rules=str(MINI / "rules"), knowledge=str(MINI / "knowledge"),
                               load_in_background=False, timeout=10))
_service.start()
app = create_app(service=_service, handle_sighup=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.exclude(path="/v1/admin/reload").parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_server_error_and_responses_fit_the_schema(case):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance, content_type_conformance])


def teardown_module(module) -> None:
    _service.stop()
