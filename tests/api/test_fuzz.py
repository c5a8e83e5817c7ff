"""The OpenAPI schema fuzzed with schemathesis: whatever the input, no 5xx, and every error is problem+json.

Runs as the admin (every operation is reachable) on a store of its own. Upload,
retire and token revocation are left out: the first two start background
ingest processes, the last would revoke the fuzzer's own token. The example
count is kept small so the whole run stays around a minute on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from assistant.store import migrate

from .conftest import NO_LIMITS, make_settings, reset_store

MAX_EXAMPLES = 8


@pytest.fixture(scope="module")
def fuzz_app(sample_installation, tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    app = create_app(make_settings(sample_installation, f"sqlite:///{db}", **NO_LIMITS))
    migrate.upgrade(app.state.services.assistant.db)
    app.state.fuzz_token = reset_store(app).tokens["admin"]
    return app


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return (schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
            .exclude(path="/v1/documents", method="POST")
            .exclude(path_regex=r"/retire$")
            .exclude(method="DELETE"))


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()  # a schema error would raise here, failing the test


def test_no_server_errors(fuzz_schema, fuzz_app):
    """Every operation, MAX_EXAMPLES generated inputs each (schemathesis' own pytest plugin predates pytest 9)."""
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    operations = list(_operations(fuzz_schema))
    assert len(operations) >= 30
    calls = 0

    for operation in operations:

        @settings(max_examples=MAX_EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            nonlocal calls
            calls += 1
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
            if response.status_code >= 400:
                content_type = response.headers.get("content-type", "")
                content_type = content_type[0] if isinstance(content_type, list) else content_type
                assert content_type.startswith("application/problem+json"), (case.path, response.text)

        check()
    assert calls >= 2 * len(operations)  # inputs were really generated and sent
