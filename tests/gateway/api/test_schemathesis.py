"""schemathesis against the served /openapi.json, with an admin token on every operation and a
partner key on the partner's: no 500s, and every answer (status, content type, headers, body)
is one the document promises, for valid requests and for invalid ones. Bounded: a few examples
per operation, key and mode.

(schemathesis' own pytest integration does not run under pytest 9, so the operations are
driven here with hypothesis directly.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

from tests.gateway.api.conftest import Gateway

EXAMPLES = 8


def _operations(base_url: str, key: str) -> list[Any]:
    # The key is given as the document's own `bearer` scheme, so schemathesis sends it as is
    # (a header passed at call time would replace one it meant to break).
    config = SchemathesisConfig.from_dict({"auth": {"openapi": {"bearer": {"bearer": key}}}})
    api = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    results = list(api.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) >= 21  # the document itself is sound
    return operations


def _exercise(operation: Any, mode: GenerationMode, base_url: str) -> None:
    # Promises OpenAPI cannot put in a schema: /trace needs at least one of its query
    # parameters, /inbound needs X12, not any string, and a partner's delimiters must all be
    # different. Requests breaking them are schema-valid and answered 400/415/422
    # (documented), which this check counts as wrong.
    partner_settings = operation.method.upper() in ("POST", "PATCH") and operation.path in (
        "/api/v1/partners",
        "/api/v1/partners/{partner_id}",
    )
    # /outbound/{partner} takes canonical documents the partner's settings must also allow.
    # /messages takes only the cursors it gave out.
    unsayable = (
        operation.path.endswith(("/trace", "/inbound", "/outbound/{partner}", "/messages"))
        or partner_settings
    )
    excluded = [positive_data_acceptance] if unsayable else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def conforms(case: Any) -> None:
        case.call_and_validate(base_url=base_url, excluded_checks=excluded)

    conforms()


def test_the_api_keeps_its_openapi_promises(gateway: Gateway, live_url: str) -> None:
    failures: list[str] = []
    for key in ("admin", "north", "erp"):
        for operation in _operations(live_url, gateway.keys[key]):
            admits = operation.definition.raw.get("x-gateway-auth", [])
            if key != "admin" and {"north": "partner"}.get(key, key) not in admits:
                continue  # the admin token already had it; auth rules are test_auth's
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    _exercise(operation, mode, live_url)
                except Unsatisfiable:
                    assert mode == GenerationMode.NEGATIVE  # nothing to get wrong (GET /health)
                except Exception as exc:  # every operation's failures, reported together
                    failures.append(f"{operation.label} ({key}, {mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
