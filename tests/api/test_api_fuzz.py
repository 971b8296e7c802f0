"""The OpenAPI document drives a fuzzer: whatever a client sends to any operation, the answer
is never a server error, always the JSON envelope with a request id, and the books stay right."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing import ledger
from partnercenter.api.site import api
from tests.billing.conftest import fund

from .conftest import new_key
from .raw import call

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**12),
    st.decimals(min_value=-1000, max_value=10**6, allow_nan=False, places=3),
    st.text(max_size=24),
    st.sampled_from(["2026-01", "2026-13", "2026-01-01T00:00:00Z", "2026-01-01", "", "CS1"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=2),
)


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            query = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
            body = None
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
                body = list(schema["components"]["schemas"][ref]["properties"])
            yield pytest.param(method.upper(), path, query, body, id=op["operationId"])


def _encode(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@pytest.mark.parametrize("method, path, query_names, body_names", list(_operations()))
def test_no_input_makes_the_api_fail(
    method, path, query_names, body_names, finance_member, partner, resale
):
    from urllib.parse import quote

    fund(partner, recharge="1000.00")
    ak, sk = new_key(finance_member)
    path = path.replace("{order_id}", "CS-fuzz")

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        query=st.dictionaries(st.sampled_from(query_names or ["x"]), SCALARS, max_size=4),
        body=st.dictionaries(st.sampled_from(body_names or ["x"]), VALUES, max_size=5),
    )
    def run(query, body):
        if body_names and "customer_id" in body_names and body.get("customer_id") == "":
            body["customer_id"] = resale.customer.customer_id
        raw_query = "&".join(
            f"{quote(k, safe='~')}={quote(_encode(v), safe='~')}" for k, v in sorted(query.items())
        )
        payload = json.dumps(body, default=str).encode() if body_names else b""
        response = call(Client(), method, path, ak, sk, query=raw_query, body=payload)
        assert response.status_code < 500, response.content
        data = response.json()
        assert response["X-Request-Id"]
        if response.status_code >= 400:
            assert data["error_code"] and data["error_msg"]

    run()
    assert ledger.verify_ledger() == []
