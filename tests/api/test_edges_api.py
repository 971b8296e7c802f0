"""Both sides of the partner API's numeric rules (issue 10 §8): the 15-minute window around
X-Sdk-Date, page sizes 1–100 (1–1000 for business discounts), 10 calls a second per key and
operation, and the one-year span of the order time filters.

Requests go through Django's test client, signed here with an independent copy of the
algorithm of partner-api.md §1.2, so that the date can be set to the second.
"""

import hashlib
import hmac
import json
import math
import secrets
import string
import time
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import pytest

from partnercenter.api import ratelimit
from partnercenter.api.site import api
from partnercenter.services.access_keys import seed_key

pytestmark = pytest.mark.django_db

WINDOW = 15 * 60


def new_key(member):
    ak = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(20))
    sk = secrets.token_urlsafe(30)
    seed_key(user=member.user, partner=member.partner, access_key_id=ak, secret=sk)
    return ak, sk


def _canonical_uri(path):
    p = "/".join(quote(s, safe="~") for s in path.split("/"))
    return p if p.endswith("/") else p + "/"


def call(client, method, path, key, *, query=None, body=None, when=None):
    """Sign and send one request; `when` is the X-Sdk-Date as a Unix time (default: now)."""
    ak, sk = key
    raw_query = urlencode(sorted((query or {}).items()))
    data = json.dumps(body).encode() if body is not None else b""
    date = datetime.fromtimestamp(time.time() if when is None else when, UTC)
    date = date.strftime("%Y%m%dT%H%M%SZ")
    headers = {"content-type": "application/json", "host": "testserver", "x-sdk-date": date}
    names = sorted(headers)
    canonical = "\n".join(
        [
            method,
            _canonical_uri(path),
            raw_query,
            "".join(f"{n}:{headers[n]}\n" for n in names),
            ";".join(names),
            hashlib.sha256(data).hexdigest(),
        ]
    )
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    sig = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    url = path + (f"?{raw_query}" if raw_query else "")
    return client.generic(
        method,
        url,
        data=data,
        CONTENT_TYPE="application/json",
        HTTP_HOST="testserver",
        HTTP_X_SDK_DATE=date,
        HTTP_AUTHORIZATION=(
            f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, Signature={sig}"
        ),
    )


# --- X-Sdk-Date within 15 minutes of the server's clock, either way ---------------------------
#
# X-Sdk-Date has whole seconds. Each date is rounded away from the edge it tests, so the few
# milliseconds between signing and checking never decide the answer: an "inside" date is at
# most 14:59 old (or ahead) when checked, an "outside" one at least 15:01.

BALANCES = "/v2/accounts/partner-accounts/balances"


@pytest.mark.parametrize(
    "when, status",
    [
        (lambda now: math.ceil(now) - (WINDOW - 1), 200),  # 14:59 behind
        (lambda now: math.floor(now) - (WINDOW + 1), 401),  # 15:01 behind
        (lambda now: math.floor(now) + (WINDOW - 1), 200),  # 14:59 ahead
        (lambda now: math.ceil(now) + (WINDOW + 1), 401),  # 15:01 ahead
    ],
    ids=["14m59s-behind", "15m01s-behind", "14m59s-ahead", "15m01s-ahead"],
)
def test_x_sdk_date_is_accepted_up_to_15_minutes_either_way(client, finance_member, when, status):
    response = call(client, "GET", BALANCES, new_key(finance_member), when=when(time.time()))
    assert response.status_code == status, response.content
    if status == 401:
        assert response.json()["error_code"] == "APIGW.0301"


# --- page sizes --------------------------------------------------------------------------------

