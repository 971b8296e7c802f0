"""Bad input never makes a 500 (issue 10 §5), checked on every operation the OpenAPI document
lists, so an operation added later is covered too: a NUL anywhere, a date no filter can use, a
40-digit id."""

import json
from datetime import date
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from partnercenter.api.schema import DATE_PATTERN, MONTH_PATTERN, UTC_TIME_PATTERN
from partnercenter.api.site import api

from .conftest import new_key
from .raw import call

NUL = "a\x00b"
# Values every operation accepts for its required parameters, so that only the one under test
# can be what is wrong.
REQUIRED = {
    "bill_cycle": "2026-01",
    "cycle": "2026-01",
    "quoting_item_type": "PRODUCT_ITEM",
    "search_type": "name",
    "search_value": "someone",
    "xaccount_id": "x-1",
    "xaccount_type": "shop",
    "customer_id": "c-1",
    "indirect_partner_id": "p-1",
    "order_id": "CS1",
    "amount": 1,
    "customer_infos": [{"customer_id": "c-1"}],
}
OUT_OF_RANGE = {
    UTC_TIME_PATTERN: ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z"],
    DATE_PATTERN: ["0001-01-01", "9999-12-31", "3000-01-01"],
    MONTH_PATTERN: ["0001-01", "9999-12", "1899-12"],
}
IN_RANGE = {
    UTC_TIME_PATTERN: ["1900-01-01T00:00:00Z", "2999-12-31T23:59:59Z"],
    DATE_PATTERN: ["1900-01-01", "2999-12-31"],
    MONTH_PATTERN: ["1900-01", "2999-12"],
}
FORTY_DIGITS = "1234567890" * 4


def _pattern(schema):
    return schema.get("pattern") or next(
        (a["pattern"] for a in schema.get("anyOf", []) if "pattern" in a), None
    )


def _types(schema):
    return {schema.get("type")} | {a.get("type") for a in schema.get("anyOf", [])}


def operations():
    """(operation id, method, path, {name: (where, schema, required)}) for every operation."""
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            params = {
                p["name"]: (p["in"], p["schema"], bool(p.get("required")))
                for p in op.get("parameters", [])
            }
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
                body = schema["components"]["schemas"][ref]
                for name, prop in body["properties"].items():
                    params[name] = ("body", prop, name in body.get("required", []))
            yield op["operationId"], method.upper(), path, params


OPERATIONS = list(operations())


@pytest.fixture
def caller(settings, distributor_admin):
    """A distributor's admin may call every partner operation, the reseller ones included."""
    settings.PC_API_RATE_LIMIT = 10_000
    ak, sk = new_key(distributor_admin)

    def request(method, path, params, *, raw_path=None):
        query = {k: v for k, (where, v) in params.items() if where == "query"}
        body = {k: v for k, (where, v) in params.items() if where == "body"}
        raw_query = "&".join(
            f"{quote(k, safe='~')}={quote(str(v), safe='~')}" for k, v in sorted(query.items())
        )
        payload = json.dumps(body).encode() if body else b""
        if raw_path is None:
            raw_path = path.replace("{order_id}", quote(str(params.get("order_id", ("", ""))[1])))
        return call(Client(), method, raw_path, ak, sk, query=raw_query, body=payload)

    return request


def _with_required(params, **overrides):
    """Valid values for the operation's required parameters, then `overrides`."""
    chosen = {n: (p[0], REQUIRED[n]) for n, p in params.items() if p[2]}
    for name, value in overrides.items():
        chosen[name] = (params[name][0], value)
    return chosen


def _parameter_error(response, name):
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["error_code"] == "CBC.0100"
    assert name in payload["error_msg"], payload
    return payload["error_msg"]


def _never_a_server_error(response):
    assert response.status_code < 500, response.content
    assert response["X-Request-Id"]
    if response.status_code >= 400:
        payload = response.json()
        assert payload["error_code"] and payload["error_msg"]


# --- NUL ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "operation, method, path, params", [pytest.param(*o, id=o[0]) for o in OPERATIONS if o[3]]
)
def test_a_nul_in_any_parameter_is_a_parameter_error_naming_it(
    caller, operation, method, path, params
):
    for name in params:
        response = caller(method, path, _with_required(params, **{name: NUL}))
        message = _parameter_error(response, name)
        assert "NUL" in message


@pytest.mark.django_db
def test_a_nul_deep_in_a_body_or_in_a_query_key_is_named(caller):
    response = caller(
        "POST",
        "/v2/accounts/customer-accounts/balances/batch-query",
        {"customer_infos": ("body", [{"customer_id": "ok"}, {"customer_id": NUL}])},
    )
    _parameter_error(response, "customer_infos[1].customer_id")
    response = caller("GET", "/v2/orders/customer-orders", {"a\x00": ("query", "1")})
    _parameter_error(response, "a\\u0000")
    response = caller("POST", "/v2/partners/sub-customers/query", {"a\x00key": ("body", "x")})
    _parameter_error(response, "a\\u0000key")


