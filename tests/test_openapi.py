"""The OpenAPI description covers every JSON endpoint, and schemathesis, generating requests from it (fixed
seed, a bounded number of examples per operation, under two minutes), finds no server error and no response
that breaks it."""
from __future__ import annotations

import json
import time
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from shopfloor.api import spec
from tests.api_helpers import bearer, make_token

EXAMPLES = 50          # per operation and generation mode
BUDGET_S = 120
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_json_endpoint_is_described_and_nothing_else(app):
    doc = spec.build(app)
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(spec.PREFIX + "/") and rule.endpoint not in spec.UNDESCRIBED:
            assert spec.operation_of(app, rule) is not None, f"{rule.endpoint} has no @describe"
            routed |= {(spec._path(rule.rule), m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == routed
    assert doc["openapi"] == "3.1.0"


def test_the_spec_is_served(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and json.loads(resp.get_data())["paths"]


def test_schemathesis_finds_no_server_error_nor_spec_violation(ctx, factory):
    factory.floor()
    _, secret, _ = make_token(factory, "read", "scan", "plan")
    ctx.config["API_TOKEN_RATE"] = "1000000 per minute"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", ctx)
    started, runs, failures, statuses = time.monotonic(), {}, [], Counter()
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
                count = [0]

                @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case):
                    count[0] += 1
                    # identity: the WSGI transport does not undo the compression of answers over 1 KB (assets.py)
                    response = case.call(headers={**bearer(secret), "Accept-Encoding": "identity"})
                    statuses[response.status_code] += 1
                    case.validate_response(response, checks=CHECKS)

                try:
                    run()
                except Unsatisfiable:  # negative mode of an operation with nothing to get wrong (no parameters)
                    pass
                except Exception as e:  # noqa: BLE001  (collected, so one run reports every operation that fails)
                    failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: {e}"[:2000])
                runs[(operation.method, operation.path, mode.value)] = count[0]
    finally:
        ctx.config.pop("API_TOKEN_RATE", None)
    elapsed = time.monotonic() - started
    print(f"schemathesis: {sum(runs.values())} examples over {len(runs)} operation x mode runs in {elapsed:.1f} s; "
          f"answers {dict(sorted(statuses.items()))}")
    assert failures == [], "\n\n".join(failures)
    assert len(runs) >= 2 * 10 and elapsed < BUDGET_S
    assert statuses[200] + statuses[201] >= len(runs) * 2  # the token got in: not only refusals were checked