OPERATIONS = {
    # operation id: (method, path, where the parameters go, fixed parameters, largest page)
    "list_sub_customers": ("POST", "/v2/partners/sub-customers/query", "body", {}, 100),
    "list_partner_adjust_records": (
        "GET",
        "/v3/accounts/partner-accounts/adjust-records",
        "query",
        {},
        100,
    ),
    "list_partner_account_change_records": (
        "GET",
        "/v2/accounts/partner-accounts/account-change-records",
        "query",
        {},
        100,
    ),
    "list_sub_customer_bill_detail": (
        "GET",
        "/v2/bills/subcustomer-bills/res-fee-records",
        "query",
        {"bill_cycle": "2026-01"},
        100,
    ),
    "list_consume_sub_customers": (
        "POST",
        "/v2/bills/subcustomer-bills/res-fee-records/sub-customers/query",
        "body",
        {"bill_cycle": "2026-01"},
        100,
    ),
    "list_subcustomer_monthly_bills": (
        "GET",
        "/v2/bills/partner-bills/subcustomer-bills/monthly-sum",
        "query",
        {"cycle": "2026-01"},
        100,
    ),
    "list_customer_orders": ("GET", "/v2/orders/customer-orders", "query", {}, 100),
    "show_customer_order_details": (
        "GET",
        "/v2/orders/customer-orders/details/{order_id}",
        "query",
        {},
        100,
    ),
    # Huawei's own exception: business discounts page up to 1000 (partner-api.md §3.8).
    "list_business_discount_info": (
        "POST",
        "/v2/promotions/business/discount-info",
        "body",
        {"quoting_item_type": "PRODUCT_ITEM"},
        1000,
    ),
    "list_indirect_partners": ("POST", "/v2/partners/indirect-partners/query", "body", {}, 100),
}


def operations_with_a_limit():
    spec = api.get_openapi_schema()
    schemas = spec["components"]["schemas"]
    found = set()
    for ops in spec["paths"].values():
        for op in ops.values():
            names = {p["name"] for p in op.get("parameters", [])}
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            names |= set(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            if "limit" in names:
                found.add(op["operationId"])
    return found


def test_every_paged_operation_is_tried_below():
    assert operations_with_a_limit() == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_the_page_size_is_1_to_the_largest_page_and_nothing_beyond(
    client, admin_member, distributor_admin, shop, catalogue, operation
):
    from billing.services import orders

    method, path, where, fixed, largest = OPERATIONS[operation]
    member = distributor_admin if operation == "list_indirect_partners" else admin_member
    if "{order_id}" in path:
        order = orders.place_order(
            actor=shop, spec_id=catalogue["ecs"].pk, charging_mode=orders.ChargingMode.PREPAID
        )
        path = path.replace("{order_id}", order.order_id)
    key = new_key(member)
    for limit, ok in ((0, False), (1, True), (largest, True), (largest + 1, False)):
        params = {**fixed, "limit": limit}
        response = call(
            client,
            method,
            path,
            key,
            query=params if where == "query" else None,
            body=params if where == "body" else None,
        )
        if ok:
            assert response.status_code == 200, (limit, response.content)
        else:
            assert response.status_code == 400, (limit, response.content)
            assert response.json()["error_code"] == "CBC.0100"
            assert "limit" in response.json()["error_msg"]


# --- 10 calls a second per key and operation ----------------------------------------------------


@pytest.mark.parametrize("redis", [True, False], ids=["redis", "in-process"])
def test_the_10th_call_of_a_second_passes_and_the_11th_does_not(settings, redis):
    assert settings.PC_API_RATE_LIMIT == 10
    if not redis:
        settings.REDIS_URL = ""  # the embedded demo counts in the process
    key = "EDGE" + secrets.token_hex(8)
    second = 2_000_000_000 + secrets.randbelow(1000)
    assert all(ratelimit.allow(key, "GET x", now=second + i / 20) for i in range(10))
    assert not ratelimit.allow(key, "GET x", now=second + 0.999)
    # The count is per whole second: the next one starts from zero.
    assert all(ratelimit.allow(key, "GET x", now=second + 1.0) for _ in range(10))
    assert not ratelimit.allow(key, "GET x", now=second + 1.5)


# --- order time filters span at most one year ----------------------------------------------------


@pytest.mark.parametrize(
    "end, ok",
    [("2026-03-01T00:00:00Z", True), ("2026-03-01T00:00:01Z", False)],
    ids=["one-year", "one-year-and-1s"],
)
@pytest.mark.parametrize("prefix", ["create_time", "payment_time"])
def test_order_time_filters_span_at_most_one_year(client, admin_member, prefix, end, ok):
    response = call(
        client,
        "GET",
        "/v2/orders/customer-orders",
        new_key(admin_member),
        query={f"{prefix}_begin": "2025-03-01T00:00:00Z", f"{prefix}_end": end},
    )
    if ok:
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 400
        assert response.json()["error_code"] == "CBC.0100"
        assert f"{prefix}_begin" in response.json()["error_msg"]