@pytest.mark.django_db
def test_a_nul_in_a_path_parameter_is_named(caller):
    response = caller(
        "GET", "", {}, raw_path="/v2/orders/customer-orders/details/" + quote("CS\x001")
    )
    _parameter_error(response, "order_id")


# --- dates --------------------------------------------------------------------------------------

DATED = [
    pytest.param(op, method, path, params, name, id=f"{op}.{name}")
    for op, method, path, params in OPERATIONS
    for name, (_where, schema, _required) in params.items()
    if _pattern(schema) in OUT_OF_RANGE
]


def test_every_dated_filter_is_covered():
    names = {p.id for p in DATED}
    assert {
        "list_customer_orders.create_time_end",
        "list_partner_account_change_records.trade_time_end",
        "list_sub_customer_bill_detail.bill_date_end",
        "list_subcustomer_monthly_bills.cycle",
        "list_sub_customers.associated_on_begin",
        "list_indirect_partners.associated_on_end",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("operation, method, path, params, name", DATED)
def test_a_date_out_of_range_is_a_parameter_error(caller, operation, method, path, params, name):
    pattern = _pattern(params[name][1])
    for value in OUT_OF_RANGE[pattern]:
        response = caller(method, path, _with_required(params, **{name: value}))
        message = _parameter_error(response, name)
        assert "1900-01-01" in message and "2999-12-31" in message
    for value in IN_RANGE[pattern]:
        overrides = {name: value}
        if name.startswith("bill_date_"):
            # Both ends, inside the bill_cycle they name.
            overrides = {
                "bill_cycle": value[:7],
                "bill_date_begin": value,
                "bill_date_end": value,
            }
        _never_a_server_error(caller(method, path, _with_required(params, **overrides)))


@pytest.mark.django_db
def test_a_one_year_window_at_the_last_year_does_not_overflow(caller):
    response = caller(
        "GET",
        "/v2/orders/customer-orders",
        {
            "create_time_begin": ("query", "2999-06-01T00:00:00Z"),
            "create_time_end": ("query", "2999-12-31T23:59:59Z"),
        },
    )
    assert response.status_code == 200, response.content


# --- ids ----------------------------------------------------------------------------------------

ID_LIKE = [
    pytest.param(op, method, path, params, name, id=f"{op}.{name}")
    for op, method, path, params in OPERATIONS
    for name, (where, schema, _required) in params.items()
    if where == "path" or name.endswith("_id") or "integer" in _types(schema)
]


def test_every_id_parameter_is_covered():
    names = {p.id for p in ID_LIKE}
    assert {
        "show_customer_order_details.order_id",
        "cancel_customer_order.order_id",
        "update_customer_account_amount.customer_id",
        "list_customer_orders.status",
        "list_sub_customer_bill_detail.charging_mode",
        "update_indirect_partner_account.indirect_partner_id",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("operation, method, path, params, name", ID_LIKE)
def test_a_forty_digit_id_is_never_a_server_error(caller, operation, method, path, params, name):
    for value in (FORTY_DIGITS, int(FORTY_DIGITS)):
        if params[name][0] != "body" and not isinstance(value, str):
            continue
        response = caller(method, path, _with_required(params, **{name: value}))
        _never_a_server_error(response)
        if name == "order_id" and params[name][0] == "path":
            # Unknown or another partner's: refused alike, revealing nothing (partner-api.md §3.6).
            assert response.status_code == 403 and response.json()["error_code"] == "CBC.0151"


@pytest.mark.django_db
def test_the_ledgers_default_window_works_on_29_february(caller, monkeypatch):
    # The default trade_time_begin is one year before today; 2027-02-29 does not exist.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2028, 2, 29))
    response = caller("GET", "/v2/accounts/partner-accounts/account-change-records", {})
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_an_unpaired_surrogate_in_a_json_string_is_named(caller):
    # json.dumps writes "\ud800" as the escape; decoded it is a character no database encoding
    # can store. The string fields refuse it themselves (pydantic), naming the field.
    response = caller("POST", "/v2/partners/sub-customers/query", {"label": ("body", "x\ud800")})
    _parameter_error(response, "label")
    # A pair is a character like any other (an emoji), and is fine.
    response = caller("POST", "/v2/partners/sub-customers/query", {"label": ("body", "😀")})
    assert response.status_code == 200, response.content
