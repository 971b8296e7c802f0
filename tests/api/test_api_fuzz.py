"""The OpenAPI document drives a fuzzer: whatever a client sends to any operation, the answer
is never a server error, always the JSON envelope with a request id, and the books stay right.

Each example starts from valid values for the operation's required parameters (so the request
gets past "field required" to the code behind it) and replaces one to three parameters with
values from a mix that is heavy in the known trouble: NUL and other-script text, numbers no
field can take, dates at the ends of the calendar, 40-digit ids. Under the `ci` Hypothesis profile
(tests/conftest.py) the examples are the same on every run."""

import json
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing import ledger
from customers.models import AssociationType
from partnercenter.api.site import api
from tests.billing.conftest import fund
from tests.customers.factories import AssociationFactory

from .conftest import new_key
from .raw import call

NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "CS\x00",
        "١٠٠",  # Arabic-Indic digits
        "１００",  # full-width digits
        "१००",
        "1e26",
        "NaN",
        "-0",
        " ",
        "' OR '1'='1",
        "%00",
        "x" * 200,
        "0001-01-01",
        "9999-12-31",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2026-02-30T00:00:00Z",
        "0000-00",
        "9999-12",
        "1234567890" * 4,
        10**40,
        -(10**40),
        2**63,
        float("nan"),
        float("inf"),
        1e26,
        1e-300,
        0.1,
        True,
    ]
)
SCALARS = st.one_of(
    NASTY,
    NASTY,
    st.none(),
    st.integers(min_value=-(10**6), max_value=10**12),
    st.decimals(min_value=-1000, max_value=10**6, allow_nan=False, places=3),
    st.text(max_size=24),
    st.sampled_from(["2026-01", "2026-01-01T00:00:00Z", "2026-01-01", "", "CS1", "1", "2"]),
)
VALUES = st.one_of(
    SCALARS,
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=2),
    st.lists(st.fixed_dictionaries({"customer_id": SCALARS}), min_size=1, max_size=2),
)
VALID = {
    "bill_cycle": "2026-01",
    "cycle": "2026-01",
    "quoting_item_type": "PRODUCT_ITEM",
    "search_type": "name",
    "search_value": "someone",
    "xaccount_id": "fuzz-1",
    "xaccount_type": "fuzz",
    "order_id": "CS-fuzz",
    "amount": 1,
}


def _operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            params = op.get("parameters", [])
            query = [p["name"] for p in params if p["in"] in ("query", "path")]
            required = {p["name"] for p in params if p.get("required")}
            body = None
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
                body_schema = schema["components"]["schemas"][ref]
                body = list(body_schema["properties"])
                required |= set(body_schema.get("required", []))
            yield pytest.param(
                method.upper(), path, query, body, sorted(required), id=op["operationId"]
            )


def _encode(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _json(value):
    # NaN and Infinity go out as the bare words a careless client writes; Decimals as numbers.
    return json.dumps(value, default=float).encode()


@pytest.mark.parametrize("method, path, query_names, body_names, required", list(_operations()))
def test_no_input_makes_the_api_fail(
    settings, method, path, query_names, body_names, required, distributor, distributor_admin
):
    settings.PC_API_RATE_LIMIT = 10_000
    # A distributor's admin may call every partner operation, the reseller ones included.
    fund(distributor, recharge="1000.00")
    customer = AssociationFactory(
        partner=distributor, association_type=AssociationType.RESALE
    ).customer
    ak, sk = new_key(distributor_admin)
    names = (query_names or []) + (body_names or [])
    valid = {n: VALID.get(n, customer.customer_id) for n in required}
    if "customer_infos" in valid:
        valid["customer_infos"] = [{"customer_id": customer.customer_id}]

    @hypothesis_settings(max_examples=20)
    @given(changed=st.dictionaries(st.sampled_from(names or ["x"]), VALUES, min_size=1, max_size=3))
    def run(changed):
        values = {**valid, **changed}
        query = {k: v for k, v in values.items() if k in (query_names or [])}
        body = {k: v for k, v in values.items() if k in (body_names or [])}
        raw_path = path
        if "{order_id}" in path:
            raw_path = path.replace("{order_id}", quote(_encode(values.get("order_id")) or "x"))
            query.pop("order_id", None)
        raw_query = "&".join(
            f"{quote(k, safe='~')}={quote(_encode(v), safe='~')}" for k, v in sorted(query.items())
        )
        payload = _json(body) if body_names else b""
        response = call(Client(), method, raw_path, ak, sk, query=raw_query, body=payload)
        assert response.status_code < 500, response.content
        assert response["X-Request-Id"]
        data = response.json()
        if response.status_code >= 400:
            assert data["error_code"] and data["error_msg"]

    run()
    assert ledger.verify_ledger() == []
